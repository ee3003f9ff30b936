import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { currentUser } from "@/server/auth/session";
import "./globals.css";

export const metadata: Metadata = {
  title: "RLHF Studio",
  description: "Collect preference judgements; train reward models and policies.",
};

// The header's links are plain <a> (full page loads): next/link's client code would otherwise ride along in the
// first load of every page, the annotation page included, for links people rarely click.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900">
        <header className="h-[var(--header-h)] border-b border-slate-200 bg-white">
          <nav className="mx-auto flex h-full max-w-7xl items-center gap-4 px-4 text-sm">
            <a href="/" className="whitespace-nowrap font-semibold text-indigo-700">RLHF Studio</a>
            {user && <a href="/annotate" className="text-slate-700 hover:text-slate-900">Annotate</a>}
            {user?.role === "ADMIN" && <a href="/review" className="text-slate-700 hover:text-slate-900">Review</a>}
            {user?.role === "ADMIN" && <a href="/admin" className="text-slate-700 hover:text-slate-900">Admin</a>}
            <span className="ml-auto" />
            {user ? (
              <>
                <a href="/account" className="truncate text-slate-500 hover:text-slate-900" data-testid="whoami" title="Your account and password">
                  {user.name} · {user.role.toLowerCase()}
                </a>
                <SignOutButton />
              </>
            ) : (
              <a href="/signin" className="text-indigo-700">Sign in</a>
            )}
          </nav>
        </header>
        <main className="mx-auto max-w-7xl px-4 pt-3">{children}</main>
      </body>
    </html>
  );
}
