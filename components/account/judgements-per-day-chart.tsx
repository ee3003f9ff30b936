"use client";

// An annotator's judgements per UTC day in one project, the last 30 days (their statistics page).
import { CountsBarChart } from "@/components/analytics/counts-bar-chart";

const dayLabel = (iso: string) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const fullLabel = (iso: string) => new Date(iso).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function JudgementsPerDayChart({ perDay }: { perDay: { day: string; annotations: number }[] }) {
  const total = perDay.reduce((s, d) => s + d.annotations, 0);
  const active = perDay.filter((d) => d.annotations > 0).length;
  return (
    <CountsBarChart
      data={perDay.map((d) => ({ start: d.day, count: d.annotations }))}
      noun="judgements"
      tickLabel={dayLabel}
      fullLabel={fullLabel}
      interval={6}
      caption={`${total.toLocaleString("en-US")} judgement${total === 1 ? "" : "s"} in the last ${perDay.length} days (UTC days), on ${active} day${active === 1 ? "" : "s"}.`}
    />
  );
}
