import type { AnalyticsTable } from "@/server/schemas/analytics";

/** Downloads one analytics table as CSV (route: app/api/projects/[projectId]/analytics.csv). */
export function CsvDownloadLink({ projectId, table, label = "CSV" }: { projectId: string; table: AnalyticsTable; label?: string }) {
  return (
    <a
      href={`/api/projects/${encodeURIComponent(projectId)}/analytics.csv?table=${table}`}
      download
      className="rounded-md px-2 py-1 text-xs font-medium text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      {label}
      <span className="sr-only"> download of the {table} table</span>
    </a>
  );
}
