"use client";

// Annotations per clock hour over the last 48 hours (UTC hours shown in the viewer's local time).
import { CountsBarChart } from "@/components/analytics/counts-bar-chart";
import type { ProgressFigures } from "@/server/schemas/analytics";

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
const fullLabel = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

export function AnnotationsPerHourChart({ perHour }: { perHour: ProgressFigures["perHour"] }) {
  const total = perHour.reduce((s, h) => s + h.annotations, 0);
  const peak = perHour.reduce((best, h) => (h.annotations > best.annotations ? h : best), perHour[0]);
  const caption =
    `${total.toLocaleString("en-US")} annotations in the last 48 hours` +
    `${peak && peak.annotations > 0 ? `; busiest hour ${fullLabel(peak.hour)} with ${peak.annotations.toLocaleString("en-US")}` : ""}.`;
  return (
    <CountsBarChart
      data={perHour.map((h) => ({ start: h.hour, count: h.annotations }))}
      noun="annotations"
      tickLabel={hourLabel}
      fullLabel={fullLabel}
      interval={5}
      caption={caption}
    />
  );
}
