"use client";
// Registers a model directory already on disk (a downloaded Hugging Face checkpoint, or a tiny model) as a base
// policy, so launch forms can start from it. The server checks where it lies, its weights, tokenizer and chat template.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, fromServer, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";

export function RegisterBaseModel({ roots }: { roots: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const register = useMutation(trpc.model.registerBase.mutationOptions());
  const [name, setName] = useState("");
  const [dir, setDir] = useState("");
  const [allowNoChatTemplate, setAllow] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const fe = (k: string) => error?.fields[k];

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const model = await register.mutateAsync({ name: name.trim(), path: dir.trim(), allowNoChatTemplate });
      setError(null);
      setDone(`Registered ${model.name} (${model.backend}${model.chatTemplate ? ", chat template" : ", no chat template"}).`);
      setName("");
      setDir("");
      setAllow(false);
      router.refresh();
    } catch (err) {
      setDone(null);
      setError(fromServer(err));
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Register a base model" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-sm font-semibold">Register a base model</h2>
      <div className="grid gap-3 sm:grid-cols-[1fr_2fr]">
        <Field label="Name" name="name" error={fe("name")}>
          <input {...fieldProps("name", fe("name"))} className={inputClass} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Directory" name="path" error={fe("path")} hint={`A tiny or Hugging Face model directory under ${roots.join(", ")}.`}>
          <input {...fieldProps("path", fe("path"))} className={`${inputClass} font-mono`} value={dir} onChange={(e) => setDir(e.target.value)} />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="accent-indigo-600" checked={allowNoChatTemplate} onChange={(e) => setAllow(e.target.checked)} aria-describedby={fe("allowNoChatTemplate") ? "allowNoChatTemplate-error" : undefined} />
        Register it even without a chat template (prompts are then rendered as plain text)
      </label>
      {fe("allowNoChatTemplate") && <p id="allowNoChatTemplate-error" className="text-xs text-red-700">{fe("allowNoChatTemplate")}</p>}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={register.isPending}>{register.isPending ? "Checking…" : "Register"}</Button>
        {done && <span role="status" className="text-sm text-emerald-700">{done}</span>}
      </div>
      <FormMessage error={error?.message} />
    </form>
  );
}
