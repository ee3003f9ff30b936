"use client";
// People: who can sign in, with which role, and on which projects. New people come in by an account made
// here or by a one-time invite link. Over 400 lines: the people table, its create / invite / edit dialogs and the
// membership editor share one query and one set of mutations; split by dialog when it grows further.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, formatDate, fromServer, fromZod, inputClass, type FormError, rowAction } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { createInviteSchema, INVITE_DEFAULT_DAYS } from "@/server/schemas/invite";
import { createUserSchema, setPasswordSchema } from "@/server/schemas/user";

type Role = "ADMIN" | "ANNOTATOR";

function useProjects() {
  const trpc = useTRPC();
  return useQuery(trpc.project.list.queryOptions({ includeArchived: true }));
}

function ProjectPicker({ name, value, onChange }: { name: string; value: string[]; onChange: (ids: string[]) => void }) {
  const projects = useProjects();
  if (!projects.data) return <p className="text-xs text-slate-500">Loading projects…</p>;
  if (projects.data.length === 0) return <p className="text-xs text-slate-500">No projects yet.</p>;
  return (
    <fieldset className="max-h-48 space-y-1 overflow-auto rounded-md border border-slate-200 p-2" id={name}>
      <legend className="sr-only">Projects</legend>
      {projects.data.map((p) => (
        <label key={p.id} className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="size-4 accent-indigo-600"
            checked={value.includes(p.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, p.id] : value.filter((id) => id !== p.id))}
          />
          <span className={p.archived ? "text-slate-400" : ""}>{p.name}</span>
          {p.archived && <span className="text-xs text-slate-400">(archived)</span>}
        </label>
      ))}
    </fieldset>
  );
}

export function PeopleAdmin({ selfId }: { selfId: string }) {
  return (
    <div className="space-y-8">
      <PeopleTable selfId={selfId} />
      <div className="grid gap-6 lg:grid-cols-2">
        <CreateUserForm />
        <InviteForm />
      </div>
      <InviteList />
    </div>
  );
}

