import Link from "next/link";
import { JudgementsPerDayChart } from "@/components/account/judgements-per-day-chart";
import { Card } from "@/components/ui/card";
import { page } from "@/server/api/server";
import { requireUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

function Figure({ label, value, testId, hint }: { label: string; value: string; testId: string; hint?: string }) {
  return (
    <div className="min-w-24">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums" data-testid={testId}>{value}</dd>
      {hint && <dd className="text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

/** An annotator's own work, per project: counts, pace, caps, the last 30 days, and gold accuracy where shown. */
export default async function StatisticsPage() {
  await requireUser("/account/statistics");
  const projects = await page("/account/statistics", (api) => api.account.statistics());
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div className="flex items-baseline gap-3">
        <h1 className="text-xl font-semibold">Your statistics</h1>
        <Link href="/account" className="text-sm text-indigo-700 hover:underline">Your account</Link>
      </div>
      <p className="text-sm text-slate-600">Your own judgements in each of your projects. Days are UTC days (midnight UTC is when daily caps reset).</p>
      {projects.length === 0 && <p className="text-slate-600">No projects yet: once an admin adds you to one, your work shows here.</p>}
      {projects.map((p) => (
        <Card key={p.projectId}>
          <section aria-labelledby={`stats-${p.projectId}`} data-testid="project-statistics" data-slug={p.slug} className="space-y-3">
            <div className="flex items-baseline gap-3">
              <h2 id={`stats-${p.projectId}`} className="font-medium">{p.name}</h2>
              {p.archived ? <span className="rounded bg-slate-200 px-2 py-0.5 text-xs text-slate-600">archived</span> : <Link href={`/annotate/${p.slug}`} className="text-sm text-indigo-700 hover:underline">Annotate</Link>}
            </div>
            <dl className="flex flex-wrap gap-6">
              <Figure label="Today" value={String(p.today)} testId="stat-today" hint={p.dailyCap ? `of ${p.dailyCap} a day` : undefined} />
              <Figure label="Last 7 days" value={String(p.last7Days)} testId="stat-week" />
              <Figure label="In all" value={String(p.total)} testId="stat-total" hint={p.totalCap ? `of ${p.totalCap} in all` : undefined} />
              <Figure label="Median time" value={p.medianSeconds === null ? "—" : `${p.medianSeconds} s`} testId="stat-median" hint="per judgement" />
              {p.gold && <Figure label="Gold accuracy" value={`${Math.round(p.gold.accuracy * 100)}%`} testId="stat-gold" hint={`${p.gold.correct} of ${p.gold.answered} gold items`} />}
            </dl>
            <JudgementsPerDayChart perDay={p.perDay} />
          </section>
        </Card>
      ))}
    </div>
  );
}
