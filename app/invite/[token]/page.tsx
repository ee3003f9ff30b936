import Link from "next/link";
import { AcceptInviteForm } from "@/components/admin/accept-invite-form";
import { Providers } from "@/components/trpc";
import { Card } from "@/components/ui/card";
import { currentUser } from "@/server/auth/session";
import { orRefusal, page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [user, invite] = await Promise.all([
    currentUser(),
    page(`/invite/${token}`, (api) => orRefusal(api.invite.inspect({ token: decodeURIComponent(token) }))),
  ]);
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card>
        <h1 className="mb-4 text-lg font-semibold">Join RLHF Studio</h1>
        {"refused" in invite ? (
          <div className="space-y-3">
            <p role="alert" className="text-sm text-red-700">{invite.refused}</p>
            <Link href="/signin" className="text-sm text-indigo-700 underline">Go to sign-in</Link>
          </div>
        ) : (
          <div className="space-y-4">
            <p className="text-sm text-slate-600">
              You are invited as {invite.role === "ADMIN" ? "an admin" : "an annotator"}. The link is valid until{" "}
              {invite.expiresAt.toISOString().slice(0, 10)} and works once.
            </p>
            {user && (
              <p className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
                You are signed in as {user.email}. Accepting creates a separate account and signs you in to it.
              </p>
            )}
            <Providers>
              <AcceptInviteForm token={decodeURIComponent(token)} email={invite.email} />
            </Providers>
          </div>
        )}
      </Card>
    </div>
  );
}
