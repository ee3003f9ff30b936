// Progress figures: the hourly activity series and the ETA at the current pace.

const HOUR_MS = 3_600_000;

export interface HourBucket {
  /** start of the hour, ISO 8601 UTC */
  hour: string;
  annotations: number;
}

const DAY_MS = 24 * HOUR_MS;

/** The last `n` buckets of `step` ms up to and including the current one: [start (ISO, UTC), count], zeros filled in. */
function series(counts: ReadonlyMap<number, number>, now: Date, n: number, step: number): [string, number][] {
  const current = Math.floor(now.getTime() / step);
  return Array.from({ length: n }, (_, k) => {
    const index = current - n + 1 + k;
    return [new Date(index * step).toISOString(), counts.get(index) ?? 0];
  });
}

/**
 * The last `hours` clock hours up to and including the current (partial) one, oldest first, with zero for
 * hours without annotations. `counts` maps an hour index (whole hours since the epoch, UTC) to a count.
 */
export function hourlySeries(counts: ReadonlyMap<number, number>, now: Date, hours = 48): HourBucket[] {
  return series(counts, now, hours, HOUR_MS).map(([hour, annotations]) => ({ hour, annotations }));
}

export interface DayBucket {
  /** start of the UTC day, ISO 8601 */
  day: string;
  annotations: number;
}

/** The same by UTC day: `counts` maps a day index (whole days since the epoch) to a count; today is the last. */
export function dailySeries(counts: ReadonlyMap<number, number>, now: Date, days = 30): DayBucket[] {
  return series(counts, now, days, DAY_MS).map(([day, annotations]) => ({ day, annotations }));
}

export interface Eta {
  /** judgements still needed: Σ over open items of max(overlap − completed, 0) */
  remaining: number;
  /** judgements per hour over the pace window */
  ratePerHour: number;
  /** hours to finish; null when work remains but nobody worked in the window (no pace to project) */
  hours: number | null;
  at: string | null;
}

/** Remaining work divided by the recent pace; 0 hours when nothing remains, null when there is no pace. */
export function eta({ remaining, recent, windowHours, now }: { remaining: number; recent: number; windowHours: number; now: Date }): Eta {
  const ratePerHour = recent / windowHours;
  if (remaining <= 0) return { remaining: 0, ratePerHour, hours: 0, at: now.toISOString() };
  if (ratePerHour <= 0) return { remaining, ratePerHour, hours: null, at: null };
  const hours = remaining / ratePerHour;
  return { remaining, ratePerHour, hours, at: new Date(now.getTime() + hours * HOUR_MS).toISOString() };
}
