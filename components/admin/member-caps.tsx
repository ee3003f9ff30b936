"use client";
// One member's own caps (items per UTC day and in all), in place of the project's; empty fields: the project's.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { capOf, Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { memberCapsSchema } from "@/server/schemas/project";

export function MemberCaps(props: { projectId: string; userId: string; name: string; dailyCap: number | null; totalCap: number | null; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.project.setMemberCaps.mutationOptions());
  const [daily, setDaily] = useState(props.dailyCap ? String(props.dailyCap) : "");
  const [total, setTotal] = useState(props.totalCap ? String(props.totalCap) : "");
  const [error, setError] = useState<FormError | null>(null);
  const id = (field: string) => `caps-${props.userId}-${field}`;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = memberCapsSchema.safeParse({ projectId: props.projectId, userId: props.userId, dailyCap: capOf(daily), totalCap: capOf(total) });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      await save.mutateAsync(parsed.data);
      await queryClient.invalidateQueries({ queryKey: trpc.project.members.queryKey({ projectId: props.projectId }) });
      setError(null);
      props.onDone(`${props.name}'s caps saved.`);
    } catch (err) {
      setError(fromServer(err));
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Caps of ${props.name}`} className="flex flex-wrap items-start gap-3 bg-slate-50 px-3 py-2">
      <Field label="Daily cap" name={id("dailyCap")} error={error?.fields.dailyCap} hint="Empty: the project's." className="w-40">
        <input {...fieldProps(id("dailyCap"), error?.fields.dailyCap)} className={inputClass} type="number" min={1} step={1} value={daily} onChange={(e) => setDaily(e.target.value)} />
      </Field>
      <Field label="Total cap" name={id("totalCap")} error={error?.fields.totalCap} hint="Empty: the project's." className="w-40">
        <input {...fieldProps(id("totalCap"), error?.fields.totalCap)} className={inputClass} type="number" min={1} step={1} value={total} onChange={(e) => setTotal(e.target.value)} />
      </Field>
      <div className="mt-6 flex items-center gap-2">
        <Button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save caps"}</Button>
        <FormMessage error={error?.message} />
      </div>
    </form>
  );
}
