"use client";
// Writing a demonstration: the ideal assistant response to the conversation above, in a markdown editor with a live
// preview rendered exactly as the page renders model text (ModelText), a length counter, and — when the item
// carries a model response — edit-to-improve: the editor starts from that response, "Reset" brings it back, and D
// shows the changes word by word. The text is part of the draft, so it is autosaved like every draft (a reload or a
// lost network keeps it) and sent through the outbox like every judgement.
import dynamic from "next/dynamic";
import { forwardRef, useDeferredValue } from "react";
import { demonstrationText, type Draft, type DraftChange } from "@/components/annotate/draft";
import { ModelText } from "@/components/annotate/model-text";
import type { ItemView } from "@/components/annotate/types";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { MAX_DEMONSTRATION } from "@/server/schemas/judgement";

const TextDiff = dynamic(() => import("@/components/ui/text-diff"));

const words = (text: string) => (text.match(/\S+/g) ?? []).length;

export const DemonstrationView = forwardRef<HTMLTextAreaElement, { item: ItemView; draft: Draft; showDiff: boolean; onToggleDiff: () => void; onChange: (c: DraftChange) => void }>(
  function DemonstrationView({ item, draft, showDiff, onToggleDiff, onChange }, ref) {
    const original = item.candidates[0] ?? null;
    const text = demonstrationText(draft, item);
    // the preview may lag a keystroke behind on a long text; the editor never does
    const preview = useDeferredValue(text);
    const changed = original !== null && text !== original.text;
    return (
      <section aria-label={original ? "Improve the response" : "Write the response"} className="rounded-lg border border-slate-200 bg-white p-3" data-testid="demonstration">
        <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
          <h2 className="font-semibold text-slate-800">{original ? "Improve this response" : "Write the ideal response"}</h2>
          {original?.model && <span className="rounded bg-slate-100 px-1 text-xs text-slate-500">from {original.model}</span>}
          <span className="ml-auto text-xs text-slate-500" data-testid="demonstration-length" aria-live="polite">
            {text.length.toLocaleString("en")} / {MAX_DEMONSTRATION.toLocaleString("en")} characters · {words(text).toLocaleString("en")} words
          </span>
        </div>
        <div className="grid gap-3 lg:grid-cols-2">
          <label className="block min-w-0">
            <span className="mb-1 flex items-center gap-2 text-xs text-slate-600">
              Markdown <Kbd>W</Kbd> <span className="pointer-coarse:hidden">· Esc leaves · Ctrl+Enter submits</span>
            </span>
            <textarea
              ref={ref}
              value={text}
              maxLength={MAX_DEMONSTRATION}
              onChange={(e) => onChange({ kind: "demonstration", text: e.target.value })}
              rows={14}
              spellCheck
              className="min-h-64 w-full resize-y rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm leading-relaxed"
              placeholder="Write the response the assistant should give. Markdown works: **bold**, lists, ```code```."
              data-testid="demonstration-editor"
            />
          </label>
          <div className="min-w-0">
            <div className="mb-1 text-xs text-slate-600">Preview — as annotators and reviewers will see it</div>
            <div className="max-h-[28rem] min-h-64 overflow-y-auto rounded-md border border-dashed border-slate-300 p-3" data-testid="demonstration-preview" tabIndex={0} aria-label="Preview (scrolls)">
              {preview.trim() ? <ModelText text={preview} /> : <p className="text-sm text-slate-400">Nothing written yet.</p>}
            </div>
          </div>
        </div>
        {original && (
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <Button variant="secondary" aria-pressed={showDiff} onClick={onToggleDiff}>
              {showDiff ? "Hide changes" : "Show changes"} <Kbd>D</Kbd>
            </Button>
            <Button variant="ghost" disabled={!changed} onClick={() => onChange({ kind: "demonstration", text: original.text })}>
              Reset to the original
            </Button>
          </div>
        )}
        {original && showDiff && <TextDiff before={original.text} after={text} className="mt-2 rounded-md bg-slate-50 p-2" />}
      </section>
    );
  },
);
