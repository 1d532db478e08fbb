/** The bench's tables as text: a title, a header, aligned columns (numbers to the right). */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = header.map((name, column) => Math.max(name.length, ...cells.map((row) => row[column]?.length ?? 0)));
  // A column is numeric when every cell is a number, a range ("5–6"), a ratio ("1.20×"), empty or "–".
  const numeric = /^$|^–$|^[\d.,]+(–[\d.,]+)?×?$/;
  const right = header.map((_, column) => rows.length > 0 && cells.every((row) => numeric.test(row[column] ?? "")));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of cells) console.log(line(row));
}

/** A figure for a table cell: fixed decimals, or "–" when there is none. */
export function figure(value: number | null | undefined, decimals = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(decimals);
}
