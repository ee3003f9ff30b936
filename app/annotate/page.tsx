import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { page } from "@/server/api/server";
import { requireUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function AnnotateIndex() {
  const user = await requireUser("/annotate");
  const [projects, reviewing] = await page("/annotate", (api) => Promise.all([api.annotation.projects(), user.role === "ADMIN" ? Promise.resolve([]) : api.review.projects()]));
  if (projects.length === 1 && reviewing.length === 0 && user.role !== "ADMIN") redirect(`/annotate/${projects[0].slug}`);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Your projects</h1>
      {projects.length === 0 && <p className="text-slate-600">You are not a member of any project yet. Ask an admin to add you.</p>}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {projects.map((p) => (
          <Link key={p.id} href={`/annotate/${p.slug}`}>
            <Card className="hover:ring-2 hover:ring-indigo-300">
              <div className="font-medium">{p.name}</div>
              <div className="text-sm text-slate-500">{p.taskType === "PAIRWISE" ? "Pairwise" : "Ranking"} · {p.openItems} open items</div>
            </Card>
          </Link>
        ))}
      </div>
      {reviewing.length > 0 && (
        <p className="text-sm text-slate-600">
          You also review {reviewing.map((p) => p.name).join(", ")}: <Link href="/review" className="text-indigo-700 hover:underline">open the review pages</Link>.
        </p>
      )}
    </div>
  );
}
