"use client";
// The project's criteria, each rated per response on its own scale (5, 7 or 10 points, or binary; anchor labels
// shown). Every (criterion, response) cell is a radio group with one tab stop (roving tabindex, as ARIA radio
// groups work): ←/→ change the value, ↑/↓ go to the cell before/after, a digit picks that option in the order
// shown (0 is the tenth) and moves to the next cell, Esc hands the keys back to the item. C (keymap.ts) jumps to
// the first cell still unrated, so rating needs no Tab hunting.
import { forwardRef, useImperativeHandle, useRef, type KeyboardEvent } from "react";
import type { Draft, DraftChange } from "@/components/annotate/draft";
import { LABELS, type ItemView, type ProjectView } from "@/components/annotate/types";
import { scaleValues } from "@/server/schemas/judgement";

export interface RatingsGridHandle {
  /** focuses the first cell without a rating (or the first cell), returns false when there are no criteria */
  focusFirstUnrated(): boolean;
}

export const RatingsGrid = forwardRef<RatingsGridHandle, { item: ItemView; project: ProjectView; draft: Draft; onChange: (c: DraftChange) => void; onLeave: () => void }>(
  function RatingsGrid({ item, project, draft, onChange, onLeave }, ref) {
    const root = useRef<HTMLDivElement>(null);
    const cells = project.criteria.flatMap((cr) => item.candidates.map((c) => ({ criterion: cr.key, candidateId: c.id, values: scaleValues(cr.scale).map((v) => v.value) })));
    const valueOf = (cell: { criterion: string; candidateId: string }) => draft.ratings[cell.candidateId]?.[cell.criterion] ?? null;

    function focusCell(index: number, value?: number | null) {
      const i = Math.max(0, Math.min(cells.length - 1, index));
      const group = root.current?.querySelectorAll<HTMLElement>('[role="radiogroup"]')[i];
      const v = value ?? valueOf(cells[i]) ?? cells[i].values[0];
      group?.querySelector<HTMLElement>(`[data-value="${v}"]`)?.focus();
    }

    useImperativeHandle(ref, () => ({
      focusFirstUnrated() {
        if (!cells.length) return false;
        const i = cells.findIndex((c) => valueOf(c) === null);
        focusCell(i < 0 ? 0 : i);
        return true;
      },
    }));

    function onKeyDown(e: KeyboardEvent<HTMLElement>, index: number) {
      const cell = cells[index];
      const current = valueOf(cell);
      const set = (v: number) => onChange({ kind: "rate", candidateId: cell.candidateId, criterion: cell.criterion, value: v });
      const digit = /^(?:Digit|Numpad)([0-9])$/.exec(e.code);
      const { values } = cell;
      const first = values[0];
      const last = values[values.length - 1];
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        return onLeave();
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (digit) {
        // the n-th option shown; 0 is the tenth
        const v = values[(Number(digit[1]) || 10) - 1];
        e.preventDefault();
        e.stopPropagation();
        if (v === undefined) return;
        set(v);
        // at once, not after the next frame: a fast typist's next digit must land on the next cell
        if (index < cells.length - 1) focusCell(index + 1);
        return;
      }
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        e.stopPropagation();
        const v = Math.max(first, Math.min(last, (current ?? (e.key === "ArrowLeft" ? first + 1 : first - 1)) + (e.key === "ArrowLeft" ? -1 : 1)));
        set(v);
        focusCell(index, v);
        return;
      }
      if (e.key === "ArrowUp" || e.key === "ArrowDown") {
        e.preventDefault();
        e.stopPropagation();
        focusCell(index + (e.key === "ArrowUp" ? -1 : 1));
      }
    }

    return (
      <div ref={root} className="rounded-lg bg-white p-3 ring-1 ring-slate-200" data-testid="ratings">
        <div className="mb-2 text-sm font-medium text-slate-700">
          {item.candidates.length > 1 ? "Rate each response" : "Rate the response"} <span className="font-normal text-slate-500 pointer-coarse:hidden">— C to start, then a digit picks the point (0 = 10)</span>
        </div>
        <div className="space-y-2">
          {project.criteria.map((cr) => {
            const options = scaleValues(cr.scale);
            const ends = cr.scale.kind === "likert" && options[0].label && options[options.length - 1].label ? [options[0].label, options[options.length - 1].label] : null;
            return (
            <div key={cr.key} className="grid gap-2 md:grid-cols-[10rem_1fr]" data-testid={`criterion-${cr.key}`}>
              <div className="text-sm text-slate-700" title={cr.description}>
                {cr.label}
                {cr.description && <div className="text-xs text-slate-500">{cr.description}</div>}
                {ends && <div className="text-xs text-slate-500">1 = {ends[0]} · {options.length} = {ends[1]}</div>}
              </div>
              <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-[repeat(auto-fit,minmax(16rem,1fr))]">
                {item.candidates.map((c, ci) => {
                  const index = cells.findIndex((x) => x.criterion === cr.key && x.candidateId === c.id);
                  const value = valueOf(cells[index]);
                  const name = item.candidates.length > 1 ? `${cr.label} of response ${LABELS[ci]}` : cr.label;
                  return (
                    <div key={c.id} role="radiogroup" aria-label={name} className="flex items-center gap-1" onKeyDown={(e) => onKeyDown(e, index)}>
                      {item.candidates.length > 1 && <span className="w-5 text-xs font-semibold text-slate-500" aria-hidden>{LABELS[ci]}</span>}
                      {options.map(({ value: v, label }, oi) => {
                        const checked = value === v;
                        // one tab stop per group: the chosen value, else the first
                        const tabbable = checked || (value === null && oi === 0);
                        // binary options and fully labelled points show their words; the others their number
                        const text = cr.scale.kind === "binary" || (label && cr.scale.kind === "likert" && cr.scale.labels?.length === options.length) ? label : String(v);
                        return (
                          <button
                            key={v}
                            type="button"
                            role="radio"
                            aria-checked={checked}
                            aria-label={`${name}: ${label && text !== label ? `${v} (${label})` : text}`}
                            title={label ?? undefined}
                            data-value={v}
                            tabIndex={tabbable ? 0 : -1}
                            onClick={() => onChange({ kind: "rate", candidateId: c.id, criterion: cr.key, value: checked ? null : v })}
                            className={`h-7 min-w-7 flex-1 rounded text-xs ring-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 pointer-coarse:h-11 ${checked ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"}`}
                          >
                            {text}
                          </button>
                        );
                      })}
                    </div>
                  );
                })}
              </div>
            </div>
            );
          })}
        </div>
      </div>
    );
  },
);
