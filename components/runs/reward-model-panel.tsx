// The active reward model on a project's analytics page: how often it agrees with the annotators' judgements,
// and the button that scores the project's items with it (for active learning and as a sanity check).
import Link from "next/link";
import { ScoreItemsButton } from "@/components/runs/score-items-button";

export interface RewardModelFigures {
  /** the active reward model, or null when none is marked active */
  model: { id: string; name: string } | null;
  /** human comparisons on items this model has scored (ties excluded) */
  comparisons: number;
  /** share of those where the model scores the chosen candidate higher */
  agreement: number | null;
}

export function RewardModelPanel({ projectId, projectName, figures }: { projectId: string; projectName: string; figures: RewardModelFigures }) {
  if (!figures.model) {
    return (
      <p className="text-sm text-slate-600">
        No active reward model. Mark one active in the <Link href="/admin/models" className="text-indigo-700 hover:underline">model registry</Link> to
        score this project&apos;s items and compare it with the annotators.
      </p>
    );
  }
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        <div className="rounded-md bg-slate-50 px-3 py-2">
          <dt className="text-xs text-slate-500">Active reward model</dt>
          <dd className="text-lg font-semibold text-slate-900">{figures.model.name}</dd>
        </div>
        <div className="rounded-md bg-slate-50 px-3 py-2">
          <dt className="text-xs text-slate-500">Agreement with human judgements</dt>
          <dd data-testid="rm-agreement" className="text-lg font-semibold text-slate-900 tabular-nums">
            {figures.agreement === null ? "–" : `${(figures.agreement * 100).toFixed(1)}%`}
          </dd>
          <dd className="text-xs text-slate-500">
            {figures.comparisons === 0 ? "no judged pairs on scored items yet" : `over ${figures.comparisons.toLocaleString("en-US")} judged pairs (ties left out)`}
          </dd>
        </div>
      </dl>
      <ScoreItemsButton projectId={projectId} projectName={projectName} />
    </div>
  );
}
