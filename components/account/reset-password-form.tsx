"use client";
// A password reset link's form: the person chooses a new password and is signed in with it.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { NewPasswordFields } from "@/components/account/password-fields";
import { FormMessage, fromServer, fromZod, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { completeResetSchema } from "@/server/schemas/user";

export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const reset = useMutation(trpc.account.completeReset.mutationOptions());
  const [form, setForm] = useState({ password: "", confirm: "" });
  const [error, setError] = useState<FormError | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = completeResetSchema.safeParse({ token, ...form });
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      await reset.mutateAsync(parsed.data);
    } catch (err) {
      return setError(fromServer(err));
    }
    setError(null);
    setSigningIn(true);
    const res = await signIn("credentials", { email, password: parsed.data.password, redirect: false });
    // "/" sends each role to its landing page
    router.push(!res || res.error ? "/signin" : "/");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label="Choose a new password">
      <input type="hidden" autoComplete="username" value={email} readOnly />
      <NewPasswordFields name="password" value={form.password} confirm={form.confirm} errors={error?.fields} onChange={({ value, confirm }) => setForm({ password: value, confirm })} />
      <FormMessage error={error?.message} />
      <Button type="submit" disabled={reset.isPending || signingIn} className="w-full justify-center">
        {reset.isPending ? "Saving…" : signingIn ? "Signing in…" : "Set password and sign in"}
      </Button>
    </form>
  );
}
