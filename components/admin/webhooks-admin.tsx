"use client";
// Webhook subscriptions: per project or for all, to the events of schemas/webhook.ts. A new subscription's signing
// secret is shown once. Each subscription can be paused, sent a test event, given a new secret, and opened to its
// delivery log (every attempt with the receiver's status code), which refreshes while it is open.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Checkbox, Field, fieldProps, FormMessage, formatDate, fromServer, fromZod, inputClass, type FormError, rowAction } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { RouterOutputs } from "@/server/api/root";
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENTS, webhookInputSchema, type WebhookEventType } from "@/server/schemas/webhook";

type Subscription = RouterOutputs["webhook"]["list"][number];
type Project = { id: string; name: string };

const empty = { url: "", projectId: "", events: ["item.completed"] as WebhookEventType[], description: "" };

function Secret({ label, secret }: { label: string; secret: string }) {
  return (
    <div role="status" className="space-y-2 rounded-md bg-emerald-50 p-3 text-sm">
      <p className="font-medium text-emerald-900">{label}: copy it now, it is not shown again.</p>
      <input readOnly aria-label="Signing secret" data-testid="webhook-secret" className={`${inputClass} mt-0 font-mono text-xs`} value={secret} onFocus={(e) => e.target.select()} />
      <p className="text-xs text-emerald-800">
        Check each request: <code>X-RLHF-Signature: t=…,v1=…</code> is HMAC-SHA256 of <code>t + &quot;.&quot; + body</code> under this secret (README, Webhooks).
      </p>
    </div>
  );
}

