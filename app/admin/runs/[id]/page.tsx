import Link from "next/link";
import { notFound } from "next/navigation";
import { RunView, type RunFacts } from "@/components/runs/run-view";
import { requireAdmin } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { getSnapshot } from "@/server/services/export";
import { listEndpoints } from "@/server/services/generation";
import { listModels } from "@/server/services/models";
import * as projects from "@/server/services/projects";
import { getRun, listRunMetrics, listRunSamples } from "@/server/services/runs/admin";

export const dynamic = "force-dynamic";

function orNotFound(err: unknown): never {
  if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
  throw err;
}

/** A missing input (a deleted snapshot, say) shows as "deleted" instead of failing the page. */
async function labelOf<T>(load: () => Promise<T>, label: (v: T) => string): Promise<string> {
  try {
    return label(await load());
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return "(deleted)";
    throw err;
  }
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/runs/${id}`);
  const run = await getRun({ id }).catch(orNotFound);
  const config = run.config as Record<string, unknown>;
  const [metrics, samples, models] = await Promise.all([
    listRunMetrics({ runId: id }),
    run.kind === "PPO" ? listRunSamples({ runId: id }) : Promise.resolve([]),
    listModels(),
  ]);
  const modelName = (modelId: string) => models.find((m) => m.id === modelId)?.name ?? "(deleted)";

  const inputs: RunFacts["inputs"] = [];
  if (run.snapshotId) {
    inputs.push({ label: "Snapshot", value: await labelOf(() => getSnapshot({ id: run.snapshotId as string }), (s) => `${s.name} v${s.version}`) });
  }
  if (run.modelId) {
    inputs.push({ label: run.kind === "GENERATE" ? "Policy" : "Reward model", value: modelName(run.modelId), href: `/admin/models#model-${run.modelId}` });
  }
  if (typeof config.policy_model_id === "string") {
    inputs.push({ label: "Starting policy", value: modelName(config.policy_model_id), href: `/admin/models#model-${config.policy_model_id}` });
  } else if (run.kind === "PPO" && typeof config.policy_path === "string") {
    inputs.push({ label: "Starting policy", value: config.policy_path });
  }
  if (typeof config.endpoint_id === "string") {
    const endpoint = (await listEndpoints()).find((e) => e.id === config.endpoint_id);
    inputs.push({ label: "Endpoint", value: endpoint ? `${endpoint.name} · ${endpoint.model}` : "(deleted)", href: "/admin/endpoints" });
  }
  if (run.projectId) {
    inputs.push({ label: "Project", value: await labelOf(() => projects.get(run.projectId as string), (p) => p.name), href: `/admin/projects/${run.projectId}` });
  }
  const facts: RunFacts = {
    inputs,
    models: models.filter((m) => m.runId === id).map((m) => ({ id: m.id, name: m.name, kind: m.kind })),
  };
  return (
    <div className="space-y-4">
      <Link href="/admin/runs" className="text-sm text-indigo-700 hover:underline">← Runs</Link>
      <RunView initialRun={run} initialMetrics={metrics} initialSamples={samples} facts={facts} />
    </div>
  );
}
