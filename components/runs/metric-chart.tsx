"use client";
// One live chart of a run: a few metric series against the training step. Evaluation metrics arrive at fewer
// steps than training ones, so each series keeps its own points and lines join across the gaps.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

export interface ChartSpec {
  title: string;
  series: { name: string; label: string }[];
}

const colors = ["#4f46e5", "#059669", "#d97706", "#dc2626"];

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toFixed(4)).toString();
}

export function MetricChart({ spec, metrics }: { spec: ChartSpec; metrics: MetricPoint[] }) {
  const wanted = new Set(spec.series.map((s) => s.name));
  const byStep = new Map<number, Record<string, number>>();
  for (const m of metrics) {
    if (!wanted.has(m.name)) continue;
    const row = byStep.get(m.step) ?? { step: m.step };
    row[m.name] = m.value;
    byStep.set(m.step, row);
  }
  const data = [...byStep.values()].sort((a, b) => a.step - b.step);
  const latest = spec.series
    .map((s) => {
      const last = [...data].reverse().find((d) => d[s.name] !== undefined);
      return last ? `${s.label} ${fmt(last[s.name])} at step ${last.step}` : null;
    })
    .filter(Boolean);
  const slug = spec.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <figure aria-label={spec.title} data-testid={`chart-${slug}`} className="rounded-lg border border-slate-200 bg-white p-3">
      <h3 className="text-sm font-medium text-slate-700">{spec.title}</h3>
      {data.length === 0 ? (
        <p className="flex h-48 items-center justify-center text-sm text-slate-500">No points yet.</p>
      ) : (
        <div className="h-48 w-full" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={{ fontSize: 11, fill: "#64748b" }} allowDecimals={false} />
              <YAxis width={48} tick={{ fontSize: 11, fill: "#64748b" }} tickFormatter={fmt} domain={["auto", "auto"]} />
              <Tooltip formatter={(v) => fmt(Number(v))} labelFormatter={(s) => `step ${s}`} />
              {spec.series.length > 1 && <Legend wrapperStyle={{ fontSize: 12 }} />}
              {spec.series.map((s, i) => (
                <Line
                  key={s.name}
                  dataKey={s.name}
                  name={s.label}
                  stroke={colors[i % colors.length]}
                  dot={data.length < 30}
                  connectNulls
                  isAnimationActive={false}
                  strokeWidth={2}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      <figcaption className="mt-1 text-xs text-slate-500">{latest.length > 0 ? latest.join(" · ") : "Waiting for the first logging step."}</figcaption>
    </figure>
  );
}
