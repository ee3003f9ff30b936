"use client";
// Signs out through next-auth's own endpoint (its CSRF token, then POST /api/auth/signout: the server ends the
// account's sessions, server/auth/options.ts events.signOut), then goes to the sign-in page of the host the browser
// is on — next-auth's own redirect would go to NEXTAUTH_URL, localhost unless configured. Hand-rolled rather than
// next-auth/react's signOut, which would put next-auth's client library into every page's first load.
import { useState } from "react";

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    try {
      const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
      await fetch("/api/auth/signout", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrfToken, callbackUrl: "/signin", json: "true" }),
      });
      window.location.assign("/signin");
    } catch {
      setBusy(false);
    }
  }
  return (
    <button type="button" disabled={busy} className="shrink-0 text-slate-700 hover:text-slate-900" onClick={() => void signOut()}>
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
