/** An update expression built clause by clause, with its names and values. */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(placeholder: string, value: unknown): string {
    this.values[`:${placeholder}`] = value;
    return `:${placeholder}`;
  }

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(attribute, value)}`);
  }

  remove(...attributes: string[]): void {
    this.removes.push(...attributes.map((attribute) => this.name(attribute)));
  }

  /** `attribute = value`, or `attribute_not_exists(attribute)` when the value is undefined (the item as read). */
  equalsAsRead(attribute: string, value: unknown): string {
    return value === undefined
      ? `attribute_not_exists(${this.name(attribute)})`
      : `${this.name(attribute)} = ${this.value(`read_${attribute}`, value)}`;
  }

  get update(): string {
    return [this.sets.length ? `SET ${this.sets.join(", ")}` : "", this.removes.length ? `REMOVE ${this.removes.join(", ")}` : ""]
      .filter(Boolean)
      .join(" ");
  }
}
