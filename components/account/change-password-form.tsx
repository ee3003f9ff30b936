"use client";
// The account page's form: current password, new password twice. The change ends every session of the account, this
// one included, so the form signs in again with the new password: the person stays signed in here and nowhere else.
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { NewPasswordFields } from "@/components/account/password-fields";
import { Field, fieldProps, FormMessage, fromServer, fromZod, inputClass, type FormError } from "@/components/admin/form";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { changePasswordSchema } from "@/server/schemas/user";

const EMPTY = { currentPassword: "", newPassword: "", confirm: "" };

export function ChangePasswordForm({ email }: { email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const change = useMutation(trpc.account.changePassword.mutationOptions());
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<FormError | null>(null);
  const [ok, setOk] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setOk(null);
    const parsed = changePasswordSchema.safeParse(form);
    if (!parsed.success) return setError(fromZod(parsed.error));
    try {
      await change.mutateAsync(parsed.data);
    } catch (err) {
      return setError(fromServer(err));
    }
    setError(null);
    setSigningIn(true);
    const res = await signIn("credentials", { email, password: parsed.data.newPassword, redirect: false });
    setSigningIn(false);
    if (!res || res.error) {
      router.push("/signin?callbackUrl=/account");
      return;
    }
    setForm(EMPTY);
    setOk("Password changed. Every other session of your account was signed out.");
    router.refresh();
  }

  const fe = (k: string) => error?.fields[k];
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-labelledby="change-password-heading">
      <h2 id="change-password-heading" className="font-medium">Change your password</h2>
      <input type="hidden" autoComplete="username" value={email} readOnly />
      <Field label="Current password" name="currentPassword" error={fe("currentPassword")}>
        <input
          {...fieldProps("currentPassword", fe("currentPassword"))}
          type="password"
          autoComplete="current-password"
          className={inputClass}
          value={form.currentPassword}
          onChange={(e) => setForm({ ...form, currentPassword: e.target.value })}
        />
      </Field>
      <NewPasswordFields
        name="newPassword"
        value={form.newPassword}
        confirm={form.confirm}
        errors={error?.fields}
        onChange={({ value, confirm }) => setForm({ ...form, newPassword: value, confirm })}
      />
      <FormMessage error={error?.message} ok={ok} />
      <Button type="submit" disabled={change.isPending || signingIn}>
        {change.isPending ? "Changing…" : signingIn ? "Signing in again…" : "Change password"}
      </Button>
    </form>
  );
}
