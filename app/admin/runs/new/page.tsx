import Link from "next/link";
import { LaunchForm, type LaunchOptions } from "@/components/runs/launch-form";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

const kinds = ["REWARD", "SFT", "PPO", "GRPO", "RLOO", "DPO", "KTO", "GENERATE", "EVAL"] as const;

export default async function NewRunPage({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  const requested = (await searchParams).kind;
  const kind = kinds.find((k) => k === requested) ?? "REWARD";
  const [snapshots, models, projectList, endpoints] = await page("/admin/runs/new", (api) =>
    Promise.all([api.export.list({ limit: 200 }), api.model.list(), api.project.list({ includeArchived: false }), api.endpoint.list()]),
  );
  const options: LaunchOptions = {
    snapshots: snapshots
      .filter((s) => s.status === "SUCCEEDED")
      .map((s) => ({
        id: s.id,
        format: s.definition.format ?? "trl",
        label: `${s.name} v${s.version} · ${s.definition.format ?? "trl"} · ${(s.rowCounts.train ?? 0).toLocaleString("en-US")} train rows${s.rowCounts.test ? ` · ${s.rowCounts.test.toLocaleString("en-US")} test` : ""}`,
        hasTest: (s.rowCounts.test ?? 0) > 0,
      })),
    rewardModels: models
      .filter((m) => m.kind === "REWARD")
      // the active one first: it is what scores items, and the default judge
      .sort((a, b) => Number(b.active) - Number(a.active))
      .map((m) => ({ id: m.id, label: `${m.name}${m.active ? " (active)" : ""} · ${m.backend}` })),
    policies: models.filter((m) => m.kind === "POLICY").map((m) => ({ id: m.id, label: `${m.name} · ${m.backend}`, backend: m.backend })),
    projects: projectList.map((p) => ({ id: p.id, label: p.name })),
    endpoints: endpoints.map((e) => ({ id: e.id, label: `${e.name} · ${e.model}` })),
  };
  return (
    <div className="space-y-4">
      <div>
        <Link href="/admin/runs" className="text-sm text-indigo-700 hover:underline">← Runs</Link>
        <h1 className="text-xl font-semibold">Launch a run</h1>
      </div>
      <LaunchForm options={options} initialKind={kind} />
    </div>
  );
}
