"use client";
// Pauses or resumes a whole project. While it is paused nobody is handed a new item; annotators read the message in
// its place, and items they already hold can still be submitted.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field, fieldProps, FormMessage, fromServer, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

export function PausePanel({ projectId, pausedAt, pauseMessage }: { projectId: string; pausedAt: Date | null; pauseMessage: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pause = useMutation(trpc.project.pause.mutationOptions());
  const resume = useMutation(trpc.project.resume.mutationOptions());
  const [message, setMessage] = useState(pauseMessage);
  const [error, setError] = useState<FormError | null>(null);
  const [ok, setOk] = useState<string | null>(null);

  async function act(run: () => Promise<unknown>, done: string) {
    setOk(null);
    try {
      await run();
      setError(null);
      setOk(done);
      router.refresh();
    } catch (err) {
      setError(fromServer(err));
    }
  }

  return (
    <section className={`space-y-3 rounded-lg border p-4 ${pausedAt ? "border-amber-300 bg-amber-50" : "border-slate-200 bg-white"}`} aria-labelledby="pause-heading">
      <h2 id="pause-heading" className="font-medium">{pausedAt ? `Paused since ${new Date(pausedAt).toLocaleString()}` : "Pause"}</h2>
      <p className="text-sm text-slate-600">
        {pausedAt
          ? "Nobody is handed a new item. Annotators see the message below; items they already hold can still be submitted."
          : "Stop handing out items to everyone (to fix the guidelines, or between batches). Items already held can still be submitted."}
      </p>
      <Field label="Message to annotators" name="pauseMessage" error={error?.fields.message} hint="Shown on the annotation page in place of an item. Empty: a standard message.">
        <textarea {...fieldProps("pauseMessage", error?.fields.message)} className={inputClass} rows={2} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
      </Field>
      <div className="flex flex-wrap items-center gap-3">
        <Button variant={pausedAt ? "secondary" : "danger"} disabled={pause.isPending} onClick={() => act(() => pause.mutateAsync({ id: projectId, message }), pausedAt ? "Message updated." : "Project paused.")}>
          {pausedAt ? "Update message" : "Pause project"}
        </Button>
        {pausedAt && (
          <Button disabled={resume.isPending} onClick={() => act(() => resume.mutateAsync({ id: projectId }), "Project resumed.")}>Resume project</Button>
        )}
        <FormMessage error={error?.message} ok={ok} />
      </div>
    </section>
  );
}
