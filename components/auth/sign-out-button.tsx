"use client";
import { signOut } from "next-auth/react";

/**
 * Signs out (the server ends the account's sessions: server/auth/options.ts events.signOut), then goes to the sign-in
 * page of the host the browser is on. next-auth's own redirect would go to NEXTAUTH_URL, which is localhost unless
 * configured, wherever the site was browsed.
 */
export function SignOutButton() {
  return (
    <button
      type="button"
      className="text-slate-700 hover:text-slate-900"
      onClick={async () => {
        await signOut({ redirect: false });
        window.location.assign("/signin");
      }}
    >
      Sign out
    </button>
  );
}
