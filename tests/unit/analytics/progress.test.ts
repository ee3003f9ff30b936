import { describe, expect, it } from "vitest";
import { dailySeries, eta, hourlySeries } from "@/server/services/analytics/progress";

describe("eta", () => {
  const now = new Date("2026-01-10T12:00:00.000Z");

  it("divides the remaining judgements by the recent pace", () => {
    // 30 judgements in 6 hours = 5/h; 120 remaining → 24 h
    expect(eta({ remaining: 120, recent: 30, windowHours: 6, now })).toEqual({
      remaining: 120,
      ratePerHour: 5,
      hours: 24,
      at: "2026-01-11T12:00:00.000Z",
    });
  });

  it("is zero when nothing remains and unknown when nobody has worked lately", () => {
    expect(eta({ remaining: 0, recent: 0, windowHours: 6, now }).hours).toBe(0);
    expect(eta({ remaining: 10, recent: 0, windowHours: 6, now })).toEqual({ remaining: 10, ratePerHour: 0, hours: null, at: null });
  });
});

describe("hourlySeries", () => {
  it("fills the last hours up to the current one, oldest first", () => {
    const now = new Date("2026-01-10T12:34:00.000Z");
    const current = Math.floor(now.getTime() / 3_600_000);
    const series = hourlySeries(new Map([[current, 4], [current - 2, 1], [current - 48, 99]]), now, 3);
    expect(series).toEqual([
      { hour: "2026-01-10T10:00:00.000Z", annotations: 1 },
      { hour: "2026-01-10T11:00:00.000Z", annotations: 0 },
      { hour: "2026-01-10T12:00:00.000Z", annotations: 4 },
    ]);
    expect(hourlySeries(new Map(), now)).toHaveLength(48);
  });
});

describe("dailySeries", () => {
  it("fills the last UTC days up to today, oldest first", () => {
    const now = new Date("2026-01-10T23:59:00.000Z");
    const today = Math.floor(now.getTime() / 86_400_000);
    expect(dailySeries(new Map([[today, 3], [today - 2, 1], [today - 30, 99]]), now, 3)).toEqual([
      { day: "2026-01-08T00:00:00.000Z", annotations: 1 },
      { day: "2026-01-09T00:00:00.000Z", annotations: 0 },
      { day: "2026-01-10T00:00:00.000Z", annotations: 3 },
    ]);
    expect(dailySeries(new Map(), now)).toHaveLength(30);
  });
});
