// CSV for the analytics exports (RFC 4180: comma-separated, CRLF line ends, quotes doubled).

export type CsvCell = string | number | boolean | null | undefined;

/**
 * Text cells that a spreadsheet would run as a formula (a leading =, +, -, @, tab or carriage return — an
 * annotator can choose their own display name) get a leading apostrophe. Numbers are written as numbers.
 */
function cell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}
