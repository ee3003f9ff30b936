import { LinkPage } from "@/components/account/link-page";
import { SetupForm } from "@/components/account/setup-form";
import { Providers } from "@/components/trpc";
import { orRefusal, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/** The link `npm start` prints while the install has no admin. */
export default async function SetupPage({ params }: { params: Promise<{ token: string }> }) {
  const token = decodeURIComponent((await params).token);
  const link = await page(`/setup/${encodeURIComponent(token)}`, (api) => orRefusal(api.account.inspectSetup({ token })));
  return (
    <LinkPage title="Set up RLHF Studio" refused={"refused" in link ? link.refused : null}>
      {!("refused" in link) && (
        <>
          <p className="text-sm text-slate-600">
            Create the first admin account. This link works once, until {link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC; the admin
            then adds everyone else under People.
          </p>
          <Providers><SetupForm token={token} /></Providers>
        </>
      )}
    </LinkPage>
  );
}
