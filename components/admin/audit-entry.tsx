// One audit entry's before/after: the changed top-level fields side by side, and the full JSON on demand.
// Server-rendered; <details> needs no script.

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: Json): string {
  if (v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

// timestamps that change on every write say nothing about what the admin did
const NOISE = new Set(["updatedAt"]);

export function changedFields(before: Json, after: Json): { key: string; before: Json; after: Json }[] {
  if (!isRecord(before) || !isRecord(after)) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !NOISE.has(k));
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => ({ key: k, before: before[k], after: after[k] }));
}

export function AuditDiff({ before, after }: { before: Json; after: Json }) {
  const changes = changedFields(before, after);
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;
  return (
    <div className="space-y-1">
      {changes.length > 0 && (
        <table className="text-xs">
          <tbody>
            {changes.map((c) => (
              <tr key={c.key} className="align-top">
                <th scope="row" className="pr-2 text-left font-mono font-normal text-slate-500">{c.key}</th>
                <td className="max-w-xs truncate pr-2 font-mono text-red-700 line-through" title={show(c.before)}>{show(c.before)}</td>
                <td className="max-w-xs truncate font-mono text-emerald-700" title={show(c.after)}>{show(c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(hasBefore || hasAfter) && (
        <details className="text-xs">
          <summary className="cursor-pointer text-indigo-700">Full before / after</summary>
          <div className="mt-1 grid gap-2 md:grid-cols-2">
            <div>
              <div className="font-medium text-slate-500">Before</div>
              <pre className="max-h-64 overflow-auto rounded bg-slate-50 p-2">{hasBefore ? JSON.stringify(before, null, 2) : "—"}</pre>
            </div>
            <div>
              <div className="font-medium text-slate-500">After</div>
              <pre className="max-h-64 overflow-auto rounded bg-slate-50 p-2">{hasAfter ? JSON.stringify(after, null, 2) : "—"}</pre>
            </div>
          </div>
        </details>
      )}
    </div>
  );
}
