// Progress figures: the hourly activity series and the ETA at the current pace.

const HOUR_MS = 3_600_000;

export interface HourBucket {
  /** start of the hour, ISO 8601 UTC */
  hour: string;
  annotations: number;
}

/**
 * The last `hours` clock hours up to and including the current (partial) one, oldest first, with zero for
 * hours without annotations. `counts` maps an hour index (whole hours since the epoch, UTC) to a count.
 */
export function hourlySeries(counts: ReadonlyMap<number, number>, now: Date, hours = 48): HourBucket[] {
  const current = Math.floor(now.getTime() / HOUR_MS);
  return Array.from({ length: hours }, (_, k) => {
    const index = current - hours + 1 + k;
    return { hour: new Date(index * HOUR_MS).toISOString(), annotations: counts.get(index) ?? 0 };
  });
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
