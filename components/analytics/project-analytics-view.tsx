// The whole analytics page body for one project, from the result of `projectAnalytics` (props only; the page
// fetches). Every figure has its CSV download beside it.
import type { ReactNode } from "react";
import { AnnotationsPerHourChart } from "@/components/analytics/annotations-per-hour-chart";
import { AnnotatorTable } from "@/components/analytics/annotator-table";
import { CsvDownloadLink } from "@/components/analytics/csv-download-link";
import { decimal, hours, integer, percent } from "@/components/analytics/format";
import { LeaderboardTable } from "@/components/analytics/leaderboard-table";
import { Stat } from "@/components/analytics/stat";
import { WinRateMatrix } from "@/components/analytics/win-rate-matrix";
import { RewardModelPanel, type RewardModelFigures } from "@/components/runs/reward-model-panel";
import type { AnalyticsTable, ProjectAnalytics } from "@/server/schemas/analytics";

function Section({ id, title, tables, projectId, children, note }: {
  id: string;
  title: string;
  tables: AnalyticsTable[];
  projectId: string;
  children: ReactNode;
  note?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={id} className="font-medium">
          {title}
        </h2>
        <div className="ml-auto flex gap-2">
          {tables.map((t) => (
            <CsvDownloadLink key={t} projectId={projectId} table={t} label={tables.length > 1 ? `${t} CSV` : "CSV"} />
          ))}
        </div>
      </div>
      {children}
      {note && <p className="text-xs text-slate-500">{note}</p>}
    </section>
  );
}

export function ProjectAnalyticsView({ analytics, rewardModel }: { analytics: ProjectAnalytics; rewardModel?: RewardModelFigures }) {
  const { project, progress, agreement, leaderboard } = analytics;
  const done = progress.items.total - progress.items.archived > 0 ? progress.items.complete / (progress.items.total - progress.items.archived) : null;
  return (
    <div className="space-y-6">
      <Section id="progress-heading" title="Progress" tables={["progress", "hourly"]} projectId={project.id}>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          <Stat label="Items complete" value={percent(done)} detail={`${integer(progress.items.complete)} of ${integer(progress.items.total - progress.items.archived)}`} />
          <Stat label="Open items" value={integer(progress.items.open)} detail={`${integer(progress.items.gold)} gold · ${integer(progress.items.archived)} archived`} />
          <Stat label="Active leases" value={integer(progress.activeLeases)} />
          <Stat label="Annotations" value={integer(progress.annotations)} />
          <Stat label="Judgements left" value={integer(progress.remaining)} detail={`${decimal(progress.ratePerHour, 1)}/h over the last ${progress.paceWindowHours} h`} />
          <Stat
            label="ETA at this pace"
            value={progress.remaining === 0 ? "done" : hours(progress.etaHours)}
            detail={progress.etaAt && progress.remaining > 0 ? new Date(progress.etaAt).toLocaleString() : progress.remaining > 0 ? "no recent activity" : undefined}
          />
        </dl>
        <AnnotationsPerHourChart perHour={progress.perHour} />
      </Section>

      <Section
        id="agreement-heading"
        title="Agreement"
        tables={["agreement"]}
        projectId={project.id}
        note={
          agreement.unit === "item"
            ? "Each item is a unit; the value is the outcome: first candidate better, second better, or tie."
            : "Each pair of candidates within an item is a unit; the value is which of the two was ranked higher, or a tie."
        }
      >
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Krippendorff's α (nominal)" value={decimal(agreement.alpha, 3)} detail="1 = perfect, 0 = chance" />
          <Stat label="Raw pairwise agreement" value={percent(agreement.rawAgreement, 1)} detail={`${integer(agreement.pairs)} annotator pairs`} />
          <Stat label="Items judged twice or more" value={integer(agreement.items)} />
          <Stat label="Units" value={integer(agreement.units)} />
        </dl>
      </Section>

      <Section id="annotators-heading" title="Annotators" tables={["annotators"]} projectId={project.id}>
        <AnnotatorTable annotators={analytics.annotators} />
      </Section>

      <Section
        id="leaderboard-heading"
        title="Model leaderboard"
        tables={["leaderboard", "winrates"]}
        projectId={project.id}
        note={`Bradley-Terry ratings (400 points = 10:1 odds, mean 1000) from ${integer(leaderboard.comparisons)} comparisons; ties count half. Intervals: ${leaderboard.bootstrapRounds} bootstrap resamples.`}
      >
        <LeaderboardTable rows={leaderboard.rows} />
        <h3 className="pt-2 text-sm font-medium text-slate-700">Win rates</h3>
        <WinRateMatrix winRates={analytics.winRates} />
      </Section>

      {rewardModel && (
        <Section id="reward-model-heading" title="Reward model" tables={[]} projectId={project.id}>
          <RewardModelPanel projectId={project.id} projectName={project.name} figures={rewardModel} />
        </Section>
      )}
    </div>
  );
}
