import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { Providers } from "@/components/trpc";
import { currentUser } from "@/server/auth/session";
import "./globals.css";

export const metadata: Metadata = {
  title: "RLHF Studio",
  description: "Collect preference judgements; train reward models and policies.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900">
        <Providers>
          <header className="border-b border-slate-200 bg-white">
            <nav className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-2 text-sm">
              <Link href="/" className="font-semibold text-indigo-700">RLHF Studio</Link>
              {user && <Link href="/annotate" className="text-slate-700 hover:text-slate-900">Annotate</Link>}
              {user?.role === "ADMIN" && <Link href="/admin" className="text-slate-700 hover:text-slate-900">Admin</Link>}
              <span className="ml-auto" />
              {user ? (
                <>
                  <Link href="/account" className="text-slate-500 hover:text-slate-900" data-testid="whoami" title="Your account and password">
                    {user.name} · {user.role.toLowerCase()}
                  </Link>
                  <SignOutButton />
                </>
              ) : (
                <Link href="/signin" className="text-indigo-700">Sign in</Link>
              )}
            </nav>
          </header>
          <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
