import { TokensAdmin } from "@/components/admin/tokens-admin";
import { requireAdmin } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function TokensPage() {
  await requireAdmin("/admin/tokens");
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">API tokens</h1>
        <p className="text-sm text-slate-600">
          Personal tokens for the HTTP API and scripts: a token acts as you. Only a hash is stored, so a lost token cannot be shown
          again — revoke it and create a new one.
        </p>
      </div>
      <TokensAdmin />
    </div>
  );
}
