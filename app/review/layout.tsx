import type { ReactNode } from "react";
import { Providers } from "@/components/trpc";
import { requireUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

// Each page asks a reviewer procedure, which decides per project who may see it (admins and its reviewers).
export default async function ReviewLayout({ children }: { children: ReactNode }) {
  await requireUser("/review");
  return <Providers>{children}</Providers>;
}
