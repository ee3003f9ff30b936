import Link from "next/link";
import { IterationForm } from "@/components/loop/iteration-form";
import { runKindLabel, StatusBadge } from "@/components/runs/run-status";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The figures each registered model is judged by on this page (the models page has the rest). */
const modelFigures: [string, string, boolean][] = [
  ["eval_accuracy", "eval accuracy", true],
  ["objective/scores", "score", false],
  ["objective/kl", "KL", false],
  ["eval_rewards/accuracies", "eval pref. accuracy", true],
];

export default async function LoopPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { project, iterations, snapshots, models } = await page(`/admin/projects/${id}/loop`, async (api) => {
    const [project, iterations, snapshots, models] = await Promise.all([
      api.project.get({ id }),
      api.loop.iterations({ projectId: id }),
      api.export.list({ limit: 200 }),
      api.model.list(),
    ]);
    return { project, iterations, snapshots, models };
  });
  const ready = snapshots
    .filter((s) => s.status === "SUCCEEDED")
    // this project's snapshots first
    .sort((a, b) => Number(b.projectIds.includes(id)) - Number(a.projectIds.includes(id)))
    .map((s) => ({ id: s.id, label: `${s.name} v${s.version} · ${s.rowCounts.train ?? 0} train / ${s.rowCounts.test ?? 0} test`, hasTest: (s.rowCounts.test ?? 0) > 0 }));
  const snapshotName = (sid: string) => {
    const s = snapshots.find((x) => x.id === sid);
    return s ? `${s.name} v${s.version}` : "(deleted)";
  };
  return (
    <div className="space-y-6">
      <div>
        <Link href={`/admin/projects/${id}`} className="text-sm text-indigo-700 hover:underline">← {project.name}</Link>
        <h1 className="text-xl font-semibold">The loop</h1>
        <p className="text-sm text-slate-600">
          Each iteration is a chain of runs queued at once, each waiting for the one before: a reward model then PPO (or DPO directly), an evaluation of the new
          policy against the one it started from on the snapshot&apos;s held-out prompts, and a blind arena where annotators compare the two.
        </p>
      </div>
      <IterationForm
        projectId={id}
        snapshots={ready}
        policies={models.filter((m) => m.kind === "POLICY").map((m) => ({ id: m.id, label: `${m.name} · ${m.backend}` }))}
        rewardModels={models.filter((m) => m.kind === "REWARD").sort((a, b) => Number(b.active) - Number(a.active)).map((m) => ({ id: m.id, label: `${m.name}${m.active ? " (active)" : ""}` }))}
      />
      <section aria-labelledby="iterations" className="space-y-3">
        <h2 id="iterations" className="text-lg font-semibold">Iterations</h2>
        {iterations.length === 0 && <p className="text-sm text-slate-600">No iteration queued from this project yet.</p>}
        {iterations.map((it) => {
          const evaluation = it.runs.find((r) => r.evalResult)?.evalResult ?? null;
          return (
            <article key={it.id} data-testid="iteration" aria-label={`Iteration ${it.name}`} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
              <header className="flex flex-wrap items-baseline gap-x-3">
                <h3 className="font-semibold">{it.name}</h3>
                <span className="text-sm text-slate-500">
                  {it.method === "REWARD" ? "reward model + PPO" : "DPO"} from {it.startPolicyName ?? "(deleted)"} on {snapshotName(it.snapshotId)}
                </span>
                {evaluation && (
                  <span className={`ml-auto text-sm tabular-nums ${evaluation.winRateLow > 0.5 ? "font-semibold text-emerald-700" : evaluation.winRateHigh < 0.5 ? "font-semibold text-red-700" : "text-slate-700"}`}>
                    win-rate {pct(evaluation.winRate)} ({pct(evaluation.winRateLow)}–{pct(evaluation.winRateHigh)}) · KL {evaluation.kl.toFixed(2)}
                  </span>
                )}
              </header>
              <ol className="divide-y divide-slate-100 text-sm">
                {it.runs.map((r) => {
                  return (
                    <li key={r.id} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
                      <span className="w-24 text-slate-500">{runKindLabel[r.kind]}</span>
                      <Link href={`/admin/runs/${r.id}`} className="text-indigo-700 hover:underline">{r.name}</Link>
                      <StatusBadge status={r.status} />
                      {r.models.map((m) => {
                        const metrics = m.metrics as Record<string, number>;
                        return (
                          <a key={m.id} href={`/admin/models#model-${m.id}`} className="text-xs text-slate-600 hover:underline">
                            {m.name}
                            {modelFigures.filter(([k]) => typeof metrics[k] === "number").map(([k, label, percent]) => ` · ${label} ${percent ? pct(metrics[k]) : metrics[k].toFixed(3)}`).join("")}
                          </a>
                        );
                      })}
                      {r.evalResult && <a href={`/admin/models#eval-${r.id}`} className="text-xs text-slate-600 hover:underline">{`reward ${r.evalResult.rewardPolicy.toFixed(3)} vs ${r.evalResult.rewardReference.toFixed(3)}, ${r.evalResult.prompts} prompts`}</a>}
                      {r.kind === "GENERATE" && r.projectId && (
                        <span className="text-xs">
                          <Link href={`/admin/projects/${r.projectId}/analytics`} className="text-indigo-700 hover:underline">arena leaderboard</Link>
                        </span>
                      )}
                      {r.error && <span className="basis-full text-xs text-red-700">{r.error}</span>}
                    </li>
                  );
                })}
              </ol>
            </article>
          );
        })}
      </section>
    </div>
  );
}
