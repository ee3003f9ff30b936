"use client";
// K-way ranking: a sortable list (dnd-kit, with its keyboard sensor: focus the handle, Space to lift, arrows
// to move, Space to drop) plus direct keys on a focused card: Alt+↑/↓ moves it, T ties it with the one above.
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { KeyboardEvent } from "react";
import { Markdown } from "@/components/annotate/markdown";

export interface RankingState {
  order: string[];
  /** ids tied with the candidate directly above them */
  tiedWithAbove: string[];
}

export function rankingGroups(state: RankingState): string[][] {
  const groups: string[][] = [];
  state.order.forEach((id, i) => {
    if (i > 0 && state.tiedWithAbove.includes(id)) groups[groups.length - 1].push(id);
    else groups.push([id]);
  });
  return groups;
}

function Row(props: {
  id: string;
  index: number;
  label: string;
  text: string;
  model: string | null;
  tied: boolean;
  allowTies: boolean;
  rank: number;
  onMove: (delta: number) => void;
  onToggleTie: () => void;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: props.id });
  function onKeyDown(e: KeyboardEvent<HTMLLIElement>) {
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      e.stopPropagation();
      props.onMove(e.key === "ArrowUp" ? -1 : 1);
    } else if ((e.key === "t" || e.key === "T") && props.allowTies && props.index > 0) {
      e.preventDefault();
      e.stopPropagation();
      props.onToggleTie();
    }
  }
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="ranking-row"
      data-candidate-id={props.id}
      aria-label={`Rank ${props.rank}: response ${props.label}${props.tied ? " (tied with above)" : ""}`}
      className={`flex gap-3 rounded-lg border bg-white p-3 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${isDragging ? "shadow-lg ring-2 ring-indigo-300" : "border-slate-200"} ${props.tied ? "ml-6 border-l-4 border-l-amber-400" : ""}`}
    >
      <div className="flex flex-col items-center gap-1">
        <span className="rounded bg-indigo-600 px-2 py-0.5 text-sm font-semibold text-white" aria-hidden>{props.rank}</span>
        <button type="button" {...attributes} {...listeners} aria-label={`Drag response ${props.label}`} className="cursor-grab px-1 text-slate-400 hover:text-slate-700">⋮⋮</button>
        <button type="button" aria-label={`Move response ${props.label} up`} onClick={() => props.onMove(-1)} className="text-xs text-slate-500 hover:text-slate-900">▲</button>
        <button type="button" aria-label={`Move response ${props.label} down`} onClick={() => props.onMove(1)} className="text-xs text-slate-500 hover:text-slate-900">▼</button>
      </div>
      <div className="min-w-0 flex-1">
        <div className="mb-1 flex items-center gap-2 text-xs text-slate-500">
          <span className="font-semibold">Response {props.label}</span>
          {props.model && <span className="rounded bg-slate-100 px-1">{props.model}</span>}
          {props.allowTies && props.index > 0 && (
            <label className="ml-auto flex items-center gap-1">
              <input type="checkbox" checked={props.tied} onChange={props.onToggleTie} /> tie with above
            </label>
          )}
        </div>
        <Markdown text={props.text} />
      </div>
    </li>
  );
}

export function RankingList(props: {
  candidates: { id: string; text: string; model: string | null }[];
  labels: Map<string, string>;
  state: RankingState;
  allowTies: boolean;
  onChange: (state: RankingState) => void;
}) {
  const sensors = useSensors(useSensor(PointerSensor), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const byId = new Map(props.candidates.map((c) => [c.id, c]));
  const groups = rankingGroups(props.state);
  const rankOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((id) => rankOf.set(id, i + 1)));

  function move(id: string, delta: number) {
    const from = props.state.order.indexOf(id);
    const to = Math.max(0, Math.min(props.state.order.length - 1, from + delta));
    if (from === to) return;
    props.onChange({ ...props.state, order: arrayMove(props.state.order, from, to) });
    // Keep keyboard focus on the card that moved.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-candidate-id="${id}"]`)?.focus());
  }
  function onDragEnd(e: DragEndEvent) {
    if (!e.over || e.active.id === e.over.id) return;
    const from = props.state.order.indexOf(String(e.active.id));
    const to = props.state.order.indexOf(String(e.over.id));
    props.onChange({ ...props.state, order: arrayMove(props.state.order, from, to) });
  }
  function toggleTie(id: string) {
    const tied = props.state.tiedWithAbove.includes(id);
    props.onChange({ ...props.state, tiedWithAbove: tied ? props.state.tiedWithAbove.filter((x) => x !== id) : [...props.state.tiedWithAbove, id] });
  }

  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      <SortableContext items={props.state.order} strategy={verticalListSortingStrategy}>
        <ol className="space-y-2" aria-label="Ranking, best first">
          {props.state.order.map((id, index) => {
            const c = byId.get(id)!;
            return (
              <Row
                key={id}
                id={id}
                index={index}
                label={props.labels.get(id) ?? "?"}
                text={c.text}
                model={c.model}
                tied={index > 0 && props.state.tiedWithAbove.includes(id)}
                allowTies={props.allowTies}
                rank={rankOf.get(id) ?? index + 1}
                onMove={(d) => move(id, d)}
                onToggleTie={() => toggleTie(id)}
              />
            );
          })}
        </ol>
      </SortableContext>
    </DndContext>
  );
}
