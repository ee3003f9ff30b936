import { Providers } from "@/components/trpc";
import Link from "next/link";
import { SetupForm } from "@/components/account/setup-form";
import { Card } from "@/components/ui/card";
import { orRefusal, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

/** The link `npm start` prints while the install has no admin. */
export default async function SetupPage({ params }: { params: Promise<{ token: string }> }) {
  const token = decodeURIComponent((await params).token);
  const link = await page(`/setup/${encodeURIComponent(token)}`, (api) => orRefusal(api.account.inspectSetup({ token })));
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card>
        <h1 className="mb-4 text-lg font-semibold">Set up RLHF Studio</h1>
        {"refused" in link ? (
          <div className="space-y-3">
            <p role="alert" className="text-sm text-red-700">{link.refused}</p>
            <Link href="/signin" className="text-sm text-indigo-700 underline">Go to sign-in</Link>
          </div>
        ) : (
          <div className="space-y-4">
            <p className="text-sm text-slate-600">
              Create the first admin account. This link works once, until {link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC; the admin
              then adds everyone else under People.
            </p>
            <Providers><SetupForm token={token} /></Providers>
          </div>
        )}
      </Card>
    </div>
  );
}
