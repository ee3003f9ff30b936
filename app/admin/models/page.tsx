import Link from "next/link";
import type { ReactNode } from "react";
import { formatDate } from "@/components/admin/form";
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
  const [models, snapshots] = await page("/admin/models", (api) => Promise.all([api.model.list(), api.export.list({ limit: 500 })]));
  const byId = new Map(models.map((m) => [m.id, m]));
  const snapshotLabel = (id: string | null) => {
    if (!id) return null;
    const s = snapshots.find((x) => x.id === id);
    return <span className="text-slate-700">{s ? `snapshot ${s.name} v${s.version}` : "snapshot (deleted)"}</span>;
  };
  const modelLink = (id: string | null, role: string) => {
    if (!id) return null;
    const m = byId.get(id);
    return m ? <a href={`#model-${m.id}`} className="text-indigo-700 hover:underline">{`${role} ${m.name}`}</a> : <span>{role} (deleted)</span>;
  };
  const runLink = (run: { id: string; name: string; kind: keyof typeof runKindLabel } | null, role?: string) =>
    run ? <Link href={`/admin/runs/${run.id}`} className="text-indigo-700 hover:underline">{`${role ?? `${runKindLabel[run.kind]} run`} ${run.name}`}</Link> : null;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Models</h1>
        <p className="text-sm text-slate-600">
          Reward models and policies registered by succeeded runs. The active reward model scores pending items (on a project&apos;s analytics page) and
          orders active-learning queues.
        </p>
      </div>
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
                const lineage =
                  m.kind === "REWARD"
                    ? [runLink(m.run, "run"), snapshotLabel(m.snapshotId)]
                    : [runLink(m.run), modelLink(m.rewardModelId, "reward model"), snapshotLabel(rm?.snapshotId ?? null)];
                return (
                  <tr key={m.id} id={`model-${m.id}`} data-testid="model-row" className="align-top target:bg-indigo-50">
                    <td className="px-3 py-2">
                      <span className="font-medium">{m.name}</span>
                      {m.active && <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs font-medium text-emerald-800">active</span>}
                      <span className="block max-w-xs truncate font-mono text-xs text-slate-400" title={m.path}>{m.path}</span>
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
    </div>
  );
}
