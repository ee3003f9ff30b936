import Link from "next/link";
import { Card } from "@/components/ui/card";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function ReviewIndex() {
  const projects = await page("/review", (api) => api.review.projects());
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Review</h1>
      {projects.length === 0 && <p className="text-slate-600">You review no project. An admin makes you a reviewer of a project on its page.</p>}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {projects.map((p) => (
          <Card key={p.id}>
            <div className="font-medium">{p.name}</div>
            <div className="text-sm text-slate-500">{p.taskType.toLowerCase()} · {p._count.annotations.toLocaleString()} judgements</div>
            <div className="mt-2 space-x-3 text-sm">
              <Link href={`/review/${p.id}`} className="text-indigo-700 hover:underline">Browse judgements</Link>
              <Link href={`/review/${p.id}/queue`} className="text-indigo-700 hover:underline">Review queue</Link>
            </div>
          </Card>
        ))}
      </div>
    </div>
  );
}
