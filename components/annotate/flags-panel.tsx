"use client";
// Flags for problems a judge should report whatever the preference: letters toggle them while the panel is open
// (U, W, O, P, N — nothing else uses them), digits keep choosing on the scale.
import { useEffect, useRef } from "react";
import type { Draft, DraftChange } from "@/components/annotate/draft";
import { FLAG_KEYS } from "@/components/annotate/keymap";
import { Kbd } from "@/components/ui/kbd";
import { FLAG_LABELS, FLAGS, MAX_FLAG_NOTE } from "@/server/schemas/judgement";

export function FlagsPanel({ draft, onChange, noteRef }: { draft: Draft; onChange: (c: DraftChange) => void; noteRef: React.RefObject<HTMLInputElement | null> }) {
  // flagging "Other" asks what the problem is: the note field takes the keys as soon as it appears
  const other = draft.flags.includes("other");
  const hadOther = useRef(other);
  useEffect(() => {
    if (other && !hadOther.current) noteRef.current?.focus();
    hadOther.current = other;
  }, [other, noteRef]);
  return (
    <fieldset className="rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label="Flags" data-testid="flags-panel">
      <legend className="px-1 font-medium">Flag problems <span className="font-normal text-slate-500 pointer-coarse:hidden">(letter keys; F closes)</span></legend>
      <div className="flex flex-wrap gap-x-4 gap-y-2">
        {FLAGS.map((f) => (
          <label key={f} className="flex items-center gap-1.5 pointer-coarse:min-h-11">
            <input type="checkbox" checked={draft.flags.includes(f)} onChange={() => onChange({ kind: "toggleFlag", flag: f })} />
            <Kbd>{FLAG_KEYS[f].toUpperCase()}</Kbd> {FLAG_LABELS[f]}
          </label>
        ))}
      </div>
      {draft.flags.includes("other") && (
        <input
          ref={noteRef}
          aria-label="What is the problem?"
          className="mt-2 w-full rounded border border-slate-300 bg-white px-2 py-1"
          placeholder="What is the problem? (Esc leaves the field)"
          value={draft.flagNote}
          maxLength={MAX_FLAG_NOTE}
          onChange={(e) => onChange({ kind: "flagNote", text: e.target.value })}
        />
      )}
    </fieldset>
  );
}
