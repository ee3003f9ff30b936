"use client";
// The caller's personal API tokens for the HTTP API and CLI. A new token's secret is shown once.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, formatDate, fromServer, fromZod, inputClass, type FormError, rowAction } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { createTokenSchema, type CreateTokenInput } from "@/server/schemas/token";

type Scope = CreateTokenInput["scope"];

// one radio per scope, in the order a person reads them; what each grants is server/services/api-tokens.ts scopeGrants
const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "READ", label: "Read — projects, items, imports, snapshots (and their files), runs, models" },
  { scope: "IMPORT", label: "Import — read, and import prompts and items" },
  { scope: "EXPORT", label: "Export — read, and build snapshots" },
  { scope: "RUNS", label: "Runs — read, launch and cancel runs, register and activate models" },
  { scope: "ANNOTATIONS", label: "Annotations — read, and individual annotations (who judged what)" },
  { scope: "WRITE", label: "Write — everything you may do, including all of the above" },
];

/** `scopes`: the scopes offered (an annotator's account page offers the read scopes only). */
export function TokensAdmin({ scopes = SCOPES.map((s) => s.scope) }: { scopes?: readonly Scope[] } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.token.list.queryOptions());
  const create = useMutation(trpc.token.create.mutationOptions());
  const revoke = useMutation(trpc.token.revoke.mutationOptions());
  const [form, setForm] = useState({ name: "", scope: "READ" as Scope });
  const [error, setError] = useState<FormError | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    setCopied(false);
    const parsed = createTokenSchema.safeParse(form);
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      const created = await create.mutateAsync(parsed.data);
      setError(null);
      setSecret({ name: created.name, token: created.token });
      setForm({ name: "", scope: "READ" });
      await queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() });
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <div className="space-y-6">
      <Card className="max-w-xl">
        <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="new-token-heading">
          <h2 id="new-token-heading" className="font-medium">New token</h2>
          <Field label="Name" name="token-name" error={fe("name")} hint="What it is for, e.g. “nightly export job”.">
            <input {...fieldProps("token-name", fe("name"))} className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <fieldset className="text-sm">
            <legend className="font-medium text-slate-700">Scope</legend>
            {SCOPES.filter((s) => scopes.includes(s.scope)).map(({ scope, label }) => (
              <label key={scope} className="mt-1 flex items-center gap-2">
                <input type="radio" name="scope" className="accent-indigo-600" checked={form.scope === scope} onChange={() => setForm({ ...form, scope })} />
                {label}
              </label>
            ))}
            <p className="mt-1 text-xs text-slate-500">
              What each operation needs: the <a className="text-indigo-700 underline" href="/api-docs">API reference</a>.
            </p>
          </fieldset>
          <Button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create token"}</Button>
          <FormMessage error={error?.message} />
          {secret && (
            <div role="status" className="space-y-2 rounded-md bg-emerald-50 p-3 text-sm">
              <p className="font-medium text-emerald-900">Copy the token “{secret.name}” now: it is not shown again.</p>
              <div className="flex gap-2">
                <input readOnly aria-label="New token" data-testid="new-token" className={`${inputClass} mt-0 font-mono text-xs`} value={secret.token} onFocus={(e) => e.target.select()} />
                <Button
                  variant="secondary"
                  onClick={async () => {
                    await navigator.clipboard.writeText(secret.token);
                    setCopied(true);
                  }}
                >
                  {copied ? "Copied" : "Copy"}
                </Button>
              </div>
              <p className="text-xs text-emerald-800">Send it as <code>Authorization: Bearer …</code>.</p>
            </div>
          )}
        </form>
      </Card>

      <section className="space-y-2" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading" className="text-lg font-medium">Your tokens</h2>
        <FormMessage error={tokens.error?.message ?? listError} />
        {tokens.data?.length === 0 && <p className="text-sm text-slate-500">No tokens yet.</p>}
        {tokens.data && tokens.data.length > 0 && (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-sm">
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">Name</th>
                  <th scope="col" className="px-3 py-2">Token</th>
                  <th scope="col" className="px-3 py-2">Scope</th>
                  <th scope="col" className="px-3 py-2">Created</th>
                  <th scope="col" className="px-3 py-2">Last used</th>
                  <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {tokens.data.map((t) => (
                  <tr key={t.id} className={t.revokedAt ? "text-slate-400" : ""}>
                    <td className="px-3 py-2">{t.name}</td>
                    <td className="px-3 py-2 font-mono text-xs">{t.prefix}…</td>
                    <td className="px-3 py-2">{t.scope.toLowerCase()}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDate(t.createdAt)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{t.lastUsedAt ? formatDate(t.lastUsedAt) : "never"}</td>
                    <td className="px-3 py-2">
                      {t.revokedAt ? (
                        <span className="text-xs">revoked {formatDate(t.revokedAt)}</span>
                      ) : (
                        <Button
                          variant="ghost"
                          className="py-0.5 text-xs text-red-700"
                          disabled={revoke.isPending}
                          aria-label={`Revoke token ${t.name}`}
                          onClick={async () => {
                            if (!window.confirm(`Revoke “${t.name}”? Programs using it stop working at once.`)) return;
                            await rowAction(() => revoke.mutateAsync({ id: t.id }), () => queryClient.invalidateQueries({ queryKey: trpc.token.list.queryKey() }), setListError);
                          }}
                        >
                          Revoke
                        </Button>
                      )}
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
