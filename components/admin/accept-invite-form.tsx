"use client";
// The invited person chooses a name and password; the account is created, then they are signed in.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { acceptInviteSchema } from "@/server/schemas/invite";

export function AcceptInviteForm({ token, email }: { token: string; email: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.invite.accept.mutationOptions());
  const [form, setForm] = useState({ name: "", email: email ?? "", password: "", confirm: "" });
  const [error, setError] = useState<FormError | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setError({ message: "The passwords do not match.", fields: { confirm: "does not match the password" } });
      return;
    }
    const parsed = acceptInviteSchema.safeParse({ token, name: form.name, email: email ? undefined : form.email, password: form.password });
    if (!parsed.success) return setError(fromZod(parsed.error));
    if (!email && !parsed.data.email) return setError({ message: "Enter your email address.", fields: { email: "required" } });
    let account: { email: string };
    try {
      account = await accept.mutateAsync(parsed.data);
    } catch (err) {
      return setError(fromServer(err));
    }
    setError(null);
    setSigningIn(true);
    const res = await signIn("credentials", { email: account.email, password: form.password, redirect: false });
    if (!res || res.error) {
      setSigningIn(false);
      router.push("/signin?callbackUrl=/annotate");
      return;
    }
    router.push("/annotate");
    router.refresh();
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Accept the invite">
      <Field label="Email" name="email" error={fe("email")}>
        <input
          {...fieldProps("email", fe("email"))}
          type="email"
          autoComplete="username"
          className={inputClass}
          value={form.email}
          readOnly={Boolean(email)}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
      </Field>
      <Field label="Your name" name="name" error={fe("name")}>
        <input {...fieldProps("name", fe("name"))} autoComplete="name" autoFocus className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <Field label="Password" name="password" error={fe("password")} hint="At least 8 characters.">
        <input {...fieldProps("password", fe("password"))} type="password" autoComplete="new-password" className={inputClass} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </Field>
      <Field label="Repeat the password" name="confirm" error={fe("confirm")}>
        <input {...fieldProps("confirm", fe("confirm"))} type="password" autoComplete="new-password" className={inputClass} value={form.confirm} onChange={(e) => setForm({ ...form, confirm: e.target.value })} />
      </Field>
      <FormMessage error={error?.message} />
      <Button type="submit" disabled={accept.isPending || signingIn} className="w-full justify-center">
        {accept.isPending ? "Creating your account…" : signingIn ? "Signing in…" : "Create account and sign in"}
      </Button>
    </form>
  );
}
