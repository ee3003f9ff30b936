"use client";

// Counts per time bucket as bars (annotations per hour on the analytics page, judgements per day on an annotator's
// statistics page). Buckets start at a UTC instant (ISO 8601) and are labelled in the viewer's local time.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export function CountsBarChart(props: {
  data: { start: string; count: number }[];
  /** what a bar counts, in the tooltip: "annotations", "judgements" */
  noun: string;
  tickLabel: (iso: string) => string;
  fullLabel: (iso: string) => string;
  /** label every (interval + 1)th tick */
  interval: number;
  caption: string;
  className?: string;
}) {
  return (
    <figure className={props.className}>
      <div className="h-56 w-full" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={props.data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
            <XAxis dataKey="start" tickFormatter={props.tickLabel} interval={props.interval} tick={{ fontSize: 11, fill: "#64748b" }} />
            <YAxis allowDecimals={false} width={40} tick={{ fontSize: 11, fill: "#64748b" }} />
            <Tooltip labelFormatter={(v) => props.fullLabel(String(v))} formatter={(v) => [v, props.noun]} />
            <Bar dataKey="count" fill="#4f46e5" radius={[2, 2, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-1 text-xs text-slate-500">{props.caption}</figcaption>
    </figure>
  );
}
