"use client";

import { SortableTable, type Column } from "@/components/analytics/sortable-table";
import { duration, integer, percent } from "@/components/analytics/format";
import type { AnnotatorFigures } from "@/server/schemas/analytics";

/** Position bias worth a second look: the first-shown candidate wins 15+ points more (or less) than chance. */
function positionCell(row: AnnotatorFigures) {
  const text = percent(row.firstPositionShare);
  if (row.firstPositionShare === null || row.firstPositionExpected === null) return text;
  const skew = row.firstPositionShare - row.firstPositionExpected;
  const notable = row.positionJudgements >= 20 && Math.abs(skew) >= 0.15;
  return (
    <span className={notable ? "font-medium text-amber-700" : undefined} title={`chance: ${percent(row.firstPositionExpected)} of ${integer(row.positionJudgements)} judgements`}>
      {text}
      {notable && <span className="sr-only"> (far from chance, {percent(row.firstPositionExpected)})</span>}
    </span>
  );
}

const columns: Column<AnnotatorFigures>[] = [
  {
    key: "name",
    header: "Annotator",
    sortValue: (r) => r.name || r.email,
    firstDirection: "ascending",
    cell: (r) => (
      <span>
        <span className="font-medium text-slate-900">{r.name || r.email}</span>
        {r.name && <span className="block text-xs text-slate-500">{r.email}</span>}
      </span>
    ),
  },
  { key: "annotations", header: "Judgements", align: "right", sortValue: (r) => r.annotations, cell: (r) => integer(r.annotations) },
  {
    key: "median",
    header: "Median time",
    align: "right",
    title: "Median time per item, from render to submit",
    sortValue: (r) => r.medianTimeMs,
    cell: (r) => duration(r.medianTimeMs),
  },
  {
    key: "skips",
    header: "Skip rate",
    align: "right",
    title: "Skips / (skips + judgements)",
    sortValue: (r) => r.skipRate,
    cell: (r) => <span title={`${integer(r.skips)} skipped`}>{percent(r.skipRate)}</span>,
  },
  {
    key: "gold",
    header: "Gold accuracy",
    align: "right",
    sortValue: (r) => r.goldAccuracy,
    cell: (r) => <span title={`${integer(r.goldAnswered)} gold items`}>{percent(r.goldAccuracy)}</span>,
  },
  {
    key: "majority",
    header: "Agrees with majority",
    align: "right",
    title: "Share of units where this annotator matched the majority of the other annotators (units without a clear majority left out)",
    sortValue: (r) => r.majorityAgreement,
    cell: (r) => <span title={`${integer(r.majorityUnits)} units`}>{percent(r.majorityAgreement)}</span>,
  },
  {
    key: "position",
    header: "Picks first shown",
    align: "right",
    title: "Share of judgements where the best candidate was the one shown first (left); chance is 50% for pairs, 1/K for K candidates",
    sortValue: (r) => r.firstPositionShare,
    cell: positionCell,
  },
  { key: "flags", header: "Flags", align: "right", sortValue: (r) => r.flagsRaised, cell: (r) => integer(r.flagsRaised) },
];

export function AnnotatorTable({ annotators }: { annotators: AnnotatorFigures[] }) {
  return (
    <SortableTable
      rows={annotators}
      columns={columns}
      rowKey={(r) => r.userId}
      caption="Per-annotator quality"
      initialSort={{ key: "annotations", direction: "descending" }}
      emptyText="Nobody has judged or skipped an item yet."
    />
  );
}
