"use client";

// Annotations per clock hour over the last 48 hours (UTC hours shown in the viewer's local time).
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ProgressFigures } from "@/server/schemas/analytics";

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
const fullLabel = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

export function AnnotationsPerHourChart({ perHour }: { perHour: ProgressFigures["perHour"] }) {
  const total = perHour.reduce((s, h) => s + h.annotations, 0);
  const peak = perHour.reduce((best, h) => (h.annotations > best.annotations ? h : best), perHour[0]);
  return (
    <figure>
      <div className="h-56 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={perHour} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="hour" tickFormatter={hourLabel} interval={5} tick={{ fontSize: 11, fill: "#64748b" }} />
            <YAxis allowDecimals={false} width={40} tick={{ fontSize: 11, fill: "#64748b" }} />
            <Tooltip labelFormatter={(v) => fullLabel(String(v))} formatter={(v) => [v, "annotations"]} />
            <Bar dataKey="annotations" fill="#4f46e5" radius={[2, 2, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-slate-500">
        {total.toLocaleString("en-US")} annotations in the last 48 hours
        {peak && peak.annotations > 0 ? `; busiest hour ${fullLabel(peak.hour)} with ${peak.annotations.toLocaleString("en-US")}` : ""}.
      </figcaption>
    </figure>
  );
}
