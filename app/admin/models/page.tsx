import Link from "next/link";
import type { ReactNode } from "react";
import { formatDate } from "@/components/admin/form";
import { ArenaButton } from "@/components/models/arena-button";
import { EvalChart } from "@/components/models/eval-chart";
import { RegisterBaseModel } from "@/components/models/register-base-model";
import { ActivateModelButton } from "@/components/runs/activate-model-button";
import { runKindLabel } from "@/components/runs/run-status";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/** The figures worth comparing models by, in TRL's names; everything else is on the run page. */
const keyMetrics: Record<"REWARD" | "POLICY", { name: string; label: string; percent?: boolean }[]> = {
  REWARD: [
    { name: "eval_accuracy", label: "eval accuracy", percent: true },
    { name: "eval_loss", label: "eval loss" },
    { name: "reward_mean", label: "reward mean" },
    { name: "reward_std", label: "reward std" },
  ],
  POLICY: [
    // PPO's names, then GRPO's and RLOO's (TRL names each trainer's own way; a policy has one set or the other)
    { name: "objective/scores", label: "score" },
    { name: "objective/rlhf_reward", label: "rlhf reward" },
    { name: "objective/kl", label: "KL" },
    { name: "reward", label: "score" },
    { name: "rlhf_reward", label: "rlhf reward" },
    { name: "kl", label: "KL" },
  ],
};

function Chain({ parts }: { parts: ReactNode[] }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      {parts.map((p, i) => (
        <span key={i} className="inline-flex items-center gap-1">
          {i > 0 && <span aria-hidden="true" className="text-slate-400">←</span>}
          {p}
        </span>
      ))}
    </span>
  );
}

