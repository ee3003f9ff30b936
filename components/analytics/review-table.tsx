"use client";
// Review statistics per annotator: reviewed judgements, how the latest review of each came out, and the common
// rejection reasons; the annotator's name opens their judgements in the data browser.
import { SortableTable, type Column } from "@/components/analytics/sortable-table";
import type { RouterOutputs } from "@/server/api/root";

type Row = RouterOutputs["analytics"]["reviews"][number];

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);

export function ReviewTable({ projectId, rows }: { projectId: string; rows: Row[] }) {
  const columns: Column<Row>[] = [
    { key: "name", header: "Annotator", sortValue: (r) => r.name, cell: (r) => <a href={`/review/${projectId}?annotator=${r.userId}`} className="text-indigo-700 hover:underline">{r.name}</a> },
    { key: "reviewed", header: "Reviewed", align: "right", firstDirection: "descending", sortValue: (r) => r.reviewed, cell: (r) => r.reviewed },
    { key: "accepted", header: "Accepted", align: "right", firstDirection: "descending", sortValue: (r) => r.accepted, cell: (r) => r.accepted },
    { key: "corrected", header: "Corrected", align: "right", firstDirection: "descending", sortValue: (r) => r.corrected, cell: (r) => r.corrected },
    { key: "rejected", header: "Rejected", align: "right", firstDirection: "descending", sortValue: (r) => r.rejected, cell: (r) => r.rejected },
    { key: "rate", header: "Acceptance", align: "right", sortValue: (r) => r.acceptanceRate, cell: (r) => pct(r.acceptanceRate), title: "accepted ÷ reviewed (latest review of each judgement)" },
    { key: "reasons", header: "Common rejection reasons", cell: (r) => r.topReasons.map((x) => `${x.reason} (${x.n})`).join("; ") || "—" },
  ];
  return (
    <section className="space-y-2">
      <h2 className="text-base font-semibold">Review</h2>
      <SortableTable rows={rows} columns={columns} rowKey={(r) => r.userId} caption="Review statistics per annotator" emptyText="No judgement of this project has been reviewed yet." initialSort={{ key: "rate", direction: "ascending" }} />
    </section>
  );
}
