import { Providers } from "@/components/trpc";
import Link from "next/link";
import { ResetPasswordForm } from "@/components/account/reset-password-form";
import { Card } from "@/components/ui/card";
import { orRefusal, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/** A password reset link an admin issued under People. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const token = decodeURIComponent((await params).token);
  const link = await page(`/reset-password/${encodeURIComponent(token)}`, (api) => orRefusal(api.account.inspectReset({ token })));
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card>
        <h1 className="mb-4 text-lg font-semibold">Choose a new password</h1>
        {"refused" in link ? (
          <div className="space-y-3">
            <p role="alert" className="text-sm text-red-700">{link.refused}</p>
            <Link href="/signin" className="text-sm text-indigo-700 underline">Go to sign-in</Link>
          </div>
        ) : (
          <div className="space-y-4">
            <p className="text-sm text-slate-600">
              For {link.name} ({link.email}). The link works once; setting the password signs you out everywhere else.
            </p>
            <Providers><ResetPasswordForm token={token} email={link.email} /></Providers>
          </div>
        )}
      </Card>
    </div>
  );
}
