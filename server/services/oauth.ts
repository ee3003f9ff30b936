// Who an OAuth/OIDC sign-in is. Sign-in by provider is only for people an admin already added (as a user or by
// invite): nobody signs themselves up. A provider account is linked to a user once — on a first sign-in whose email
// the provider vouches for (verified) and which matches an active user — and from then on identifies that user by
// the provider's account id alone: the email at the provider may change, and an email a provider did not verify
// proves nothing (at some providers anyone can put any address on their account).
import { db } from "@/server/db";
import type { Role } from "@/server/generated/prisma/client";

export type OAuthSignIn =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "unverified" | "not_invited" | "inactive" };

const userSelect = { id: true, email: true, name: true, role: true, active: true } as const;

function answer(user: { id: string; email: string; name: string; role: Role; active: boolean }): OAuthSignIn {
  const { active, ...rest } = user;
  return active ? { ok: true, user: rest } : { ok: false, reason: "inactive" };
}

export async function resolveOAuthUser(opts: {
  provider: string;
  providerAccountId: string;
  /** the email the provider returned, if any */
  email: string | null;
  /** whether the provider says it verified that email */
  emailVerified: boolean;
}): Promise<OAuthSignIn> {
  const account = { provider: opts.provider, providerAccountId: opts.providerAccountId };
  const linked = await db.oAuthAccount.findUnique({ where: { provider_providerAccountId: account }, select: { user: { select: userSelect } } });
  if (linked) return answer(linked.user);
  // checked before the lookup, so the answer does not reveal whether the address belongs to anyone
  if (!opts.email || !opts.emailVerified) return { ok: false, reason: "unverified" };
  const user = await db.user.findUnique({ where: { email: opts.email.trim().toLowerCase() }, select: userSelect });
  if (!user) return { ok: false, reason: "not_invited" };
  if (!user.active) return { ok: false, reason: "inactive" };
  // two first sign-ins at once both get here; the unique (provider, account id) keeps one link, which both then use
  await db.oAuthAccount.createMany({ data: [{ ...account, userId: user.id }], skipDuplicates: true });
  const link = await db.oAuthAccount.findUniqueOrThrow({ where: { provider_providerAccountId: account }, select: { user: { select: userSelect } } });
  return answer(link.user);
}
