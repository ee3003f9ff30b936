import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { Providers } from "@/components/trpc";
import { requireAdmin } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdmin();
  return (
    <Providers>
      <div className="space-y-6">
        <AdminNav />
        {children}
      </div>
    </Providers>
  );
}
