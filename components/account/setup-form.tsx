"use client";
// The setup link's form: the first admin of a fresh install chooses an email, name and password, and is signed in.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { NewPasswordFields } from "@/components/account/password-fields";
import { Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { completeSetupSchema } from "@/server/schemas/user";

export function SetupForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const setup = useMutation(trpc.account.completeSetup.mutationOptions());
  const [form, setForm] = useState({ email: "", name: "", password: "", confirm: "" });
  const [error, setError] = useState<FormError | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = completeSetupSchema.safeParse({ token, ...form });
    if (!parsed.success) return setError(fromZod(parsed.error));
    let admin: { email: string };
    try {
      admin = await setup.mutateAsync(parsed.data);
    } catch (err) {
      return setError(fromServer(err));
    }
    setError(null);
    setSigningIn(true);
    const res = await signIn("credentials", { email: admin.email, password: parsed.data.password, redirect: false });
    router.push(!res || res.error ? "/signin?callbackUrl=/admin" : "/admin");
    router.refresh();
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Create the first admin">
      <Field label="Email" name="email" error={fe("email")}>
        <input {...fieldProps("email", fe("email"))} type="email" autoComplete="username" autoFocus className={inputClass} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
      </Field>
      <Field label="Your name" name="name" error={fe("name")}>
        <input {...fieldProps("name", fe("name"))} autoComplete="name" className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </Field>
      <NewPasswordFields name="password" label="Password" value={form.password} confirm={form.confirm} errors={error?.fields} onChange={({ value, confirm }) => setForm({ ...form, password: value, confirm })} />
      <FormMessage error={error?.message} />
      <Button type="submit" disabled={setup.isPending || signingIn} className="w-full justify-center">
        {setup.isPending ? "Creating the admin…" : signingIn ? "Signing in…" : "Create admin and sign in"}
      </Button>
    </form>
  );
}