function PeopleTable({ selfId }: { selfId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const people = useQuery(trpc.user.list.queryOptions());
  const projects = useProjects();
  const setRole = useMutation(trpc.user.setRole.mutationOptions());
  const setActive = useMutation(trpc.user.setActive.mutationOptions());
  const setProjects = useMutation(trpc.user.setProjects.mutationOptions());
  const [editing, setEditing] = useState<{ userId: string; projectIds: string[] } | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const [message, setMessage] = useState<{ error?: string; ok?: string }>({});
  const [showInactive, setShowInactive] = useState(true);

  const projectName = new Map((projects.data ?? []).map((p) => [p.id, p.name]));

  async function run(action: () => Promise<unknown>, ok: string) {
    setMessage({});
    try {
      await action();
      await queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
      setMessage({ ok });
    } catch (err) {
      setMessage({ error: fromServer(err).message });
    }
  }

  if (people.error) return <FormMessage error={people.error.message} />;
  const shown = (people.data ?? []).filter((p) => showInactive || p.active);
  return (
    <section className="space-y-3" aria-labelledby="people-heading">
      <div className="flex items-center gap-3">
        <h2 id="people-heading" className="text-lg font-medium">People</h2>
        <label className="flex items-center gap-1.5 text-sm text-slate-600">
          <input type="checkbox" className="size-4 accent-indigo-600" checked={showInactive} onChange={(e) => setShowInactive(e.target.checked)} />
          Show deactivated
        </label>
      </div>
      <FormMessage error={message.error} ok={message.ok} />
      {!people.data ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">Person</th>
                <th scope="col" className="px-3 py-2">Role</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">Last sign-in</th>
                <th scope="col" className="px-3 py-2 text-right">Annotations</th>
                <th scope="col" className="px-3 py-2">Projects</th>
                <th scope="col" className="px-3 py-2">Password</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((p) => {
                const self = p.id === selfId;
                return (
                  <Fragment key={p.id}>
                    <tr className={p.active ? "" : "bg-slate-50 text-slate-500"} data-testid={`person-${p.email}`}>
                      <td className="px-3 py-2">
                        <div className="font-medium">{p.name}{self && <span className="ml-1 text-xs text-slate-500">(you)</span>}</div>
                        <div className="text-xs text-slate-500">{p.email}</div>
                      </td>
                      <td className="px-3 py-2">
                        <label className="sr-only" htmlFor={`role-${p.id}`}>Role of {p.name}</label>
                        <select
                          id={`role-${p.id}`}
                          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-100"
                          value={p.role}
                          disabled={self || setRole.isPending}
                          title={self ? "You cannot change your own role." : undefined}
                          onChange={(e) => run(() => setRole.mutateAsync({ userId: p.id, role: e.target.value as Role }), `${p.name} is now ${e.target.value.toLowerCase()}.`)}
                        >
                          <option value="ANNOTATOR">Annotator</option>
                          <option value="ADMIN">Admin</option>
                        </select>
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex items-center gap-2">
                          <span>{p.active ? "Active" : "Deactivated"}</span>
                          <Button
                            variant={p.active ? "secondary" : "primary"}
                            className="py-0.5 text-xs"
                            disabled={self || setActive.isPending}
                            title={self ? "You cannot deactivate yourself." : undefined}
                            onClick={() => {
                              if (p.active && !window.confirm(`Deactivate ${p.name}? They are signed out at once; their annotations are kept.`)) return;
                              void run(() => setActive.mutateAsync({ userId: p.id, active: !p.active }), `${p.name} ${p.active ? "deactivated" : "reactivated"}.`);
                            }}
                          >
                            {p.active ? "Deactivate" : "Reactivate"}
                          </Button>
                        </div>
                      </td>
                      <td className="px-3 py-2 whitespace-nowrap">{p.lastLoginAt ? formatDate(p.lastLoginAt) : "never"}</td>
                      <td className="px-3 py-2 text-right tabular-nums">{p.annotations.toLocaleString()}</td>
                      <td className="px-3 py-2">
                        {editing?.userId === p.id ? (
                          <div className="w-64 space-y-2">
                            <ProjectPicker name={`projects-${p.id}`} value={editing.projectIds} onChange={(projectIds) => setEditing({ userId: p.id, projectIds })} />
                            <div className="flex gap-2">
                              <Button
                                className="py-0.5 text-xs"
                                disabled={setProjects.isPending}
                                onClick={() =>
                                  run(async () => {
                                    await setProjects.mutateAsync({ userId: p.id, projectIds: editing.projectIds });
                                    setEditing(null);
                                  }, `Projects of ${p.name} saved.`)
                                }
                              >
                                Save
                              </Button>
                              <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setEditing(null)}>Cancel</Button>
                            </div>
                          </div>
                        ) : (
                          <div className="flex flex-wrap items-center gap-1">
                            {p.projectIds.length === 0 && <span className="text-xs text-slate-400">none</span>}
                            {p.projectIds.map((id) => (
                              <span key={id} className="rounded bg-indigo-50 px-1.5 py-0.5 text-xs text-indigo-800">{projectName.get(id) ?? "…"}</span>
                            ))}
                            <Button variant="ghost" className="py-0.5 text-xs" aria-label={`Edit projects of ${p.name}`} onClick={() => setEditing({ userId: p.id, projectIds: p.projectIds })}>
                              Edit
                            </Button>
                          </div>
                        )}
                      </td>
                      <td className="px-3 py-2">
                        <Button
                          variant="ghost"
                          className="py-0.5 text-xs"
                          disabled={self || !p.active}
                          title={self ? "Change your own password on your account page." : !p.active ? "Reactivate them first." : undefined}
                          aria-expanded={resetting === p.id}
                          aria-label={`Reset the password of ${p.name}`}
                          onClick={() => setResetting(resetting === p.id ? null : p.id)}
                        >
                          Reset…
                        </Button>
                      </td>
                    </tr>
                    {resetting === p.id && (
                      <tr>
                        <td colSpan={7} className="bg-slate-50 px-3 py-3">
                          <PasswordReset
                            person={p}
                            onDone={(ok) => {
                              setResetting(null);
                              setMessage({ ok });
                            }}
                          />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * An admin resets someone's password: set one now (share it privately), or make a one-time link the person opens to
 * choose their own. Either way their sessions end when the new password is set.
 */
function PasswordReset({ person, onDone }: { person: { id: string; name: string }; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const setPassword = useMutation(trpc.user.setPassword.mutationOptions());
  const createLink = useMutation(trpc.user.createResetLink.mutationOptions());
  const [password, setPasswordValue] = useState("");
  const [error, setError] = useState<FormError | null>(null);
  const [link, setLink] = useState<{ url: string; expiresAt: Date } | null>(null);
  const name = `password-${person.id}`;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = setPasswordSchema.safeParse({ userId: person.id, password });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      await setPassword.mutateAsync(parsed.data);
      onDone(`New password set for ${person.name}; they were signed out everywhere. Share the password with them privately.`);
    } catch (err) {
      setError(fromServer(err));
    }
  }

  async function makeLink() {
    setError(null);
    try {
      const created = await createLink.mutateAsync({ userId: person.id });
      setLink({ url: `${window.location.origin}/reset-password/${created.token}`, expiresAt: created.expiresAt });
    } catch (err) {
      setError(fromServer(err));
    }
  }

  return (
    <div className="grid gap-4 md:grid-cols-2" data-testid={`password-reset-${person.id}`}>
      <form onSubmit={onSubmit} noValidate className="space-y-2" aria-label={`Set a new password for ${person.name}`}>
        <Field label={`New password for ${person.name}`} name={name} error={error?.fields.password} hint="At least 8 characters.">
          <input {...fieldProps(name, error?.fields.password)} type="password" autoComplete="new-password" className={inputClass} value={password} onChange={(e) => setPasswordValue(e.target.value)} />
        </Field>
        <Button type="submit" className="text-xs" disabled={setPassword.isPending}>{setPassword.isPending ? "Setting…" : "Set password"}</Button>
      </form>
      <div className="space-y-2 text-sm">
        <p className="font-medium text-slate-700">Or let them choose one</p>
        <p className="text-xs text-slate-500">A link that works once, for a day. Making a new one cancels the previous one.</p>
        <Button variant="secondary" className="text-xs" disabled={createLink.isPending} onClick={() => void makeLink()}>
          {createLink.isPending ? "Creating…" : "Create reset link"}
        </Button>
        {link && (
          <div role="status" className="space-y-1 rounded-md bg-emerald-50 p-2">
            <p className="text-xs font-medium text-emerald-900">Copy this link now: it is not shown again. Valid until {formatDate(link.expiresAt)}.</p>
            <input readOnly aria-label="Reset link" data-testid="reset-link" className={`${inputClass} mt-0 font-mono text-xs`} value={link.url} onFocus={(e) => e.target.select()} />
          </div>
        )}
      </div>
      <div className="md:col-span-2">
        <FormMessage error={error?.message} />
      </div>
    </div>
  );
}

function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.user.create.mutationOptions());
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "ANNOTATOR" as Role });
  const [error, setError] = useState<FormError | null>(null);
  const [ok, setOk] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setOk(null);
    const parsed = createUserSchema.safeParse(form);
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      await create.mutateAsync(parsed.data);
      setError(null);
      setOk(`Account for ${parsed.data.email} created. Share the password with them privately.`);
      setForm({ email: "", name: "", password: "", role: "ANNOTATOR" });
      await queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="create-user-heading">
        <h2 id="create-user-heading" className="font-medium">Create an account</h2>
        <Field label="Email" name="new-email" error={fe("email")}>
          <input {...fieldProps("new-email", fe("email"))} type="email" autoComplete="off" className={inputClass} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <Field label="Name" name="new-name" error={fe("name")}>
          <input {...fieldProps("new-name", fe("name"))} className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="Password" name="new-password" error={fe("password")} hint="At least 8 characters.">
          <input {...fieldProps("new-password", fe("password"))} type="password" autoComplete="new-password" className={inputClass} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        </Field>
        <Field label="Role" name="new-role" error={fe("role")}>
          <select {...fieldProps("new-role", fe("role"))} className={inputClass} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            <option value="ANNOTATOR">Annotator</option>
            <option value="ADMIN">Admin</option>
          </select>
        </Field>
        <Button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create account"}</Button>
        <FormMessage error={error?.message} ok={ok} />
      </form>
    </Card>
  );
}

function InviteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.invite.create.mutationOptions());
  const [form, setForm] = useState({ email: "", role: "ANNOTATOR" as Role, projectIds: [] as string[], expiresInDays: String(INVITE_DEFAULT_DAYS) });
  const [error, setError] = useState<FormError | null>(null);
  const [link, setLink] = useState<{ url: string; expiresAt: Date } | null>(null);
  const [copied, setCopied] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setLink(null);
    setCopied(false);
    const parsed = createInviteSchema.safeParse({ ...form, expiresInDays: Number(form.expiresInDays) });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      const invite = await create.mutateAsync(parsed.data);
      setError(null);
      setLink({ url: `${window.location.origin}/invite/${invite.token}`, expiresAt: invite.expiresAt });
      setForm({ email: "", role: "ANNOTATOR", projectIds: [], expiresInDays: String(INVITE_DEFAULT_DAYS) });
      await queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey() });
    } catch (err) {
      setError(fromServer(err));
    }
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="invite-heading">
        <h2 id="invite-heading" className="font-medium">Invite by link</h2>
        <p className="text-xs text-slate-500">The person opens the link, chooses a name and password, and is signed in. A link works once.</p>
        <Field label="Email (optional)" name="invite-email" error={fe("email")} hint="Leave empty to let the person enter their own.">
          <input {...fieldProps("invite-email", fe("email"))} type="email" autoComplete="off" className={inputClass} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Role" name="invite-role" error={fe("role")}>
            <select {...fieldProps("invite-role", fe("role"))} className={inputClass} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              <option value="ANNOTATOR">Annotator</option>
              <option value="ADMIN">Admin</option>
            </select>
          </Field>
          <Field label="Expires after (days)" name="invite-days" error={fe("expiresInDays")}>
            <input {...fieldProps("invite-days", fe("expiresInDays"))} type="number" min={1} max={30} className={inputClass} value={form.expiresInDays} onChange={(e) => setForm({ ...form, expiresInDays: e.target.value })} />
          </Field>
        </div>
        <Field label="Projects" name="invite-projects" error={fe("projectIds")} hint="The new account becomes a member of these.">
          <ProjectPicker name="invite-projects" value={form.projectIds} onChange={(projectIds) => setForm({ ...form, projectIds })} />
        </Field>
        <Button type="submit" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create invite link"}</Button>
        <FormMessage error={error?.message} />
        {link && (
          <div role="status" className="space-y-2 rounded-md bg-emerald-50 p-3 text-sm">
            <p className="font-medium text-emerald-900">Copy this link now: it is not shown again.</p>
            <div className="flex gap-2">
              <input readOnly aria-label="Invite link" data-testid="invite-link" className={`${inputClass} mt-0 font-mono text-xs`} value={link.url} onFocus={(e) => e.target.select()} />
              <Button
                variant="secondary"
                onClick={async () => {
                  await navigator.clipboard.writeText(link.url);
                  setCopied(true);
                }}
              >
                {copied ? "Copied" : "Copy"}
              </Button>
            </div>
            <p className="text-xs text-emerald-800">Valid until {formatDate(link.expiresAt)}.</p>
          </div>
        )}
      </form>
    </Card>
  );
}

