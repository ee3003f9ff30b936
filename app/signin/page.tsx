import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Card } from "@/components/ui/card";
import { enabledOAuthProviders } from "@/server/auth/providers";
import { sameOriginPath } from "@/server/auth/redirect";
import { currentUser } from "@/server/auth/session";
import { env } from "@/server/env";

export const dynamic = "force-dynamic";

/**
 * Only paths on this site (server/auth/redirect.ts): an open redirect after sign-in would hand the session page to
 * anyone. Without one, "/" sends admins to /admin and annotators to /annotate.
 */
function safeCallback(url: string | undefined): string {
  return (url && sameOriginPath(url, env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`)) || "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card>
        <h1 className="mb-4 text-lg font-semibold">Sign in</h1>
        <SignInForm callbackUrl={callbackUrl} providers={enabledOAuthProviders()} initialError={params.error} />
      </Card>
    </div>
  );
}
