// The evaluations side by side: each one's reward-model win-rate with its 95% bootstrap interval, oldest left, the
// 50% line marking "no better than the reference". Plain SVG, rendered on the server.
export interface EvalPoint {
  id: string;
  label: string;
  winRate: number;
  low: number;
  high: number;
}

const W = 640;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

export function EvalChart({ points }: { points: EvalPoint[] }) {
  if (points.length === 0) return null;
  const inner = { w: W - PAD.left - PAD.right, h: H - PAD.top - PAD.bottom };
  const x = (i: number) => PAD.left + (points.length === 1 ? inner.w / 2 : (i / (points.length - 1)) * inner.w);
  const y = (v: number) => PAD.top + (1 - v) * inner.h;
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="text-sm font-medium text-slate-700">Win-rate against the reference (reward model), with 95% intervals</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="mt-2 w-full max-w-3xl" role="img" aria-label={`Win-rates of ${points.length} evaluations`}>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className={t === 0.5 ? "stroke-slate-400" : "stroke-slate-100"} strokeDasharray={t === 0.5 ? "4 3" : undefined} />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">{pct(t)}</text>
          </g>
        ))}
        {points.map((p, i) => (
          <g key={p.id} data-testid="eval-point">
            <title>{`${p.label}: ${pct(p.winRate)} (95% CI ${pct(p.low)}–${pct(p.high)})`}</title>
            <line x1={x(i)} x2={x(i)} y1={y(p.high)} y2={y(p.low)} className="stroke-indigo-400" strokeWidth={2} />
            <line x1={x(i) - 5} x2={x(i) + 5} y1={y(p.high)} y2={y(p.high)} className="stroke-indigo-400" strokeWidth={2} />
            <line x1={x(i) - 5} x2={x(i) + 5} y1={y(p.low)} y2={y(p.low)} className="stroke-indigo-400" strokeWidth={2} />
            <circle cx={x(i)} cy={y(p.winRate)} r={4} className={p.low > 0.5 ? "fill-emerald-600" : p.high < 0.5 ? "fill-red-600" : "fill-indigo-600"} />
            <text x={x(i)} y={H - 10} textAnchor="middle" className="fill-slate-600 text-[10px]">{i + 1}</text>
          </g>
        ))}
      </svg>
    </figure>
  );
}
