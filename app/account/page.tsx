import { Providers } from "@/components/trpc";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { TokensAdmin } from "@/components/admin/tokens-admin";
import { ANNOTATOR_SCOPES } from "@/server/schemas/token";
import { Card } from "@/components/ui/card";
import { requireUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireUser("/account");
  return (
    <div className="mx-auto max-w-md space-y-4">
      <h1 className="text-xl font-semibold">Your account</h1>
      <dl className="text-sm">
        <div className="flex gap-3 py-0.5"><dt className="w-16 text-slate-500">Name</dt><dd>{user.name}</dd></div>
        <div className="flex gap-3 py-0.5"><dt className="w-16 text-slate-500">Email</dt><dd>{user.email}</dd></div>
        <div className="flex gap-3 py-0.5"><dt className="w-16 text-slate-500">Role</dt><dd>{user.role.toLowerCase()}</dd></div>
      </dl>
      <p className="text-sm"><a href="/account/statistics" className="text-indigo-700 underline">Your statistics</a>: your judgements per project, per day and your pace.</p>
      <Card>
        <Providers><ChangePasswordForm email={user.email} /></Providers>
      </Card>
      <section aria-labelledby="tokens-heading-account" className="space-y-2">
        <h2 id="tokens-heading-account" className="text-lg font-medium">API tokens</h2>
        {user.role === "ADMIN" ? (
          <p className="text-sm text-slate-600">Yours are under <a className="text-indigo-700 underline" href="/admin/tokens">Admin → API tokens</a>.</p>
        ) : (
          <>
            <p className="text-sm text-slate-600">
              Read your projects and your own judgements from scripts (<a className="text-indigo-700 underline" href="/api-docs">API reference</a>).
            </p>
            <Providers><TokensAdmin scopes={ANNOTATOR_SCOPES} /></Providers>
          </>
        )}
      </section>
    </div>
  );
}
