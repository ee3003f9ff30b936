// next-auth v4 configuration: credentials (the default) plus optional GitHub, Google and generic OIDC
// providers when their env vars are set. Sessions are JWTs so any app instance can serve any request.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GithubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import type { Provider } from "next-auth/providers/index";
import { z } from "zod";
import { decode, encode } from "@/server/auth/jwt";
import { db } from "@/server/db";
import { authSecret, env } from "@/server/env";
import type { Role } from "@/server/generated/prisma/client";
import { endSessions, sessionVersion, verifyCredentials } from "@/server/services/users";

const credentialsSchema = z.object({ email: z.string().email(), password: z.string().min(1).max(1024) });

function clientIp(headers: Record<string, unknown> | undefined): string {
  const fwd = headers?.["x-forwarded-for"];
  const first = typeof fwd === "string" ? fwd.split(",")[0]?.trim() : undefined;
  return first || "unknown";
}

function oauthProviders(): Provider[] {
  const providers: Provider[] = [];
  if (env.GITHUB_ID && env.GITHUB_SECRET) {
    providers.push(GithubProvider({ clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET }));
  }
  if (env.GOOGLE_ID && env.GOOGLE_SECRET) {
    providers.push(GoogleProvider({ clientId: env.GOOGLE_ID, clientSecret: env.GOOGLE_SECRET }));
  }
  if (env.OIDC_ISSUER && env.OIDC_ID && env.OIDC_SECRET) {
    providers.push({
      id: "oidc",
      name: env.OIDC_NAME,
      type: "oauth",
      wellKnown: `${env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: env.OIDC_ID,
      clientSecret: env.OIDC_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    });
  }
  return providers;
}

export function enabledOAuthProviders(): { id: string; name: string }[] {
  return oauthProviders().map((p) => ({ id: p.id, name: p.name }));
}

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role };
  }
  interface User {
    role?: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
    /** the user's session version at sign-in (server/services/users.ts: activeUser) */
    sv?: number;
  }
}

export const authOptions: NextAuthOptions = {
  secret: authSecret(),
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  jwt: { encode, decode },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await verifyCredentials({ ...parsed.data, ip: clientIp(req?.headers) });
        if (!result.ok) {
          // next-auth turns a thrown error into ?error=<message> on the sign-in page.
          if (result.reason === "rate_limited") throw new Error("RateLimited");
          if (result.reason === "inactive") throw new Error("Inactive");
          return null;
        }
        return { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role };
      },
    }),
    ...oauthProviders(),
  ],
  events: {
    // A JWT cannot be withdrawn, so sign-out ends the user's sessions server-side: a copied cookie stops working too.
    async signOut({ token }) {
      if (token?.uid) await endSessions({ userId: token.uid, sessionVersion: token.sv ?? 0 });
    },
  },
  callbacks: {
    // OAuth sign-in is for people an admin already added (by user or invite): no self sign-up.
    async signIn({ user, account, profile }) {
      if (!account || account.provider === "credentials") return true;
      const email = (user.email ?? (profile as { email?: string } | undefined)?.email ?? "").toLowerCase();
      if (!email) return false;
      const existing = await db.user.findUnique({ where: { email } });
      if (!existing || !existing.active) return "/signin?error=NotInvited";
      await db.oAuthAccount.upsert({
        where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
        update: {},
        create: { provider: account.provider, providerAccountId: account.providerAccountId, userId: existing.id },
      });
      user.id = existing.id;
      user.role = existing.role;
      return true;
    },
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = user.role;
        token.sv = await sessionVersion(user.id);
      }
      return token;
    },
    async session({ session, token }) {
      session.user = {
        id: token.uid ?? "",
        email: token.email ?? "",
        name: token.name ?? "",
        role: token.role ?? "ANNOTATOR",
      };
      return session;
    },
  },
};
