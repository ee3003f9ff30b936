// How a run's state reads on every runs page: a status badge, the progress bar and the queue position.
import type { RouterOutputs } from "@/server/api/root";

type RunStatus = RouterOutputs["run"]["get"]["status"];

const badge: Record<RunStatus, string> = {
  QUEUED: "bg-slate-100 text-slate-700",
  RUNNING: "bg-indigo-100 text-indigo-800",
  SUCCEEDED: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
  CANCELLED: "bg-amber-100 text-amber-800",
};

export const runKindLabel = { REWARD: "Reward model", SFT: "SFT", PPO: "PPO", GRPO: "GRPO", RLOO: "RLOO", DPO: "DPO", KTO: "KTO", GENERATE: "Generation", SCORE: "Scoring", SELF_INSTRUCT: "Self-Instruct", EVAL: "Evaluation", JUDGE: "AI judge" } as const;

/** The kinds whose trainer reports sample events (prompt, response, score) at each logging step (PPO, GRPO, RLOO). */
export function hasSamples(kind: keyof typeof runKindLabel): boolean {
  return kind === "PPO" || kind === "GRPO" || kind === "RLOO";
}

export function isActive(status: RunStatus): boolean {
  return status === "QUEUED" || status === "RUNNING";
}

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${badge[status]}`}>{status.toLowerCase()}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className="flex items-center gap-2">
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2 w-full min-w-16 overflow-hidden rounded bg-slate-100">
        <div className="h-full rounded bg-indigo-500 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <span className="w-9 text-right text-xs tabular-nums text-slate-600">{pct}%</span>
    </div>
  );
}

export function QueuePosition({ position }: { position: number | null }) {
  if (position === null) return null;
  return <span className="text-xs text-slate-600">{position === 1 ? "next in queue" : `#${position} in queue`}</span>;
}

/** A queued run that cannot start yet: the runs it needs that have not succeeded. */
export function WaitingFor({ status, needs }: { status: RunStatus; needs: RouterOutputs["run"]["get"]["needs"] }) {
  const open = needs.filter((n) => n.status !== "SUCCEEDED");
  if (status !== "QUEUED" || open.length === 0) return null;
  return <span className="text-xs text-slate-600">waits for {open.map((n) => `"${n.name}"`).join(", ")}</span>;
}

/** 45 s, 12 min, 3.2 h */
export function elapsed(from: Date | string | null, to: Date | string | null): string {
  if (!from) return "–";
  const ms = (to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime();
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
