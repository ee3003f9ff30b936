"use client";
// One run, live: status, progress and queue position, charts of its metrics, PPO/GRPO/RLOO samples per logging step, the log
// tail and the config, with cancel and retry. Polls while the run is queued or running; when it ends, the server
// page is refreshed once so the model it registered shows up.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { FormMessage, formatDate, fromServer, rowAction } from "@/components/admin/form";
import { MetricChart, type ChartSpec, type MetricPoint } from "@/components/runs/metric-chart";
import { elapsed, hasSamples, isActive, ProgressBar, QueuePosition, runKindLabel, StatusBadge, WaitingFor } from "@/components/runs/run-status";
import { useTRPC, useTRPCClient } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { RouterOutputs } from "@/server/api/root";

type RunWithPosition = RouterOutputs["run"]["get"];
type RunSample = RouterOutputs["run"]["samples"][number];

const POLL_MS = 2000;

/** The config as the page shows it: a long list (a Self-Instruct run's seed tasks) as its first items and a count. */
function shortLists(_key: string, value: unknown): unknown {
  if (!Array.isArray(value) || value.length <= 5) return value;
  return [...value.slice(0, 3), `… and ${value.length - 3} more`];
}
const MAX_LOG_LINES = 2000;

/** GRPO's and RLOO's charts (TRL's metric names); the KL is summed over each completion's tokens, as PPO's. */
function onlineCharts(reward: ChartSpec["series"]): ChartSpec[] {
  return [
    { title: "Reward", series: reward },
    { title: "KL to the reference", series: [{ name: "kl", label: "kl" }] },
    { title: "KL coefficient (β)", series: [{ name: "beta", label: "β" }] },
    { title: "Completion length", series: [{ name: "completions/mean_length", label: "mean" }, { name: "completions/min_length", label: "min" }, { name: "completions/max_length", label: "max" }] },
    { title: "Entropy and clipping", series: [{ name: "entropy", label: "entropy" }, { name: "clip_ratio/region_mean", label: "clipped share" }] },
    { title: "Time spent generating", series: [{ name: "generation_share", label: "share of the update" }] },
  ];
}

const charts: Record<RunWithPosition["kind"], ChartSpec[]> = {
  REWARD: [
    { title: "Loss", series: [{ name: "loss", label: "train" }, { name: "eval_loss", label: "eval" }] },
    { title: "Accuracy", series: [{ name: "accuracy", label: "train" }, { name: "eval_accuracy", label: "eval" }] },
  ],
  PPO: [
    { title: "RLHF reward", series: [{ name: "objective/rlhf_reward", label: "rlhf_reward" }, { name: "objective/scores", label: "score" }] },
    { title: "KL to the reference", series: [{ name: "objective/kl", label: "kl" }] },
    { title: "KL coefficient (β)", series: [{ name: "objective/kl_coef", label: "β" }] },
    { title: "Response length", series: [{ name: "response_length", label: "tokens" }] },
  ],
  GRPO: onlineCharts([{ name: "reward", label: "reward" }, { name: "reward_std", label: "std in group" }]),
  RLOO: onlineCharts([{ name: "reward", label: "score" }, { name: "rlhf_reward", label: "score − β·KL" }]),
  DPO: [
    { title: "Loss", series: [{ name: "loss", label: "train" }, { name: "eval_loss", label: "eval" }] },
    { title: "Preference accuracy", series: [{ name: "rewards/accuracies", label: "train" }, { name: "eval_rewards/accuracies", label: "eval" }] },
    { title: "Reward margin", series: [{ name: "rewards/margins", label: "train" }, { name: "eval_rewards/margins", label: "eval" }] },
  ],
  SFT: [
    { title: "Loss", series: [{ name: "loss", label: "train" }, { name: "eval_loss", label: "eval" }] },
    { title: "Token accuracy", series: [{ name: "mean_token_accuracy", label: "train" }, { name: "eval_mean_token_accuracy", label: "eval" }] },
  ],
  KTO: [
    { title: "Loss", series: [{ name: "loss", label: "train" }, { name: "eval_loss", label: "eval" }] },
    { title: "Rewards", series: [{ name: "rewards/chosen", label: "desirable" }, { name: "rewards/rejected", label: "undesirable" }] },
    { title: "Reward margin", series: [{ name: "rewards/margins", label: "train" }, { name: "eval_rewards/margins", label: "eval" }] },
    { title: "KL estimate", series: [{ name: "kl", label: "kl" }] },
  ],
  GENERATE: [],
  SCORE: [],
  JUDGE: [
    { title: "Items", series: [{ name: "judged", label: "judged" }, { name: "failed", label: "no verdict" }, { name: "inconsistent", label: "orders disagree" }] },
    { title: "Requests", series: [{ name: "requests", label: "requests" }, { name: "failed_requests", label: "failed" }] },
  ],
  SELF_INSTRUCT: [
    { title: "Instructions", series: [{ name: "kept", label: "kept" }, { name: "generated", label: "generated" }] },
    {
      title: "Filtered, by reason",
      series: [
        { name: "filtered/similar", label: "ROUGE-L ≥ max" },
        { name: "filtered/too_short", label: "too short" },
        { name: "filtered/too_long", label: "too long" },
        { name: "filtered/unsuitable_keyword", label: "needs an image, file…" },
        { name: "filtered/program", label: "a program" },
        { name: "filtered/punctuation", label: "starts with punctuation" },
        { name: "filtered/non_english", label: "non-English" },
      ],
    },
  ],
  // one result at step 0: the models page compares evaluations (table and win-rate chart)
  EVAL: [],
};

