// next-auth v4 configuration: credentials (the default) plus optional GitHub, Google and generic OIDC
// providers when their env vars are set (server/auth/providers.ts). Sessions are JWTs so any app instance can serve
// any request.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { decode, encode } from "@/server/auth/jwt";
import * as audit from "@/server/services/audit";
import { oauthProviders } from "@/server/auth/providers";
import { sameOriginPath } from "@/server/auth/redirect";
import { CLIENT_ADDRESS_HEADER } from "@/server/client-address";
import type { Role } from "@/server/generated/prisma/client";
import { authSecret } from "@/server/secret";
import { resolveOAuthUser, type OAuthSignIn } from "@/server/services/oauth";
import { endSessions, sessionVersion, verifyCredentials } from "@/server/services/users";

const credentialsSchema = z.object({ email: z.string().email(), password: z.string().min(1).max(1024) });

/** The address server/web.ts worked out for this request, or null when it did not (tests calling in directly). */
function clientIp(headers: Record<string, unknown> | undefined): string | null {
  const address = headers?.[CLIENT_ADDRESS_HEADER];
  return typeof address === "string" && address ? address : null;
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

/** Error codes on the sign-in page (components/auth/sign-in-form.tsx says what they mean). */
const oauthErrors: Record<Extract<OAuthSignIn, { ok: false }>["reason"], string> = {
  unverified: "EmailNotVerified",
  not_invited: "NotInvited",
  inactive: "Inactive",
};

export const authOptions: NextAuthOptions = {
  // read when next-auth handles a request, not when the module loads (`next build` loads it and signs nothing)
  get secret() {
    return authSecret();
  },
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  jwt: { encode, decode },
  // errors too: next-auth's own error page is an API response, whose policy allows no styles
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await verifyCredentials({ ...parsed.data, ip: clientIp(req?.headers) });
        if (!result.ok) {
          // next-auth turns a thrown error into ?error=<message> on the sign-in page; the form reads the wait from
          // "RateLimited:<seconds>"
          if (result.reason === "rate_limited") throw new Error(`RateLimited:${result.retryAfterSeconds}`);
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
    // OAuth sign-in: the user a provider account is linked to, else an invited user the provider's verified email
    // names (server/services/oauth.ts).
    async signIn({ user, account, profile }) {
      if (!account || account.provider === "credentials") return true;
      const claims = (profile ?? {}) as { email?: unknown; email_verified?: unknown };
      const result = await resolveOAuthUser({
        provider: account.provider,
        providerAccountId: account.providerAccountId,
        email: typeof claims.email === "string" ? claims.email : null,
        emailVerified: claims.email_verified === true,
      });
      await audit.recordSignIn({
        success: result.ok,
        email: typeof claims.email === "string" ? claims.email : "",
        userId: result.ok ? result.user.id : null,
        method: account.provider,
        ...(result.ok ? {} : { reason: result.reason.replace("_", " ") }),
      });
      if (!result.ok) return `/signin?error=${oauthErrors[result.reason]}`;
      // the session is ours, whatever name and address the provider has for the person now
      Object.assign(user, result.user);
      return true;
    },
    // next-auth's own check compares prefixes; this one parses, as the browser will
    redirect({ url, baseUrl }) {
      const path = sameOriginPath(url, baseUrl);
      return path === null ? baseUrl : new URL(path, baseUrl).toString();
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
