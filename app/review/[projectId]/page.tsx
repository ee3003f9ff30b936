import Link from "next/link";
import { BrowseFilters } from "@/components/review/browse-filters";
import { BrowseTable } from "@/components/review/browse-table";
import { page } from "@/server/api/server";
import { zodFieldErrors } from "@/server/errors";
import { browseFiltersSchema, filtersFromQuery, filtersToQuery } from "@/server/schemas/review";

export const dynamic = "force-dynamic";

export default async function BrowsePage({ params, searchParams }: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { projectId } = await params;
  const query = await searchParams;
  const values = filtersFromQuery(query);
  const parsed = browseFiltersSchema.safeParse(values);
  const cursor = typeof query.cursor === "string" && query.cursor ? query.cursor : undefined;
  const base = `/review/${projectId}`;
  const here = `${base}?${filtersToQuery(values)}`;
  const [project, options, result] = await page(here, (api) =>
    Promise.all([
      api.review.project({ projectId }),
      api.review.browseOptions({ projectId }),
      parsed.success ? api.review.browse({ projectId, filters: parsed.data, cursor, limit: 50 }) : Promise.resolve(null),
    ]),
  );
  const shared = filtersToQuery(values);
  const download = (format: string) => `/api/projects/${projectId}/judgements?format=${format}${shared ? `&${shared}` : ""}`;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <div>
          <Link href="/review" className="text-sm text-indigo-700 hover:underline">← Review</Link>
          <h1 className="text-xl font-semibold">{project.name}: judgements</h1>
        </div>
        <span className="ml-auto" />
        <Link href={`${base}/queue`} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">Review queue</Link>
      </div>
      <BrowseFilters
        action={base}
        values={values}
        annotators={options.annotators}
        models={options.models}
        taskType={project.taskType}
        extra={
          <span className="ml-auto space-x-3 text-sm">
            <a href={download("csv")} className="text-indigo-700 hover:underline">Download CSV</a>
            <a href={download("jsonl")} className="text-indigo-700 hover:underline">Download JSONL</a>
          </span>
        }
      />
      {!parsed.success ? (
        <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          These filters cannot be read:{" "}
          {zodFieldErrors(parsed.error).map((e) => `${e.field}: ${e.message}`).join("; ")}. Correct them or clear the filters.
        </div>
      ) : (
        result && (
          <>
            <BrowseTable projectId={projectId} rows={result.rows} taskType={project.taskType} />
            <nav className="flex items-center gap-4 text-sm" aria-label="Pages">
              {cursor && <Link href={`${base}?${shared}`} className="text-indigo-700 hover:underline">First page</Link>}
              {result.nextCursor ? (
                <Link href={`${base}?${shared}${shared ? "&" : ""}cursor=${result.nextCursor}`} className="text-indigo-700 hover:underline" rel="next">
                  Next page →
                </Link>
              ) : (
                <span className="text-slate-500">{result.rows.length === 0 ? "No judgement matches these filters." : "Last page."}</span>
              )}
            </nav>
          </>
        )
      )}
    </div>
  );
}