function DeliveryLog({ subscriptionId }: { subscriptionId: string }) {
  const trpc = useTRPC();
  const log = useQuery({ ...trpc.webhook.deliveries.queryOptions({ subscriptionId }), refetchInterval: 2000 });
  if (log.error) return <FormMessage error={log.error.message} />;
  if (!log.data) return <p className="text-sm text-slate-500">Loading…</p>;
  if (log.data.length === 0) return <p className="text-sm text-slate-500">No deliveries yet.</p>;
  return (
    <table className="w-full text-xs" aria-label="Delivery log">
      <thead className="text-left uppercase tracking-wide text-slate-500">
        <tr>
          <th scope="col" className="py-1 pr-3">Event</th>
          <th scope="col" className="py-1 pr-3">Status</th>
          <th scope="col" className="py-1 pr-3">Attempts (response codes)</th>
          <th scope="col" className="py-1 pr-3">Last error</th>
          <th scope="col" className="py-1">When</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {log.data.map((d) => (
          <tr key={d.id} data-testid="delivery">
            <td className="py-1 pr-3"><span className="font-medium">{d.type}</span> <span className="font-mono text-slate-400">{d.eventId}</span></td>
            <td className={`py-1 pr-3 font-medium ${d.status === "DELIVERED" ? "text-emerald-700" : d.status === "FAILED" ? "text-red-700" : "text-amber-700"}`}>
              {d.status.toLowerCase()}
              {d.nextAttemptAt && <span className="font-normal text-slate-500"> · next {formatDate(d.nextAttemptAt)}</span>}
            </td>
            <td className="py-1 pr-3 font-mono">{d.attemptLog.map((a) => a.status ?? "—").join(" → ") || "—"}</td>
            <td className="py-1 pr-3 text-slate-600">{d.status === "DELIVERED" ? "" : (d.lastError ?? "")}</td>
            <td className="whitespace-nowrap py-1">{formatDate(d.deliveredAt ?? d.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WebhooksAdmin({ projects }: { projects: Project[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const subs = useQuery({ ...trpc.webhook.list.queryOptions(), refetchInterval: 5000 });
  const create = useMutation(trpc.webhook.create.mutationOptions());
  const update = useMutation(trpc.webhook.update.mutationOptions());
  const remove = useMutation(trpc.webhook.remove.mutationOptions());
  const rotate = useMutation(trpc.webhook.rotateSecret.mutationOptions());
  const sendTest = useMutation(trpc.webhook.sendTest.mutationOptions());
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<FormError | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ label: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.list.queryKey() });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    const parsed = webhookInputSchema.safeParse({ ...form, projectId: form.projectId || null });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      const created = await create.mutateAsync(parsed.data);
      setError(null);
      setSecret({ label: `The signing secret of ${created.url}`, secret: created.secret });
      setForm(empty);
      setOpen(created.id);
      await refresh();
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  const toggleEvent = (event: WebhookEventType, on: boolean) =>
    setForm({ ...form, events: on ? WEBHOOK_EVENTS.filter((x) => x === event || form.events.includes(x)) : form.events.filter((x) => x !== event) });

  return (
    <div className="space-y-6">
      <Card className="max-w-2xl">
        <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="new-webhook-heading">
          <h2 id="new-webhook-heading" className="font-medium">New webhook</h2>
          <Field label="URL" name="wh-url" error={fe("url")} hint="Where we POST each event (JSON), e.g. https://ci.example.com/hooks/rlhf.">
            <input {...fieldProps("wh-url", fe("url"))} className={inputClass} type="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} />
          </Field>
          <Field label="Project" name="wh-project" error={fe("projectId")}>
            <select {...fieldProps("wh-project", fe("projectId"))} className={inputClass} value={form.projectId} onChange={(e) => setForm({ ...form, projectId: e.target.value })}>
              <option value="">All projects (and runs of none)</option>
              {projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </Field>
          <fieldset className="text-sm" aria-describedby={fe("events") ? "wh-events-error" : undefined}>
            <legend className="font-medium text-slate-700">Events</legend>
            {WEBHOOK_EVENTS.map((event) => (
              <Checkbox key={event} name={`wh-event-${event}`} label={`${WEBHOOK_EVENT_LABELS[event]} — ${event}`} checked={form.events.includes(event)} onChange={(on) => toggleEvent(event, on)} />
            ))}
            {fe("events") && <p id="wh-events-error" className="mt-1 text-xs text-red-700">{fe("events")}</p>}
          </fieldset>
          <Field label="Description" name="wh-description" error={fe("description")} hint="Optional: what listens, e.g. “retrain pipeline”.">
            <input {...fieldProps("wh-description", fe("description"))} className={inputClass} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
          <Button type="submit" disabled={create.isPending}>{create.isPending ? "Adding…" : "Add webhook"}</Button>
          <FormMessage error={error?.message} />
        </form>
      </Card>
      {secret && <Secret {...secret} />}

      <section className="space-y-3" aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading" className="text-lg font-medium">Webhooks</h2>
        <FormMessage error={subs.error?.message ?? listError} />
        {subs.data?.length === 0 && <p className="text-sm text-slate-500">No webhooks yet.</p>}
        {subs.data?.map((s: Subscription) => (
          <Card key={s.id}>
            <section aria-label={`Webhook to ${s.url}`} className="space-y-2">
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <h3 className="font-mono text-sm font-medium">{s.url}</h3>
                <span className="text-sm text-slate-600">{s.project ? s.project.name : "All projects"}</span>
                {!s.active && <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-500">paused</span>}
                <span className="ml-auto text-xs tabular-nums text-slate-600">{s.delivered} delivered · {s.pending} pending · {s.failed} failed</span>
              </div>
              <p className="text-xs text-slate-600">{s.events.join(", ")}{s.description && ` — ${s.description}`}</p>
              <div className="flex flex-wrap gap-2">
                <Button variant="secondary" className="py-0.5 text-xs" disabled={sendTest.isPending} onClick={() => rowAction(() => sendTest.mutateAsync({ id: s.id }), async () => { setOpen(s.id); await refresh(); }, setListError)}>
                  Send test event
                </Button>
                <Button variant="secondary" className="py-0.5 text-xs" aria-expanded={open === s.id} onClick={() => setOpen(open === s.id ? null : s.id)}>
                  {open === s.id ? "Hide deliveries" : "Deliveries"}
                </Button>
                <Button variant="ghost" className="py-0.5 text-xs" disabled={update.isPending} onClick={() => rowAction(() => update.mutateAsync({ id: s.id, active: !s.active }), refresh, setListError)}>
                  {s.active ? "Pause" : "Resume"}
                </Button>
                <Button
                  variant="ghost"
                  className="py-0.5 text-xs"
                  disabled={rotate.isPending}
                  onClick={async () => {
                    if (!window.confirm("Make a new signing secret? The old one stops working at once.")) return;
                    await rowAction(async () => setSecret({ label: `The new signing secret of ${s.url}`, secret: (await rotate.mutateAsync({ id: s.id })).secret }), refresh, setListError);
                  }}
                >
                  New secret
                </Button>
                <Button
                  variant="ghost"
                  className="py-0.5 text-xs text-red-700"
                  disabled={remove.isPending}
                  aria-label={`Delete webhook ${s.url}`}
                  onClick={async () => {
                    if (!window.confirm(`Delete the webhook to ${s.url}? Its pending deliveries are dropped.`)) return;
                    await rowAction(() => remove.mutateAsync({ id: s.id }), refresh, setListError);
                  }}
                >
                  Delete
                </Button>
              </div>
              {open === s.id && <DeliveryLog subscriptionId={s.id} />}
            </section>
          </Card>
        ))}
      </section>
    </div>
  );
}