export interface RunFacts {
  /** inputs and lineage, e.g. "Snapshot" → "helpfulness v3" */
  inputs: { label: string; value: string; href?: string }[];
  models: { id: string; name: string; kind: string }[];
}

export function RunView({ initialRun, initialMetrics, initialSamples, facts }: { initialRun: RunWithPosition; initialMetrics: MetricPoint[]; initialSamples: RunSample[]; facts: RunFacts }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = initialRun.id;
  const run = useQuery({ ...trpc.run.get.queryOptions({ id }), initialData: initialRun, refetchInterval: (q) => (q.state.data && isActive(q.state.data.status) ? POLL_MS : false) });
  const live = isActive(run.data.status);
  const metrics = useQuery({ ...trpc.run.metrics.queryOptions({ runId: id }), initialData: initialMetrics, refetchInterval: live ? POLL_MS : false });
  const samples = useQuery({
    ...trpc.run.samples.queryOptions({ runId: id }),
    initialData: initialSamples,
    enabled: hasSamples(run.data.kind),
    refetchInterval: live ? POLL_MS * 2 : false,
  });
  const cancel = useMutation(trpc.run.cancel.mutationOptions());
  const retry = useMutation(trpc.run.retry.mutationOptions());
  const [actionError, setActionError] = useState<string | null>(null);

  // When the run ends: one last fetch of everything, and the server page for the registered model.
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) {
      void metrics.refetch();
      // a short PPO run can log its samples and finish between two polls
      if (hasSamples(run.data.kind)) void samples.refetch();
      router.refresh();
    }
    wasLive.current = live;
  }, [live, metrics, samples, run.data.kind, router]);

  const { lines: logs, error: logError } = useLogTail(id, live, client);
  const r = run.data;

  async function onCancel() {
    if (!window.confirm(`Cancel “${r.name}”?${r.status === "RUNNING" ? " Its process is stopped; the last checkpoint stays on disk." : ""}`)) return;
    await rowAction(() => cancel.mutateAsync({ id }), () => queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ id }) }), setActionError);
  }

  async function onRetry() {
    try {
      const next = await retry.mutateAsync({ id });
      router.push(`/admin/runs/${next.id}`);
    } catch (err) {
      setActionError(fromServer(err).message);
    }
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{r.name}</h1>
        <span className="text-sm text-slate-500">{runKindLabel[r.kind]}</span>
        <span data-testid="run-status"><StatusBadge status={r.status} /></span>
        <QueuePosition position={r.queuePosition} />
        <WaitingFor status={r.status} needs={r.needs} />
        {r.cancelRequested && r.status === "RUNNING" && <span className="text-xs text-amber-700">stopping…</span>}
        <div className="ml-auto flex gap-2">
          {live && <Button variant="danger" onClick={onCancel} disabled={cancel.isPending}>Cancel run</Button>}
          {!live && <Button variant="secondary" onClick={onRetry} disabled={retry.isPending}>Retry</Button>}
        </div>
      </div>
      <FormMessage error={actionError} />

      <section aria-labelledby="state-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="state-heading" className="sr-only">State</h2>
        <ProgressBar value={r.progress} label="Run progress" />
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
          <Fact label="Created">{formatDate(r.createdAt)}</Fact>
          <Fact label="Started">{formatDate(r.startedAt)}</Fact>
          <Fact label="Finished">{formatDate(r.finishedAt)}</Fact>
          <Fact label="Running time"><span suppressHydrationWarning>{elapsed(r.startedAt, r.finishedAt)}</span></Fact>
          <Fact label="Where">{r.host ? `${r.host}${r.gpuIds.length > 0 ? ` · GPU ${r.gpuIds.join(", ")}` : " · CPU"}` : r.gpuCount === 0 ? "CPU slot" : `${r.gpuCount} GPU(s) wanted`}</Fact>
          <Fact label="Attempts">{`${r.attempts} of ${r.maxAttempts}`}</Fact>
          {facts.inputs.map((f) => (
            <Fact key={f.label} label={f.label}>
              {f.href ? <Link href={f.href} className="text-indigo-700 hover:underline">{f.value}</Link> : f.value}
            </Fact>
          ))}
          {facts.models.map((m) => (
            <Fact key={m.id} label={m.kind === "REWARD" ? "Registered reward model" : "Registered policy"}>
              <Link href={`/admin/models#model-${m.id}`} className="text-indigo-700 hover:underline">{m.name}</Link>
            </Fact>
          ))}
        </dl>
        {r.error && (
          <div role="alert" className="space-y-1 rounded-md bg-red-50 p-3 text-sm text-red-900">
            <p className="font-medium">{r.error}</p>
            {r.stderrTail && <pre className="max-h-48 overflow-auto text-xs whitespace-pre-wrap">{r.stderrTail}</pre>}
          </div>
        )}
      </section>

      {charts[r.kind].length > 0 && (
        <section aria-labelledby="charts-heading" className="space-y-2">
          <h2 id="charts-heading" className="text-lg font-medium">Metrics</h2>
          <div className="grid gap-4 lg:grid-cols-2">
            {charts[r.kind].map((spec) => (
              <MetricChart key={spec.title} spec={spec} metrics={metrics.data} />
            ))}
          </div>
          <LatestMetrics metrics={metrics.data} />
        </section>
      )}

      {charts[r.kind].length === 0 && <LatestMetrics metrics={metrics.data} />}

      {hasSamples(r.kind) && <SamplesTable samples={samples.data ?? []} />}

      <section aria-labelledby="logs-heading" className="space-y-2">
        <h2 id="logs-heading" className="text-lg font-medium">Logs</h2>
        {logError && <p className="text-sm text-amber-800">Could not fetch new log lines ({logError}); retrying.</p>}
        {logs.length === 0 ? (
          <p className="text-sm text-slate-500">No log lines yet.</p>
        ) : (
          <pre aria-label="Run log" className="max-h-80 overflow-auto rounded-lg bg-slate-900 p-3 text-xs leading-relaxed text-slate-100">
            {logs.map((l) => (
              <div key={l.id} className={l.stream === "stderr" ? "text-amber-200" : l.stream === "worker" ? "text-sky-300" : ""}>
                {l.line}
              </div>
            ))}
          </pre>
        )}
      </section>

      <section aria-labelledby="config-heading" className="space-y-2">
        <h2 id="config-heading" className="text-lg font-medium">Config</h2>
        <pre className="overflow-auto rounded-lg border border-slate-200 bg-white p-3 text-xs">{JSON.stringify(r.config, shortLists, 2)}</pre>
      </section>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </div>
  );
}

