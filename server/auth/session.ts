// Session helpers for Server Components (route handlers read the session in server/api/route.ts). The JWT says who
// signed in; the database says whether that person is still active, what role they hold now and whether the session
// was ended (password change, sign-out), so deactivation, role changes and sign-outs apply at once rather than when
// the token expires. The same check as the tRPC context's (activeUser on the token's session), read from this
// request's cookies.
import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { sessionFromCookies } from "@/server/auth/jwt";
import type { Role } from "@/server/generated/prisma/client";
import { activeUser } from "@/server/services/users";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Once per request (React cache): the layout and the page both ask. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const jar = await cookies();
  const session = await sessionFromCookies(Object.fromEntries(jar.getAll().map((c) => [c.name, c.value])));
  return session ? activeUser(session) : null;
});

/** For pages: sends anonymous visitors to sign in. */
export async function requireUser(callbackUrl = "/"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return user;
}

/** For admin pages: anonymous → sign in; annotators → the 403 page. */
export async function requireAdmin(callbackUrl = "/admin"): Promise<SessionUser> {
  const user = await requireUser(callbackUrl);
  if (user.role !== "ADMIN") redirect("/forbidden");
  return user;
}
