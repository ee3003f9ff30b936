// The page behind a one-time link (an invite, the setup link, a password reset): its form, or why the link no
// longer works with the way back to sign-in.
import Link from "next/link";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";

export function LinkPage({ title, refused, children }: { title: string; refused: string | null; children: ReactNode }) {
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card>
        <h1 className="mb-4 text-lg font-semibold">{title}</h1>
        {refused !== null ? (
          <div className="space-y-3">
            <p role="alert" className="text-sm text-red-700">{refused}</p>
            <Link href="/signin" className="text-sm text-indigo-700 underline">Go to sign-in</Link>
          </div>
        ) : (
          <div className="space-y-4">{children}</div>
        )}
      </Card>
    </div>
  );
}
