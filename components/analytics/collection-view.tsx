"use client";
// The analytics of rating and demonstration projects (server/services/analytics/collection.ts): distributions as
// bar charts, per annotator and per model as tables.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { CollectionFigures, DemonstrationFigures, RatingFigures } from "@/server/schemas/collection-analytics";

const fmt = (x: number | null, digits = 2) => (x === null ? "—" : x.toLocaleString("en-US", { maximumFractionDigits: digits }));
/** alpha, or why there is none */
const alphaText = (x: number | null) => (x === null ? "n/a — no item rated by two or more annotators yet" : fmt(x, 3));
const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);

function Bars({ data, x, label }: { data: { [k: string]: string | number }[]; x: string; label: string }) {
  return (
    <div className="h-44 w-full" aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey={x} tick={{ fontSize: 11, fill: "#64748b" }} interval={0} />
          <YAxis allowDecimals={false} width={36} tick={{ fontSize: 11, fill: "#64748b" }} />
          <Tooltip formatter={(v) => [v, label]} />
          <Bar dataKey="count" fill="#4f46e5" radius={[2, 2, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

const card = "rounded-lg border border-slate-200 bg-white p-4";
const th = "px-2 py-1 text-left font-medium text-slate-600";
const td = "px-2 py-1 tabular-nums";

function Demonstrations({ f }: { f: DemonstrationFigures }) {
  return (
    <section className={card} aria-labelledby="demo-heading" data-testid="demonstration-analytics">
      <h2 id="demo-heading" className="font-medium">Demonstrations</h2>
      <p className="mt-1 text-sm text-slate-600">
        {f.count.toLocaleString("en-US")} written ({f.improved.toLocaleString("en-US")} improving a model response) · median {fmt(f.medianChars, 0)} characters
        (mean {fmt(f.meanChars, 0)}) · median {fmt(f.medianSeconds, 1)} s each
      </p>
      <figure className="mt-3">
        <Bars data={f.lengths} x="bucket" label="demonstrations" />
        <figcaption className="text-xs text-slate-500">Length in characters: {f.lengths.map((l) => `${l.bucket}: ${l.count}`).join(" · ")}</figcaption>
      </figure>
      <table className="mt-3 w-full text-sm">
        <thead><tr><th className={th}>Annotator</th><th className={th}>Written</th><th className={th}>Median characters</th><th className={th}>Median seconds</th></tr></thead>
        <tbody>
          {f.annotators.map((a) => (
            <tr key={a.userId} className="border-t border-slate-100"><td className="px-2 py-1">{a.name}</td><td className={td}>{a.count}</td><td className={td}>{fmt(a.medianChars, 0)}</td><td className={td}>{fmt(a.medianSeconds, 1)}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Ratings({ f }: { f: RatingFigures }) {
  return (
    <section className={`${card} space-y-4`} aria-labelledby="ratings-heading" data-testid="rating-analytics">
      <div>
        <h2 id="ratings-heading" className="font-medium">Ratings</h2>
        <p className="mt-1 text-sm text-slate-600">
          {f.count.toLocaleString("en-US")} ratings
          {f.thumbs && <> · thumbs up {f.thumbs.up.toLocaleString("en-US")}, down {f.thumbs.down.toLocaleString("en-US")} · thumbs agreement (Krippendorff&apos;s α, nominal) {alphaText(f.thumbs.alpha)}</>}
        </p>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        {f.criteria.map((c) => (
          <figure key={c.key} data-testid={`criterion-${c.key}`}>
            <div className="text-sm font-medium">{c.label}</div>
            <div className="text-xs text-slate-500">mean {fmt(c.mean)} · Krippendorff&apos;s α ({c.scale.kind === "binary" ? "nominal" : "ordinal"}) {alphaText(c.alpha)}</div>
            <Bars data={c.distribution} x="label" label="ratings" />
            <figcaption className="sr-only">{c.distribution.map((d) => `${d.label}: ${d.count}`).join(", ")}</figcaption>
          </figure>
        ))}
      </div>
      <div className="overflow-x-auto">
        <h3 className="text-sm font-medium">Per annotator</h3>
        <table className="mt-1 w-full text-sm">
          <thead><tr><th className={th}>Annotator</th><th className={th}>Ratings</th><th className={th}>Thumbs up</th>{f.criteria.map((c) => <th key={c.key} className={th}>{c.label} mean ± sd</th>)}</tr></thead>
          <tbody>
            {f.annotators.map((a) => (
              <tr key={a.userId} className="border-t border-slate-100">
                <td className="px-2 py-1">{a.name}</td><td className={td}>{a.count}</td><td className={td}>{pct(a.thumbsUp)}</td>
                {f.criteria.map((c) => <td key={c.key} className={td}>{a.means[c.key] ? `${fmt(a.means[c.key]!.mean)} ± ${fmt(a.means[c.key]!.sd)}` : "—"}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="overflow-x-auto">
        <h3 className="text-sm font-medium">Per model</h3>
        <table className="mt-1 w-full text-sm">
          <thead><tr><th className={th}>Model</th><th className={th}>Ratings</th><th className={th}>Thumbs up</th>{f.criteria.map((c) => <th key={c.key} className={th}>{c.label} mean</th>)}</tr></thead>
          <tbody>
            {f.models.map((m) => (
              <tr key={m.model} className="border-t border-slate-100">
                <td className="px-2 py-1">{m.model}</td><td className={td}>{m.count}</td><td className={td}>{pct(m.thumbsUp)}</td>
                {f.criteria.map((c) => <td key={c.key} className={td}>{fmt(m.means[c.key])}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function CollectionAnalyticsView({ figures }: { figures: CollectionFigures }) {
  return figures.kind === "demonstrations" ? <Demonstrations f={figures} /> : <Ratings f={figures} />;
}
