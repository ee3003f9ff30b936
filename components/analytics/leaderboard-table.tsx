"use client";

// The model leaderboard: Bradley-Terry ratings with their 95% bootstrap intervals drawn as bars on a common
// scale, so overlapping intervals (models not reliably different) are visible at a glance.
import { SortableTable, type Column } from "@/components/analytics/sortable-table";
import { integer } from "@/components/analytics/format";
import type { LeaderboardRow } from "@/server/schemas/analytics";

function IntervalBar({ row, min, max }: { row: LeaderboardRow; min: number; max: number }) {
  const span = max - min || 1;
  const at = (x: number) => `${((x - min) / span) * 100}%`;
  const low = row.ciLow ?? row.rating;
  const high = row.ciHigh ?? row.rating;
  const label =
    row.ciLow === null || row.ciHigh === null
      ? `rating ${row.rating.toFixed(0)}`
      : `rating ${row.rating.toFixed(0)}, 95% interval ${row.ciLow.toFixed(0)} to ${row.ciHigh.toFixed(0)}`;
  return (
    <div className="relative h-4 w-48" role="img" aria-label={label} title={label}>
      <div className="absolute top-1/2 h-px w-full bg-slate-200" />
      <div className="absolute top-1/2 h-1.5 -translate-y-1/2 rounded bg-indigo-200" style={{ left: at(low), width: `calc(${at(high)} - ${at(low)})` }} />
      <div className="absolute top-0 h-4 w-0.5 -translate-x-1/2 bg-indigo-700" style={{ left: at(row.rating) }} />
    </div>
  );
}

export function LeaderboardTable({ rows }: { rows: LeaderboardRow[] }) {
  const ends = rows.flatMap((r) => [r.ciLow ?? r.rating, r.ciHigh ?? r.rating]);
  const min = Math.min(...ends);
  const max = Math.max(...ends);
  const rank = new Map(rows.map((r, k) => [r.model, k + 1]));
  const columns: Column<LeaderboardRow>[] = [
    { key: "rank", header: "Rank", align: "right", sortValue: (r) => rank.get(r.model), firstDirection: "ascending", cell: (r) => rank.get(r.model) },
    { key: "model", header: "Model", sortValue: (r) => r.model, firstDirection: "ascending", cell: (r) => <span className="font-medium text-slate-900">{r.model}</span> },
    { key: "rating", header: "Rating", align: "right", sortValue: (r) => r.rating, cell: (r) => r.rating.toFixed(0) },
    {
      key: "ci",
      header: "95% interval",
      align: "right",
      title: "Bootstrap percentile interval of the rating",
      sortValue: (r) => (r.ciHigh === null || r.ciLow === null ? null : r.ciHigh - r.ciLow),
      cell: (r) => (r.ciLow === null || r.ciHigh === null ? "–" : `${(r.ciLow - r.rating).toFixed(0)} / +${(r.ciHigh - r.rating).toFixed(0)}`),
    },
    { key: "bar", header: <span className="sr-only">Interval chart</span>, cell: (r) => <IntervalBar row={r} min={min} max={max} /> },
    { key: "comparisons", header: "Comparisons", align: "right", sortValue: (r) => r.comparisons, cell: (r) => integer(r.comparisons) },
    {
      key: "record",
      header: "W / T / L",
      align: "right",
      title: "Wins, ties and losses against other models",
      sortValue: (r) => (r.comparisons ? (r.wins + r.ties / 2) / r.comparisons : null),
      cell: (r) => `${integer(r.wins)} / ${integer(r.ties)} / ${integer(r.losses)}`,
    },
  ];
  if (rows.some((r) => r.bothBad !== undefined)) {
    columns.push({
      key: "bothBad",
      header: "Both bad",
      align: "right",
      title: "Judgements marked both bad (every response bad) that had one of this model's responses",
      sortValue: (r) => r.bothBad ?? 0,
      cell: (r) => integer(r.bothBad ?? 0),
    });
  }
  return (
    <SortableTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.model}
      caption="Model leaderboard: Bradley-Terry ratings"
      initialSort={{ key: "rank", direction: "ascending" }}
      emptyText="No comparisons between different models yet."
    />
  );
}
