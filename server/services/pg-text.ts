// Text bound for PostgreSQL from outside (model output, logs): PostgreSQL text cannot hold NUL.

/** NUL → U+FFFD; model output (a byte-level policy, an endpoint) sometimes holds one. */
export function pgText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}
