// A local OpenID Connect provider for the sign-in specs: the authorization code flow as RFC 6749, RFC 7636 (PKCE)
// and OpenID Connect Core/Discovery define it — a discovery document, an authorization endpoint that requires
// state and an S256 code challenge, a token endpoint that authenticates the client and checks the code verifier
// and issues an RS256-signed ID token, a JWKS endpoint and a userinfo endpoint. The person who "signs in" at the
// provider is whoever the spec set with `signInAs`; the provider keeps what it was asked, so a spec can check that
// the app used PKCE and state.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";

export interface Identity {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** leave the email claims out of the ID token (some providers serve them from userinfo only) */
  emailOnlyFromUserinfo?: boolean;
}

export interface OidcProvider {
  issuer: string;
  signInAs(identity: Identity): void;
  /** what the authorization endpoint received, newest last */
  authorizations: { state: string | null; codeChallengeMethod: string | null; scope: string | null }[];
  close(): Promise<void>;
}

interface Grant {
  identity: Identity;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  expiresAt: number;
}

const b64url = (buf: Buffer) => buf.toString("base64url");

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

/** client_secret_basic (RFC 6749 §2.3.1: form-urlencoded id and secret, then Basic) or client_secret_post. */
function clientCredentials(req: http.IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
    return { id: decodeURIComponent(id ?? ""), secret: decodeURIComponent(secret ?? "") };
  }
  return { id: form.get("client_id"), secret: form.get("client_secret") };
}

export async function startOidcProvider(opts: { port: number; clientId: string; clientSecret: string; redirectUri: string }): Promise<OidcProvider> {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const kid = b64url(randomBytes(8));
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, Grant>();
  const accessTokens = new Map<string, Identity>();
  let current: Identity | null = null;
  const authorizations: OidcProvider["authorizations"] = [];

  const claimsOf = (id: Identity) => ({ sub: id.sub, name: id.name, email: id.email, email_verified: id.email_verified });

  async function idToken(grant: Grant, key: KeyLike): Promise<string> {
    const { sub, ...rest } = claimsOf(grant.identity);
    const claims: Record<string, unknown> = grant.identity.emailOnlyFromUserinfo ? { name: rest.name } : rest;
    if (grant.nonce) claims.nonce = grant.nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid })
      .setIssuer(issuer)
      .setAudience(grant.clientId)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);
  }

  function authorize(url: URL, res: http.ServerResponse) {
    const q = url.searchParams;
    authorizations.push({ state: q.get("state"), codeChallengeMethod: q.get("code_challenge_method"), scope: q.get("scope") });
    // a wrong client or redirect URI must not redirect anywhere (OAuth 2.0 §4.1.2.1)
    if (q.get("client_id") !== opts.clientId || q.get("redirect_uri") !== opts.redirectUri) {
      res.writeHead(400, { "content-type": "text/plain" }).end("unknown client_id or redirect_uri");
      return;
    }
    const back = new URL(opts.redirectUri);
    const fail = (error: string, description: string) => {
      back.searchParams.set("error", error);
      back.searchParams.set("error_description", description);
      if (q.get("state")) back.searchParams.set("state", q.get("state")!);
      res.writeHead(302, { location: back.toString() }).end();
    };
    if (q.get("response_type") !== "code") return fail("unsupported_response_type", "only the code flow");
    if (!(q.get("scope") ?? "").split(" ").includes("openid")) return fail("invalid_scope", "openid is required");
    if (!q.get("state")) return fail("invalid_request", "state is required");
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) return fail("invalid_request", "PKCE with S256 is required");
    if (!current) return fail("login_required", "nobody is signed in at the provider");
    const code = b64url(randomBytes(24));
    codes.set(code, {
      identity: current,
      clientId: opts.clientId,
      redirectUri: opts.redirectUri,
      codeChallenge: q.get("code_challenge")!,
      nonce: q.get("nonce"),
      expiresAt: Date.now() + 60_000,
    });
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state")!);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse) {
    const form = await readForm(req);
    const client = clientCredentials(req, form);
    if (client.id !== opts.clientId || client.secret !== opts.clientSecret) return json(res, 401, { error: "invalid_client" });
    if (form.get("grant_type") !== "authorization_code") return json(res, 400, { error: "unsupported_grant_type" });
    const code = form.get("code") ?? "";
    const grant = codes.get(code);
    codes.delete(code); // a code is good for one exchange
    if (!grant || grant.expiresAt < Date.now() || grant.clientId !== client.id) return json(res, 400, { error: "invalid_grant", error_description: "unknown, used or expired code" });
    if (form.get("redirect_uri") !== grant.redirectUri) return json(res, 400, { error: "invalid_grant", error_description: "redirect_uri differs" });
    const verifier = form.get("code_verifier") ?? "";
    if (b64url(createHash("sha256").update(verifier).digest()) !== grant.codeChallenge) {
      return json(res, 400, { error: "invalid_grant", error_description: "code_verifier does not match the challenge" });
    }
    const accessToken = b64url(randomBytes(24));
    accessTokens.set(accessToken, grant.identity);
    json(res, 200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, scope: "openid email profile", id_token: await idToken(grant, privateKey) });
  }

  function userinfo(req: http.IncomingMessage, res: http.ServerResponse) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const identity = bearer ? accessTokens.get(bearer) : undefined;
    if (!identity) {
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
      return;
    }
    json(res, 200, claimsOf(identity));
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /.well-known/openid-configuration") {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        code_challenge_methods_supported: ["S256"],
        scopes_supported: ["openid", "email", "profile"],
        claims_supported: ["sub", "name", "email", "email_verified"],
      });
    }
    if (route === "GET /jwks") return json(res, 200, { keys: [jwk] });
    if (route === "GET /authorize") return authorize(url, res);
    if (route === "POST /token") {
      return void token(req, res).catch((err: unknown) => {
        console.error("oidc provider:", err);
        if (!res.headersSent) json(res, 500, { error: "server_error" });
      });
    }
    if (route === "GET /userinfo" || route === "POST /userinfo") return userinfo(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(opts.port, "127.0.0.1", resolve));
  return {
    issuer,
    signInAs(identity) {
      current = identity;
    },
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