export default async function ModelsPage() {
  const [models, snapshots, evaluations, folders] = await page("/admin/models", (api) =>
    Promise.all([api.model.list(), api.export.list({ limit: 500 }), api.model.evaluations(), api.model.folders()]),
  );
  const chronological = [...evaluations].reverse();
  const latestEval = new Map<string, (typeof evaluations)[number]>();
  for (const e of evaluations) if (!latestEval.has(e.policyModelId)) latestEval.set(e.policyModelId, e);
  const nameOf = (id: string) => models.find((m) => m.id === id)?.name ?? "(deleted)";
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  // an arena from an evaluation samples as the evaluation did (a tiny model's block size bounds its response length)
  const arenaSettings = (config: unknown) => {
    const c = (config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(["max_new_tokens", "temperature", "max_prompt_length"].filter((k) => typeof c[k] === "number").map((k) => [k, c[k]]));
  };
  const byId = new Map(models.map((m) => [m.id, m]));
  const snapshotLabel = (id: string | null) => {
    if (!id) return null;
    const s = snapshots.find((x) => x.id === id);
    return <span className="text-slate-700">{s ? `snapshot ${s.name} v${s.version}` : "snapshot (deleted)"}</span>;
  };
  const modelLink = (id: string | null, role: string) => {
    if (!id) return null;
    const m = byId.get(id);
    return m ? <a href={`#model-${m.id}`} className="text-indigo-700 hover:underline">{`${role} ${m.name}`.trim()}</a> : <span>{`${role} (deleted)`.trim()}</span>;
  };
  const runLink = (run: { id: string; name: string; kind: keyof typeof runKindLabel } | null, role?: string) =>
    run ? <Link href={`/admin/runs/${run.id}`} className="text-indigo-700 hover:underline">{`${role ?? `${runKindLabel[run.kind]} run`} ${run.name}`}</Link> : null;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Models</h1>
        <p className="text-sm text-slate-600">
          Reward models and policies registered by succeeded runs. The active reward model scores pending items (on a project&apos;s analytics page) and
          orders active-learning queues. Base policies are registered from a model directory below; evaluations compare a policy with its
          reference.
        </p>
      </div>
      <RegisterBaseModel roots={folders} />
      {models.length === 0 ? (
        <p className="text-slate-600">
          No models yet. <Link href="/admin/runs/new" className="text-indigo-700 hover:underline">Train a reward model</Link> from a snapshot.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">Registered models, newest first</caption>
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">Name</th>
                <th scope="col" className="px-3 py-2">Kind</th>
                <th scope="col" className="px-3 py-2">Backend</th>
                <th scope="col" className="px-3 py-2">Metrics</th>
                <th scope="col" className="px-3 py-2">Lineage</th>
                <th scope="col" className="px-3 py-2">Created</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {models.map((m) => {
                const metrics = m.metrics as Record<string, number>;
                const rm = m.rewardModelId ? byId.get(m.rewardModelId) : undefined;
                const evaluation = latestEval.get(m.id);
                const lineage =
                  m.kind === "REWARD"
                    ? [runLink(m.run, "run"), snapshotLabel(m.snapshotId)]
                    : m.run
                      ? [runLink(m.run), modelLink(m.rewardModelId, "reward model"), snapshotLabel(m.snapshotId ?? rm?.snapshotId ?? null)]
                      : [<span key="base" className="text-slate-700">base model{m.chatTemplate === false ? " · no chat template" : ""}</span>];
                return (
                  <tr key={m.id} id={`model-${m.id}`} data-testid="model-row" className="align-top target:bg-indigo-50">
                    <td className="px-3 py-2">
                      <span className="font-medium">{m.name}</span>
                      {m.active && <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800">active</span>}
                      <span className="block max-w-xs truncate font-mono text-xs text-slate-400" title={m.path}>{m.path}</span>
                      {m.storeKey && (
                        <span className="block max-w-xs truncate font-mono text-xs text-slate-400" title={`in the artifact store as ${m.storeKey}`}>
                          store: {m.storeKey}
                        </span>
                      )}
                      {m.sha256 && (
                        <span className="block font-mono text-xs text-slate-400" title={`sha256 of the directory's manifest: ${m.sha256}`}>
                          sha256 {m.sha256.slice(0, 12)}…
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2">{m.kind === "REWARD" ? "reward model" : "policy"}</td>
                    <td className="px-3 py-2">
                      {m.backend}
                      {m.baseModel && <span className="block text-xs text-slate-500">base: {m.baseModel}</span>}
                    </td>
                    <td className="px-3 py-2">
                      <dl className="grid grid-cols-[auto_auto] gap-x-3 text-xs">
                        {keyMetrics[m.kind].filter((k) => typeof metrics[k.name] === "number").map((k) => (
                          <div key={k.name} className="contents">
                            <dt className="text-slate-500">{k.label}</dt>
                            <dd className="text-right tabular-nums">{k.percent ? `${(metrics[k.name] * 100).toFixed(1)}%` : metrics[k.name].toFixed(3)}</dd>
                          </div>
                        ))}
                      </dl>
                      {evaluation && (
                        <a href={`#eval-${evaluation.runId}`} className="mt-1 block text-xs text-indigo-700 hover:underline">
                          {`wins ${pct(evaluation.winRate)} vs ${nameOf(evaluation.referenceModelId)}`}
                        </a>
                      )}
                    </td>
                    <td className="px-3 py-2 text-xs">
                      <Chain parts={lineage.filter((p) => p !== null)} />
                      {m.parentId && <span className="mt-1 block text-slate-500">started from {modelLink(m.parentId, "policy")}</span>}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDate(m.createdAt)}</td>
                    <td className="px-3 py-2">{!m.active && <ActivateModelButton id={m.id} name={m.name} />}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <section aria-labelledby="evaluations" className="space-y-3">
        <h2 id="evaluations" className="text-lg font-semibold">Evaluations</h2>
        {evaluations.length === 0 ? (
          <p className="text-sm text-slate-600">
            No evaluations yet. <Link href="/admin/runs/new?kind=EVAL" className="text-indigo-700 hover:underline">Evaluate a policy</Link> against its reference on a
            snapshot&apos;s held-out prompts.
          </p>
        ) : (
          <>
            <EvalChart points={chronological.map((e) => ({ id: e.runId, label: `${nameOf(e.policyModelId)} vs ${nameOf(e.referenceModelId)}`, winRate: e.winRate, low: e.winRateLow, high: e.winRateHigh }))} />
            <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
              <table className="w-full text-sm">
                <caption className="sr-only">Evaluations, oldest first (numbered as in the chart)</caption>
                <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                  <tr>
                    <th scope="col" className="px-3 py-2">#</th>
                    <th scope="col" className="px-3 py-2">Policy vs reference</th>
                    <th scope="col" className="px-3 py-2">Judged by · prompts</th>
                    <th scope="col" className="px-3 py-2 text-right">Win-rate (95% CI)</th>
                    <th scope="col" className="px-3 py-2 text-right">Reward</th>
                    <th scope="col" className="px-3 py-2 text-right">KL</th>
                    <th scope="col" className="px-3 py-2 text-right">Length</th>
                    <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {chronological.map((e, i) => (
                    <tr key={e.runId} id={`eval-${e.runId}`} data-testid="eval-row" className="align-top target:bg-indigo-50">
                      <td className="px-3 py-2 tabular-nums text-slate-500">{i + 1}</td>
                      <td className="px-3 py-2">
                        {modelLink(e.policyModelId, "")} <span className="text-slate-400">vs</span> {modelLink(e.referenceModelId, "")}
                        <Link href={`/admin/runs/${e.run.id}`} className="block text-xs text-slate-500 hover:underline">{e.run.name} · {formatDate(e.createdAt)}</Link>
                      </td>
                      <td className="px-3 py-2 text-xs">
                        {modelLink(e.rewardModelId, "")}
                        <span className="block text-slate-500">{snapshotLabel(e.snapshotId)} · {e.prompts} prompts, {e.pairs} pairs</span>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">
                        <span className={e.winRateLow > 0.5 ? "font-semibold text-emerald-700" : e.winRateHigh < 0.5 ? "font-semibold text-red-700" : ""}>{pct(e.winRate)}</span>
                        <span className="block text-xs text-slate-500">{pct(e.winRateLow)}–{pct(e.winRateHigh)}{e.tieRate > 0 ? ` · ${pct(e.tieRate)} ties` : ""}</span>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums text-xs">
                        {e.rewardPolicy.toFixed(3)}
                        <span className="block text-slate-500">ref {e.rewardReference.toFixed(3)}</span>
                      </td>
                      <td className="px-3 py-2 text-right tabular-nums">{e.kl.toFixed(3)}</td>
                      <td className="px-3 py-2 text-right tabular-nums text-xs">
                        {e.lengthPolicy.toFixed(1)}
                        <span className="block text-slate-500">ref {e.lengthReference.toFixed(1)}</span>
                      </td>
                      <td className="px-3 py-2">
                        {e.snapshotId && byId.has(e.policyModelId) && byId.has(e.referenceModelId) && (
                          <ArenaButton policyModelId={e.policyModelId} opponentModelId={e.referenceModelId} snapshotId={e.snapshotId} label={`${nameOf(e.policyModelId)} vs ${nameOf(e.referenceModelId)}`} config={arenaSettings(e.run.config)} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
