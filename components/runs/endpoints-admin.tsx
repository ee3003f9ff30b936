"use client";
// OpenAI-compatible endpoints for generation runs. The API key is write-only: it is sent once, stored encrypted,
// and the list only says whether one is stored.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, formatDate, fromServer, fromZod, inputClass, type FormError, rowAction } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { endpointInput } from "@/server/schemas/runs";
import type { RouterOutputs } from "@/server/api/root";

type EndpointView = RouterOutputs["endpoint"]["list"][number];

const empty = { name: "", baseUrl: "", model: "", apiKey: "", concurrency: "4" };

export function EndpointsAdmin({ initialEndpoints }: { initialEndpoints: EndpointView[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery({ ...trpc.endpoint.list.queryOptions(), initialData: initialEndpoints });
  const create = useMutation(trpc.endpoint.create.mutationOptions());
  const remove = useMutation(trpc.endpoint.delete.mutationOptions());
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<FormError | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setOk(null);
    const parsed = endpointInput.safeParse({ ...form, apiKey: form.apiKey || undefined, concurrency: Number(form.concurrency) });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      const saved = await create.mutateAsync(parsed.data);
      setError(null);
      setOk(`Endpoint “${saved.name}” added.`);
      setForm(empty);
      await queryClient.invalidateQueries({ queryKey: trpc.endpoint.list.queryKey() });
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  const set = (k: keyof typeof empty) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="space-y-6">
      <Card className="max-w-2xl">
        <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="new-endpoint-heading">
          <h2 id="new-endpoint-heading" className="font-medium">New endpoint</h2>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Name" name="ep-name" error={fe("name")}>
              <input {...fieldProps("ep-name", fe("name"))} className={inputClass} value={form.name} onChange={set("name")} />
            </Field>
            <Field label="Model" name="ep-model" error={fe("model")} hint="As the server names it, e.g. “meta-llama/Llama-3.1-8B-Instruct”.">
              <input {...fieldProps("ep-model", fe("model"))} className={inputClass} value={form.model} onChange={set("model")} />
            </Field>
            <Field label="Base URL" name="ep-url" error={fe("baseUrl")} hint="Up to /v1, e.g. http://gpu-box:8000/v1 (vLLM, TGI, Ollama, hosted APIs)." className="sm:col-span-2">
              <input {...fieldProps("ep-url", fe("baseUrl"))} className={inputClass} type="url" value={form.baseUrl} onChange={set("baseUrl")} />
            </Field>
            <Field label="API key" name="ep-key" error={fe("apiKey")} hint="Optional. Stored encrypted; never shown again.">
              <input {...fieldProps("ep-key", fe("apiKey"))} className={inputClass} type="password" autoComplete="off" value={form.apiKey} onChange={set("apiKey")} />
            </Field>
            <Field label="Concurrency" name="ep-concurrency" error={fe("concurrency")} hint="Requests in flight at once.">
              <input {...fieldProps("ep-concurrency", fe("concurrency"))} className={`${inputClass} tabular-nums`} type="number" min={1} max={64} value={form.concurrency} onChange={set("concurrency")} />
            </Field>
          </div>
          <Button type="submit" disabled={create.isPending}>{create.isPending ? "Adding…" : "Add endpoint"}</Button>
          <FormMessage error={error?.message} ok={ok} />
        </form>
      </Card>

      <section className="space-y-2" aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading" className="text-lg font-medium">Endpoints</h2>
        <FormMessage error={endpoints.error?.message ?? listError} />
        {endpoints.data.length === 0 ? (
          <p className="text-sm text-slate-500">No endpoints yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-sm">
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">Name</th>
                  <th scope="col" className="px-3 py-2">Base URL</th>
                  <th scope="col" className="px-3 py-2">Model</th>
                  <th scope="col" className="px-3 py-2">API key</th>
                  <th scope="col" className="px-3 py-2 text-right">Concurrency</th>
                  <th scope="col" className="px-3 py-2">Added</th>
                  <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {endpoints.data.map((ep) => (
                  <tr key={ep.id}>
                    <td className="px-3 py-2 font-medium">{ep.name}</td>
                    <td className="px-3 py-2 font-mono text-xs">{ep.baseUrl}</td>
                    <td className="px-3 py-2">{ep.model}</td>
                    <td className="px-3 py-2">{ep.hasApiKey ? "stored" : "none"}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{ep.concurrency}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDate(ep.createdAt)}</td>
                    <td className="px-3 py-2">
                      <Button
                        variant="ghost"
                        className="py-0.5 text-xs text-red-700"
                        disabled={remove.isPending}
                        aria-label={`Delete endpoint ${ep.name}`}
                        onClick={async () => {
                          if (!window.confirm(`Delete “${ep.name}”? Queued generation runs that use it will fail.`)) return;
                          await rowAction(() => remove.mutateAsync({ id: ep.id }), () => queryClient.invalidateQueries({ queryKey: trpc.endpoint.list.queryKey() }), setListError);
                        }}
                      >
                        Delete
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
