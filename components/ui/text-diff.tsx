// What changed between two texts, word by word (jsdiff): removed words struck through in red, added ones
// underlined in green, the rest as it was. Both texts are untrusted model or annotator text: they are rendered as
// React text (never HTML), with line breaks kept, so the diff is as inert and as faithful as the texts themselves.
import { diffWordsWithSpace } from "diff";
import { useMemo } from "react";

export function TextDiff({ before, after, className = "" }: { before: string; after: string; className?: string }) {
  const parts = useMemo(() => diffWordsWithSpace(before, after), [before, after]);
  const added = parts.filter((p) => p.added).reduce((n, p) => n + p.value.length, 0);
  const removed = parts.filter((p) => p.removed).reduce((n, p) => n + p.value.length, 0);
  return (
    <div className={className} data-testid="text-diff">
      <p className="mb-1 text-xs text-slate-500">
        {added || removed ? `${added} character${added === 1 ? "" : "s"} added, ${removed} removed` : "No changes to the original"}
      </p>
      <div className="whitespace-pre-wrap break-words font-mono text-xs leading-relaxed" dir="auto">
        {parts.map((p, i) =>
          p.added ? (
            <ins key={i} className="bg-emerald-100 text-emerald-900 no-underline decoration-emerald-600 [text-decoration-line:underline]">{p.value}</ins>
          ) : p.removed ? (
            <del key={i} className="bg-red-100 text-red-900">{p.value}</del>
          ) : (
            <span key={i}>{p.value}</span>
          ),
        )}
      </div>
    </div>
  );
}

export default TextDiff;
