/**
 * Building the page's elements from code: text always goes in as text (never parsed as HTML), so
 * a customer's message or name can hold anything.
 */
type Child = Node | string | number | false | null | undefined;
type Attributes = Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>;

/**
 * `h("button", { type: "button", onclick: send }, "Send")`. Attributes: `on…` functions become
 * listeners, `true` sets a boolean attribute, `false`, `null` and `undefined` leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...nodes(children));
  return element;
}

/** The children as nodes, leaving out `false`, `null` and `undefined`. */
export function nodes(children: readonly Child[]): (Node | string)[] {
  return children
    .filter((child): child is Node | string | number => child !== false && child !== null && child !== undefined)
    .map((child) => (typeof child === "number" ? String(child) : child));
}

/** Replaces an element's content. */
export function fill(element: Element, ...children: Child[]): void {
  element.replaceChildren(...nodes(children));
}

let lastId = 0;
/** A page-unique id for pairing a label or a description with its control. */
export function uniqueId(prefix: string): string {
  lastId += 1;
  return `${prefix}-${lastId}`;
}
