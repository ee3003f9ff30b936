import { LinkPage } from "@/components/account/link-page";
import { AcceptInviteForm } from "@/components/admin/accept-invite-form";
import { Providers } from "@/components/trpc";
import { orRefusal, page } from "@/server/api/server";
import { currentUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [user, invite] = await Promise.all([
    currentUser(),
    page(`/invite/${token}`, (api) => orRefusal(api.invite.inspect({ token: decodeURIComponent(token) }))),
  ]);
  return (
    <LinkPage title="Join RLHF Studio" refused={"refused" in invite ? invite.refused : null}>
      {!("refused" in invite) && (
        <>
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
        </>
      )}
    </LinkPage>
  );
}
