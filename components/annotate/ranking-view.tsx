"use client";
// K-way ranking, best first. Keys act on the selected response (outlined): ↑/↓ select, Alt+↑/↓ move, 1–9 put it at
// that rank, T ties it with the one above (keymap.ts). With a mouse: drag a card by its handle (dnd-kit) or click
// ▲/▼; on a phone the ▲/▼ buttons are finger-sized. Loaded only by ranking projects (annotate-page.tsx).
import { closestCenter, DndContext, PointerSensor, TouchSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { rankingGroups, type Draft, type DraftChange } from "@/components/annotate/draft";
import type { MdTree } from "@/components/annotate/markdown-tree";
import { ModelText } from "@/components/annotate/model-text";
import { LABELS, type Candidate, type ItemView } from "@/components/annotate/types";

function Row(props: {
  candidate: Candidate;
  label: string;
  index: number;
  count: number;
  rank: number;
  tied: boolean;
  selected: boolean;
  allowTies: boolean;
  onSelect: () => void;
  onChange: (c: DraftChange) => void;
  tree?: MdTree;
}) {
  const { candidate: c, index } = props;
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: c.id });
  const move = (to: number) => props.onChange({ kind: "moveTo", candidateId: c.id, index: to });
  const step = "rounded px-2 text-slate-500 hover:bg-slate-100 hover:text-slate-900 disabled:opacity-30 pointer-coarse:min-h-11 pointer-coarse:min-w-11";
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      onClick={props.onSelect}
      data-testid="ranking-row"
      data-candidate-id={c.id}
      data-selected={props.selected || undefined}
      aria-label={`Rank ${props.rank}: response ${props.label}${props.tied ? ", tied with the one above" : ""}`}
      aria-current={props.selected || undefined}
      className={`flex gap-3 rounded-lg border bg-white p-3 ${isDragging ? "z-10 shadow-lg ring-2 ring-indigo-300" : ""} ${props.selected ? "border-indigo-500 ring-2 ring-indigo-300" : "border-slate-200"} ${props.tied ? "ml-6 border-l-4 border-l-amber-400" : ""}`}
    >
      <div className="flex flex-col items-center gap-1">
        <span className="rounded bg-indigo-600 px-2 py-0.5 text-sm font-semibold text-white" aria-hidden>{props.rank}</span>
        <button type="button" {...attributes} {...listeners} tabIndex={-1} aria-label={`Drag response ${props.label}`} className="cursor-grab touch-none px-1 text-slate-400 hover:text-slate-700 pointer-coarse:min-h-11">⋮⋮</button>
        <button type="button" tabIndex={-1} aria-label={`Move response ${props.label} up`} disabled={index === 0} onClick={() => move(index - 1)} className={step}>▲</button>
        <button type="button" tabIndex={-1} aria-label={`Move response ${props.label} down`} disabled={index === props.count - 1} onClick={() => move(index + 1)} className={step}>▼</button>
      </div>
      <div className="min-w-0 flex-1">
        <div className="mb-1 flex items-center gap-2 text-xs text-slate-500">
          <span className="font-semibold text-slate-700">Response {props.label}</span>
          {props.candidate.model && <span className="rounded bg-slate-100 px-1">{props.candidate.model}</span>}
          {props.allowTies && index > 0 && (
            <label className="ml-auto flex items-center gap-1 pointer-coarse:min-h-11">
              <input type="checkbox" tabIndex={-1} checked={props.tied} onChange={() => props.onChange({ kind: "toggleTie", candidateId: c.id })} /> tie with above
            </label>
          )}
        </div>
        <ModelText text={c.text} tree={props.tree} />
      </div>
    </li>
  );
}

export default function RankingView(props: {
  item: ItemView;
  draft: Draft;
  selected: string;
  allowTies: boolean;
  onSelect: (candidateId: string) => void;
  onChange: (c: DraftChange) => void;
}) {
  const { item, draft } = props;
  // a small distance before a drag starts, so a click on the handle is still a click
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(TouchSensor, { activationConstraint: { delay: 150, tolerance: 8 } }));
  const byId = new Map(item.candidates.map((c) => [c.id, c]));
  const label = new Map(item.candidates.map((c, i) => [c.id, LABELS[i]]));
  const rankOf = new Map<string, number>();
  rankingGroups(draft.order, draft.tiedWithAbove).forEach((g, i) => g.forEach((id) => rankOf.set(id, i + 1)));

  function onDragEnd(e: DragEndEvent) {
    if (!e.over || e.active.id === e.over.id) return;
    props.onChange({ kind: "moveTo", candidateId: String(e.active.id), index: draft.order.indexOf(String(e.over.id)) });
  }

  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      <SortableContext items={draft.order} strategy={verticalListSortingStrategy}>
        <ol className="space-y-2" aria-label="Ranking, best first">
          {draft.order.map((id, index) => (
            <Row
              key={id}
              candidate={byId.get(id)!}
              label={label.get(id)!}
              index={index}
              count={draft.order.length}
              rank={rankOf.get(id)!}
              tied={index > 0 && draft.tiedWithAbove.includes(id)}
              selected={props.selected === id}
              allowTies={props.allowTies}
              onSelect={() => props.onSelect(id)}
              onChange={props.onChange}
              tree={item.trees?.candidates[id]}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}
