import { Providers } from "@/components/trpc";
import { ChangePasswordForm } from "@/components/account/change-password-form";
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
      <Card>
        <Providers><ChangePasswordForm email={user.email} /></Providers>
      </Card>
    </div>
  );
}
