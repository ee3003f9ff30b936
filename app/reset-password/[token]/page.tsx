import { LinkPage } from "@/components/account/link-page";
import { ResetPasswordForm } from "@/components/account/reset-password-form";
import { Providers } from "@/components/trpc";
import { orRefusal, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/** A password reset link an admin issued under People. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const token = decodeURIComponent((await params).token);
  const link = await page(`/reset-password/${encodeURIComponent(token)}`, (api) => orRefusal(api.account.inspectReset({ token })));
  return (
    <LinkPage title="Choose a new password" refused={"refused" in link ? link.refused : null}>
      {!("refused" in link) && (
        <>
          <p className="text-sm text-slate-600">
            For {link.name} ({link.email}). The link works once; setting the password signs you out everywhere else.
          </p>
          <Providers><ResetPasswordForm token={token} email={link.email} /></Providers>
        </>
      )}
    </LinkPage>
  );
}
