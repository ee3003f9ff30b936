"use client";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { waitText } from "@/server/wait";

const messages: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  Inactive: "This account is deactivated. Ask an admin.",
  NotInvited: "That account is not registered here. Ask an admin for an invite.",
  EmailNotVerified: "Your account at that provider has no verified email address. Verify it there, then try again.",
};

/** The message for next-auth's error code; "RateLimited:<seconds>" carries the wait. */
function messageFor(code: string): string {
  const limited = /^RateLimited:(\d+)$/.exec(code);
  if (limited) return `Too many sign-in attempts. Try again in ${waitText(Number(limited[1]))}.`;
  return messages[code] ?? "Sign-in failed.";
}

export function SignInForm({ callbackUrl, providers, initialError }: { callbackUrl: string; providers: { id: string; name: string }[]; initialError?: string }) {
  const [error, setError] = useState<string | null>(initialError ? messageFor(initialError) : null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const res = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    setPending(false);
    if (!res || res.error) {
      setError(messageFor(res?.error ?? ""));
      return;
    }
    // a full page load, not router.push + refresh: that renders the target twice, and an annotation page rendered
    // twice at once claims two items
    const target = new URL(callbackUrl, window.location.href);
    window.location.assign(target.origin === window.location.origin ? target.pathname + target.search + target.hash : "/");
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-3" aria-label="Sign in">
        <label className="block text-sm">
          <span className="text-slate-700">Email</span>
          <input name="email" type="email" required autoComplete="username" autoFocus className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
        </label>
        <label className="block text-sm">
          <span className="text-slate-700">Password</span>
          <input name="password" type="password" required autoComplete="current-password" className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
        </label>
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
        <Button type="submit" disabled={pending} className="w-full justify-center">{pending ? "Signing in…" : "Sign in"}</Button>
      </form>
      {providers.length > 0 && (
        <div className="space-y-2 border-t border-slate-200 pt-4">
          {providers.map((p) => (
            <Button key={p.id} variant="secondary" className="w-full justify-center" onClick={() => void signIn(p.id, { callbackUrl })}>
              Continue with {p.name}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}
