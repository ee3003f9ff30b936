// Session helpers for Server Components and route handlers. The JWT says who signed in; the database says
// whether that person is still active and what role they hold now, so deactivation and role changes apply
// at once rather than when the token expires.
import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/server/auth/options";
import { db } from "@/server/db";
import type { Role } from "@/server/generated/prisma/client";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true, active: true } });
  if (!user || !user.active) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

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
