"use client";
// Signs out through next-auth's own endpoint (CSRF token, then POST /api/auth/signout), without loading
// next-auth's client library into every page's first load for this one button.
import { useState } from "react";

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    try {
      const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
      const res = await fetch("/api/auth/signout", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
        body: new URLSearchParams({ csrfToken, callbackUrl: "/signin", json: "true" }),
      });
      const { url } = (await res.json().catch(() => ({}))) as { url?: string };
      // the site's own sign-in page, on whatever host the visitor is using
      const target = url ? new URL(url, window.location.href) : null;
      window.location.assign(target && target.origin === window.location.origin ? target.pathname + target.search : "/signin");
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
