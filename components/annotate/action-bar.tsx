"use client";
// The decision controls, pinned to the bottom of the screen so they are always in view whatever the length of the
// responses: the pairwise scale (a radio group: 1–7, or ←/→ once it has focus) or the keys of the task, both-bad
// (comparisons only), flags, skip, submit.
import type { KeyboardEvent } from "react";
import { SCALE, sameChoice, type Draft, type DraftChange } from "@/components/annotate/draft";
import type { ProjectView } from "@/components/annotate/types";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

function Scale({ draft, allowTies, onChange }: { draft: Draft; allowTies: boolean; onChange: (c: DraftChange) => void }) {
  const positions = SCALE.map((s, i) => ({ ...s, key: i + 1 })).filter((s) => allowTies || s.choice.winner !== "tie");
  const current = positions.findIndex((s) => sameChoice(draft.choice, s.choice));
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    const next = Math.max(0, Math.min(positions.length - 1, (current < 0 ? Math.floor(positions.length / 2) : current) + (e.key === "ArrowLeft" ? -1 : 1)));
    onChange({ kind: "choose", choice: positions[next].choice });
    requestAnimationFrame(() => e.currentTarget?.querySelectorAll<HTMLElement>('[role="radio"]')[next]?.focus());
  }
  return (
    <div role="radiogroup" aria-label="Which response is better, and by how much" className="grid flex-1 grid-cols-7 gap-1 sm:flex sm:flex-none" onKeyDown={onKeyDown} data-testid="scale">
      {positions.map((s, i) => {
        const checked = i === current;
        return (
          <button
            key={s.label}
            type="button"
            role="radio"
            aria-checked={checked}
            aria-label={s.label}
            tabIndex={checked || (current < 0 && i === 0) ? 0 : -1}
            onClick={() => onChange({ kind: "choose", choice: s.choice })}
            className={`flex min-h-9 flex-col items-center justify-center rounded-md px-1.5 text-xs ring-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:px-2 pointer-coarse:min-h-11 ${checked ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"} ${s.choice.winner === "tie" ? "sm:mx-1" : ""}`}
          >
            <span className="hidden whitespace-nowrap lg:inline">{s.label}</span>
            <span className="font-semibold lg:hidden">{s.short}</span>
            <span className={`font-mono text-[10px] pointer-coarse:hidden ${checked ? "text-indigo-100" : "text-slate-400"}`}>{s.key}</span>
          </button>
        );
      })}
    </div>
  );
}

export function ActionBar(props: {
  project: ProjectView;
  draft: Draft;
  editing: boolean;
  saving: boolean;
  flagsOpen: boolean;
  formError: string | null;
  onChange: (c: DraftChange) => void;
  onSubmit: () => void;
  onFlags: () => void;
  onSkip: () => void;
  onCancelEdit: () => void;
}) {
  const { project, draft } = props;
  const type = project.taskType;
  const pairwise = type === "PAIRWISE";
  return (
    <div className="sticky bottom-0 z-20 -mx-4 border-t border-slate-200 bg-white/95 px-4 py-2 shadow-[0_-2px_8px_rgba(15,23,42,0.06)] backdrop-blur" data-testid="action-bar">
      {props.formError && <p role="alert" className="mb-1 text-sm text-red-700">{props.formError}</p>}
      <div className="flex flex-wrap items-center gap-2">
        {pairwise ? (
          <Scale draft={draft} allowTies={project.allowTies} onChange={props.onChange} />
        ) : type === "RATING" ? (
          <p className="text-xs text-slate-500 pointer-coarse:hidden">
            {project.thumbs && <><Kbd>A</Kbd> good · <Kbd>X</Kbd> bad</>}
            {project.thumbs && project.criteria.length > 0 && " · "}
            {project.criteria.length > 0 && <><Kbd>C</Kbd> rate the criteria</>}
          </p>
        ) : type === "DEMONSTRATION" ? (
          <p className="text-xs text-slate-500 pointer-coarse:hidden">
            <Kbd>W</Kbd> write · <Kbd>Ctrl+Enter</Kbd> submit from the editor
          </p>
        ) : (
          <p className="text-xs text-slate-500 pointer-coarse:hidden">
            <Kbd>↑</Kbd> <Kbd>↓</Kbd> select · <Kbd>Alt+↑</Kbd> <Kbd>Alt+↓</Kbd> move · <Kbd>1</Kbd>–<Kbd>{draft.order.length}</Kbd> put at rank{project.allowTies && <> · <Kbd>T</Kbd> tie</>}
          </p>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          {(pairwise || type === "RANKING") && (
            <Button variant="secondary" aria-pressed={draft.bothBad} onClick={() => props.onChange({ kind: "toggleBothBad" })} className={draft.bothBad ? "bg-red-50 text-red-800 ring-red-300" : ""}>
              {pairwise ? "Both bad" : "All bad"} <Kbd>X</Kbd>
            </Button>
          )}
          <Button variant="secondary" aria-expanded={props.flagsOpen} onClick={props.onFlags}>
            Flag{draft.flags.length ? ` (${draft.flags.length})` : ""} <Kbd>F</Kbd>
          </Button>
          {props.editing ? (
            <Button variant="ghost" onClick={props.onCancelEdit}>Cancel edit <Kbd>Esc</Kbd></Button>
          ) : (
            <Button variant="secondary" onClick={props.onSkip}>Skip <Kbd>S</Kbd></Button>
          )}
          <Button onClick={props.onSubmit} disabled={props.saving} data-testid="submit" className="min-w-28">
            {props.editing ? (props.saving ? "Saving…" : "Save edit") : "Submit"} <Kbd className="border-indigo-400 bg-indigo-500 text-indigo-50">Enter</Kbd>
          </Button>
        </div>
      </div>
    </div>
  );
}
