"use client";
// Chooses who may annotate a project (annotators see only projects they are a member of) and which members also
// review it (the data browser and the review queue of this project).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { FormMessage, fromServer, inputClass } from "@/components/admin/form";
import { MemberCaps } from "@/components/admin/member-caps";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

/** A member's own caps in a few characters: "caps" when they have none (the project's apply). */
function capsLabel(m: { dailyCap: number | null; totalCap: number | null }): string {
  const parts = [m.dailyCap && `${m.dailyCap}/day`, m.totalCap && `${m.totalCap} in all`].filter(Boolean);
  return parts.length ? `caps: ${parts.join(", ")}` : "caps";
}

export function MembersEditor({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const people = useQuery(trpc.user.list.queryOptions());
  const members = useQuery(trpc.project.members.queryOptions({ projectId }));
  const save = useMutation(trpc.project.setMembers.mutationOptions());
  const reinstate = useMutation(trpc.project.reinstate.mutationOptions());
  const [selected, setSelected] = useState<Set<string> | null>(null);
  const [reviewers, setReviewers] = useState<Set<string> | null>(null);
  const [filter, setFilter] = useState("");
  const [capsOf, setCapsOf] = useState<string | null>(null);
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});

  // the server's member list seeds the selection once; afterwards the checkboxes own it until saved
  useEffect(() => {
    if (members.data && selected === null) {
      setSelected(new Set(members.data.map((m) => m.id)));
      setReviewers(new Set(members.data.filter((m) => m.memberRole === "REVIEWER").map((m) => m.id)));
    }
  }, [members.data, selected]);

  const paused = useMemo(() => new Map((members.data ?? []).filter((m) => m.pausedAt).map((m) => [m.id, m.pauseReason])), [members.data]);
  const saved = useMemo(() => new Map((members.data ?? []).map((m) => [m.id, m])), [members.data]);

  async function onReinstate(userId: string, name: string) {
    try {
      await reinstate.mutateAsync({ projectId, userId });
      await queryClient.invalidateQueries({ queryKey: trpc.project.members.queryKey({ projectId }) });
      setMessage({ ok: `${name} may judge again.` });
    } catch (err) {
      setMessage({ error: fromServer(err).message });
    }
  }

  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (people.data ?? []).filter((p) => !q || p.name.toLowerCase().includes(q) || p.email.includes(q));
  }, [people.data, filter]);

  if (people.error || members.error) return <FormMessage error={(people.error ?? members.error)?.message} />;
  if (!people.data || !selected || !reviewers) return <p className="text-sm text-slate-500">Loading people…</p>;

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    const nextReviewers = new Set(reviewers);
    if (on) next.add(id);
    else {
      next.delete(id);
      nextReviewers.delete(id);
    }
    setSelected(next);
    setReviewers(nextReviewers);
    setMessage({});
  };

  const toggleReviewer = (id: string, on: boolean) => {
    const next = new Set(reviewers);
    const nextMembers = new Set(selected);
    if (on) {
      next.add(id);
      nextMembers.add(id);
    } else next.delete(id);
    setReviewers(next);
    setSelected(nextMembers);
    setMessage({});
  };

  async function onSave() {
    try {
      await save.mutateAsync({ projectId, userIds: [...selected!], reviewerIds: [...reviewers!] });
      await queryClient.invalidateQueries({ queryKey: trpc.project.members.queryKey({ projectId }) });
      await queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
      setMessage({ ok: `Saved: ${selected!.size} member${selected!.size === 1 ? "" : "s"}, ${reviewers!.size} reviewing.` });
    } catch (err) {
      setMessage({ error: fromServer(err).message });
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="font-medium text-slate-700">Filter people</span>
          <input type="search" className={`${inputClass} w-64`} value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="name or email" />
        </label>
        <span className="text-sm text-slate-500">{selected.size} selected · {reviewers.size} reviewing</span>
        <Button onClick={onSave} disabled={save.isPending} className="ml-auto">{save.isPending ? "Saving…" : "Save members"}</Button>
      </div>
      <FormMessage error={message.error} ok={message.ok} />
      <ul className="max-h-80 divide-y divide-slate-100 overflow-auto rounded-md border border-slate-200" aria-label="People">
        {shown.map((p) => (
          <li key={p.id}>
            <div className="flex items-center gap-3 px-3 py-1.5">
              <label className="flex flex-1 items-center gap-2 text-sm">
                <input type="checkbox" className="size-4 accent-indigo-600" checked={selected.has(p.id)} onChange={(e) => toggle(p.id, e.target.checked)} />
                <span className={p.active ? "" : "text-slate-400 line-through"}>{p.name}</span>
                <span className="text-slate-500">{p.email}</span>
                {p.role === "ADMIN" && <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-800">admin</span>}
                {!p.active && <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-500">deactivated</span>}
                {paused.has(p.id) && <span className="rounded bg-red-100 px-1.5 text-xs text-red-800" title={paused.get(p.id)}>paused</span>}
              </label>
              {paused.has(p.id) && (
                <Button variant="secondary" className="py-0.5 text-xs" onClick={() => onReinstate(p.id, p.name)} disabled={reinstate.isPending}>Reinstate</Button>
              )}
              <label className="inline-flex items-center gap-1.5 text-xs text-slate-600">
                <input
                  type="checkbox"
                  className="size-3.5 accent-indigo-600"
                  checked={reviewers.has(p.id)}
                  onChange={(e) => toggleReviewer(p.id, e.target.checked)}
                  aria-label={`${p.name} reviews this project`}
                />
                reviewer
              </label>
              {saved.has(p.id) && (
                <Button variant="ghost" className="py-0.5 text-xs" aria-expanded={capsOf === p.id} title={`Caps of ${p.name}`} onClick={() => setCapsOf(capsOf === p.id ? null : p.id)}>
                  {capsLabel(saved.get(p.id)!)}
                </Button>
              )}
            </div>
            {capsOf === p.id && saved.has(p.id) && (
              <MemberCaps
                projectId={projectId}
                userId={p.id}
                name={p.name}
                dailyCap={saved.get(p.id)!.dailyCap}
                totalCap={saved.get(p.id)!.totalCap}
                onDone={(ok) => {
                  setCapsOf(null);
                  setMessage({ ok });
                }}
              />
            )}
          </li>
        ))}
        {shown.length === 0 && <li className="px-3 py-2 text-sm text-slate-500">Nobody matches.</li>}
      </ul>
    </div>
  );
}
