// The optional OAuth/OIDC providers (each when its env vars are set), configured so that every one of them hands
// the signIn callback the same two claims: `email`, and `email_verified` — true only when the provider vouches that
// the address belongs to the account (server/services/oauth.ts links by nothing less).
import GithubProvider from "next-auth/providers/github";
import GoogleProvider from "next-auth/providers/google";
import type { Provider } from "next-auth/providers/index";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { env } from "@/server/env";

interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * GitHub's /user shows whatever public address the account chose, verified or not: only the primary address from
 * /user/emails, and only when GitHub verified it, counts.
 */
export function githubVerifiedEmail(emails: unknown): { email: string | undefined; email_verified: boolean } {
  const list = Array.isArray(emails) ? (emails as Partial<GithubEmail>[]) : [];
  const primary = list.find((e) => e.primary === true && e.verified === true && typeof e.email === "string");
  // `email: undefined` rather than no key: it replaces the public address from /user
  return primary ? { email: primary.email!, email_verified: true } : { email: undefined, email_verified: false };
}

function github(): Provider {
  const userinfo: OAuthConfig<Record<string, unknown>>["userinfo"] = {
    url: "https://api.github.com/user",
    async request({ tokens, client }) {
      const profile = await client.userinfo(tokens.access_token!);
      const res = await fetch("https://api.github.com/user/emails", {
        headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: "application/vnd.github+json", "User-Agent": "rlhf-studio" },
      });
      // no readable list: no verified email, and the sign-in is refused unless the account is already linked
      return { ...profile, ...githubVerifiedEmail(res.ok ? await res.json() : []) };
    },
  };
  return GithubProvider({ clientId: env.GITHUB_ID!, clientSecret: env.GITHUB_SECRET!, userinfo });
}

interface OidcProfile extends Record<string, unknown> {
  sub: string;
  email?: string;
  name?: string;
}

/** A generic OpenID Connect provider found through its discovery document. */
function oidc(): OAuthConfig<OidcProfile> {
  return {
    id: "oidc",
    name: env.OIDC_NAME,
    type: "oauth",
    wellKnown: `${env.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: env.OIDC_ID,
    clientSecret: env.OIDC_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    userinfo: {
      // Some providers leave the email claims out of the ID token and serve them from the userinfo endpoint only
      // (openid-client checks that its `sub` is the ID token's).
      async request({ tokens, client }) {
        // next-auth hands over openid-client's TokenSet, typed as its plain parameters
        const tokenSet = tokens as Extract<Parameters<typeof client.userinfo>[0], object>;
        const claims = tokenSet.claims() as OidcProfile;
        return typeof claims.email === "string" ? claims : { ...claims, ...(await client.userinfo(tokenSet)) };
      },
    },
    profile(profile) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
    },
  };
}

export function oauthProviders(): Provider[] {
  const providers: Provider[] = [];
  if (env.GITHUB_ID && env.GITHUB_SECRET) providers.push(github());
  // Google's ID token carries email_verified itself
  if (env.GOOGLE_ID && env.GOOGLE_SECRET) providers.push(GoogleProvider({ clientId: env.GOOGLE_ID, clientSecret: env.GOOGLE_SECRET }));
  if (env.OIDC_ISSUER && env.OIDC_ID && env.OIDC_SECRET) providers.push(oidc());
  return providers;
}

export function enabledOAuthProviders(): { id: string; name: string }[] {
  return oauthProviders().map((p) => ({ id: p.id, name: p.name }));
}
