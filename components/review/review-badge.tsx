const STYLE = {
  ACCEPTED: "bg-emerald-100 text-emerald-800",
  REJECTED: "bg-red-100 text-red-800",
  CORRECTED: "bg-sky-100 text-sky-800",
} as const;

export function ReviewBadge({ state }: { state: keyof typeof STYLE | null }) {
  if (!state) return <span className="text-xs text-slate-400">unreviewed</span>;
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STYLE[state]}`}>{state.toLowerCase()}</span>;
}