/** The last value of every metric, as a table: the charts show a few, this shows all (TRL's names). */
function LatestMetrics({ metrics }: { metrics: MetricPoint[] }) {
  const latest = new Map<string, MetricPoint>();
  for (const m of metrics) {
    const seen = latest.get(m.name);
    if (!seen || m.step >= seen.step) latest.set(m.name, m);
  }
  if (latest.size === 0) return null;
  const rows = [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
      <summary className="cursor-pointer font-medium text-slate-700">All metrics, latest values ({rows.length})</summary>
      <table className="mt-2 w-full text-xs">
        <thead className="text-left text-slate-500">
          <tr>
            <th scope="col" className="py-1">Metric</th>
            <th scope="col" className="py-1 text-right">Step</th>
            <th scope="col" className="py-1 text-right">Value</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 font-mono">
          {rows.map((m) => (
            <tr key={m.name}>
              <td className="py-1">{m.name}</td>
              <td className="py-1 text-right tabular-nums">{m.step}</td>
              <td className="py-1 text-right tabular-nums">{m.value.toPrecision(5)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function SamplesTable({ samples }: { samples: RunSample[] }) {
  const steps = useMemo(() => [...new Set(samples.map((s) => s.step))].sort((a, b) => a - b), [samples]);
  const [chosen, setChosen] = useState<number | null>(null);
  // follow the newest step until the admin picks one
  const step = chosen ?? steps[steps.length - 1];
  const rows = samples.filter((s) => s.step === step);
  return (
    <section aria-labelledby="samples-heading" className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="samples-heading" className="text-lg font-medium">Samples</h2>
        {steps.length > 0 && (
          <label className="flex items-center gap-2 text-sm">
            <span className="text-slate-600">Logging step</span>
            <select className="rounded-md border border-slate-300 px-2 py-1 text-sm" value={step} onChange={(e) => setChosen(Number(e.target.value))}>
              {steps.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">No samples yet: the policy's responses appear here at each logging step.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">Responses sampled at step {step}, with the reward model's score</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">Prompt</th>
                <th scope="col" className="px-3 py-2">Response</th>
                <th scope="col" className="px-3 py-2 text-right">Score</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((s) => (
                <tr key={String(s.id)} className="align-top">
                  <td className="max-w-xs px-3 py-2 font-mono text-xs whitespace-pre-wrap text-slate-600">{s.prompt}</td>
                  <td className="px-3 py-2 font-mono text-xs whitespace-pre-wrap">{s.response}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{s.score.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type LogLine = { id: string; stream: string; line: string };

/** The run's log, fetched incrementally (lines after the last one seen) while the run is live. */
function useLogTail(runId: string, live: boolean, client: ReturnType<typeof useTRPCClient>): { lines: LogLine[]; error: string | null } {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const lastId = useRef<string | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function tick() {
      try {
        for (;;) {
          const batch = await client.run.logs.query({ runId, afterId: lastId.current, limit: 500 });
          if (stopped || batch.length === 0) break;
          lastId.current = batch[batch.length - 1].id;
          setLines((prev) => [...prev, ...batch.map((b) => ({ id: b.id, stream: b.stream, line: b.line }))].slice(-MAX_LOG_LINES));
          if (batch.length < 500) break;
        }
        if (!stopped) setError(null);
      } catch (err) {
        if (!stopped) setError(fromServer(err).message);
      }
      if (!stopped && live) timer = setTimeout(tick, POLL_MS);
    }
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, live, client]);
  return { lines, error };
}
