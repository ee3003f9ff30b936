import Link from "next/link";
import { AuditDiff } from "@/components/admin/audit-entry";
import { formatDate, inputClass } from "@/components/admin/form";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

const PAGE_SIZE = 50;
// the target types this product records; the filter also accepts any other typed value
const KNOWN_TYPES = ["project", "user", "invite", "token", "snapshot", "run", "model", "endpoint"];

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ cursor?: string; type?: string }> }) {
  const params = await searchParams;
  const cursor = params.cursor && /^\d+$/.test(params.cursor) ? params.cursor : undefined;
  const targetType = params.type?.trim().slice(0, 40) || undefined;
  const entries = await page("/admin/audit", (api) => api.audit.list({ cursor, limit: PAGE_SIZE, targetType }));
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...(targetType ? { type: targetType } : {}), ...extra }).toString();
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Audit log</h1>
      <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
        <label className="text-sm">
          <span className="font-medium text-slate-700">Target type</span>
          <input name="type" list="audit-types" defaultValue={targetType ?? ""} placeholder="all" className={`${inputClass} w-48`} />
          <datalist id="audit-types">
            {KNOWN_TYPES.map((t) => <option key={t} value={t} />)}
          </datalist>
        </label>
        <button type="submit" className="rounded-md bg-white px-3 py-1.5 text-sm ring-1 ring-slate-300 hover:bg-slate-50">Filter</button>
        {(targetType || cursor) && <Link href="/admin/audit" className="text-sm text-indigo-700 hover:underline">Newest, all types</Link>}
      </form>
      {entries.rows.length === 0 ? (
        <p className="text-slate-600">No entries{targetType ? ` for “${targetType}”` : ""}.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">When</th>
                <th scope="col" className="px-3 py-2">Who</th>
                <th scope="col" className="px-3 py-2">Action</th>
                <th scope="col" className="px-3 py-2">Target</th>
                <th scope="col" className="px-3 py-2">Change</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {entries.rows.map((r) => (
                <tr key={r.id}>
                  <td className="px-3 py-2 whitespace-nowrap" title={r.createdAt.toISOString()}>{formatDate(r.createdAt)}</td>
                  <td className="px-3 py-2">{r.actor ? <span title={r.actor.email}>{r.actor.name}</span> : <span className="text-slate-400">system</span>}</td>
                  <td className="px-3 py-2 font-mono text-xs">{r.action}</td>
                  <td className="px-3 py-2 text-xs">
                    <span className="text-slate-500">{r.targetType}</span>
                    {r.targetId && <div className="font-mono text-slate-400">{r.targetId}</div>}
                  </td>
                  <td className="px-3 py-2"><AuditDiff before={r.before} after={r.after} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.nextCursor !== null && (
        <Link href={`/admin/audit?${query({ cursor: entries.nextCursor })}`} className="inline-block text-sm text-indigo-700 hover:underline">
          Older entries →
        </Link>
      )}
    </div>
  );
}
