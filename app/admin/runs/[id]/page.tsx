import Link from "next/link";
import { hasSamples } from "@/components/runs/run-status";
import { RunView, type RunFacts } from "@/components/runs/run-view";
import { orNull, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { run, metrics, samples, models, snapshot, project, endpoints } = await page(`/admin/runs/${id}`, async (api) => {
    const run = await api.run.get({ id });
    // a missing input (a deleted snapshot, say) shows as "(deleted)" instead of failing the page
    const [metrics, samples, models, snapshot, project, endpoints] = await Promise.all([
      api.run.metrics({ runId: id }),
      hasSamples(run.kind) ? api.run.samples({ runId: id }) : Promise.resolve([]),
      api.model.list(),
      run.snapshotId ? orNull(api.export.get({ id: run.snapshotId })) : null,
      run.projectId ? orNull(api.project.get({ id: run.projectId })) : null,
      typeof (run.config as Record<string, unknown>).endpoint_id === "string" ? api.endpoint.list() : [],
    ]);
    return { run, metrics, samples, models, snapshot, project, endpoints };
  });
  const config = run.config as Record<string, unknown>;
  // a chained run names a model its needed run has yet to register as run:<id>
  const modelInput = (label: string, modelId: string) =>
    modelId.startsWith("run:")
      ? { label, value: `the model of run "${run.needs.find((n) => n.id === modelId.slice(4))?.name ?? modelId.slice(4)}" (once it succeeds)`, href: `/admin/runs/${modelId.slice(4)}` }
      : { label, value: models.find((m) => m.id === modelId)?.name ?? "(deleted)", href: `/admin/models#model-${modelId}` };

  const inputs: RunFacts["inputs"] = [];
  if (run.snapshotId) {
    inputs.push({ label: "Snapshot", value: snapshot ? `${snapshot.name} v${snapshot.version}` : "(deleted)" });
  }
  if (run.modelId) {
    inputs.push(modelInput(run.kind === "GENERATE" || run.kind === "EVAL" ? "Policy" : "Reward model", run.modelId));
  }
  if (typeof config.compare_model_id === "string") inputs.push(modelInput("Second policy (arena)", config.compare_model_id));
  if (typeof config.reference_model_id === "string") inputs.push(modelInput("Reference policy", config.reference_model_id));
  if (typeof config.reward_model_id === "string") inputs.push(modelInput("Judged by", config.reward_model_id));
  if (typeof config.policy_model_id === "string") {
    inputs.push(modelInput("Starting policy", config.policy_model_id));
  } else if (typeof config.policy_path === "string" && run.kind !== "GENERATE" && run.kind !== "EVAL") {
    inputs.push({ label: "Starting policy", value: config.policy_path });
  } else if (run.kind === "SFT") {
    inputs.push({ label: "Base model", value: typeof config.model_path === "string" ? config.model_path : "a new tiny model" });
  }
  if (typeof config.endpoint_id === "string") {
    const endpoint = endpoints.find((e) => e.id === config.endpoint_id);
    inputs.push({ label: "Endpoint", value: endpoint ? `${endpoint.name} · ${endpoint.model}` : "(deleted)", href: "/admin/endpoints" });
  }
  if (run.projectId) {
    inputs.push({ label: "Project", value: project?.name ?? "(deleted)", href: `/admin/projects/${run.projectId}` });
  }
  for (const need of run.needs) inputs.push({ label: "Waits for", value: `${need.name} (${need.status.toLowerCase()})`, href: `/admin/runs/${need.id}` });
  if (run.kind === "EVAL" && run.status === "SUCCEEDED") inputs.push({ label: "Results", value: "compared with other evaluations", href: "/admin/models#evaluations" });
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