function InviteList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invites = useQuery(trpc.invite.list.queryOptions());
  const projects = useProjects();
  const revoke = useMutation(trpc.invite.revoke.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const projectName = new Map((projects.data ?? []).map((p) => [p.id, p.name]));
  if (!invites.data || invites.data.length === 0) return null;
  return (
    <section className="space-y-2" aria-labelledby="invites-heading">
      <h2 id="invites-heading" className="text-lg font-medium">Invites</h2>
      <FormMessage error={error} />
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2">For</th>
              <th scope="col" className="px-3 py-2">Role</th>
              <th scope="col" className="px-3 py-2">Projects</th>
              <th scope="col" className="px-3 py-2">Status</th>
              <th scope="col" className="px-3 py-2">Expires</th>
              <th scope="col" className="px-3 py-2">By</th>
              <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {invites.data.map((i) => (
              <tr key={i.id}>
                <td className="px-3 py-2">{i.email ?? <span className="text-slate-400">anyone with the link</span>}</td>
                <td className="px-3 py-2">{i.role.toLowerCase()}</td>
                <td className="px-3 py-2 text-xs">{i.projectIds.map((id) => projectName.get(id) ?? "deleted project").join(", ") || "—"}</td>
                <td className="px-3 py-2">{i.status === "used" ? `used ${formatDate(i.usedAt)}` : i.status}</td>
                <td className="px-3 py-2 whitespace-nowrap">{formatDate(i.expiresAt)}</td>
                <td className="px-3 py-2">{i.createdBy.name}</td>
                <td className="px-3 py-2">
                  {i.status === "pending" && (
                    <Button
                      variant="ghost"
                      className="py-0.5 text-xs text-red-700"
                      disabled={revoke.isPending}
                      onClick={async () => {
                        await rowAction(() => revoke.mutateAsync({ id: i.id }), () => queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey() }), setError);
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
    </section>
  );
}
