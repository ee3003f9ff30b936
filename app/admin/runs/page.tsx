import Link from "next/link";
import { RunsTable } from "@/components/runs/runs-table";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function RunsPage() {
  const runs = await page("/admin/runs", (api) => api.run.list({ limit: 100 }));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <div>
          <h1 className="text-xl font-semibold">Runs</h1>
          <p className="text-sm text-slate-600">Reward-model, PPO, GRPO, RLOO and DPO training, generation and scoring jobs on the trainer queue. Queued runs start in order as GPU (or CPU) slots free up.</p>
        </div>
        <Link href="/admin/runs/new" className="ml-auto rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          Launch run
        </Link>
      </div>
      <RunsTable initialRuns={runs} />
    </div>
  );
}
