// Number formats shared by the analytics tables. A missing figure (no data to compute it from) shows as "–",
// never as 0, so "nobody answered gold items" cannot be read as "0% correct".

export const DASH = "–";

export function percent(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined ? DASH : `${(value * 100).toFixed(digits)}%`;
}

export function decimal(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? DASH : value.toFixed(digits);
}

export function integer(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : Math.round(value).toLocaleString("en-US");
}

/** 850 ms, 12.3 s, 4.5 min */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function hours(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (value < 1) return `${Math.round(value * 60)} min`;
  if (value < 48) return `${value.toFixed(1)} h`;
  return `${(value / 24).toFixed(1)} days`;
}
