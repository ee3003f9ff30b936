import { TRPCError } from "@trpc/server";
import { cookies } from "next/headers";
import Link from "next/link";
import { AnnotatePage } from "@/components/annotate/annotate-page";
import { parseModelText } from "@/components/annotate/markdown-tree";
import { ON_SCREEN_COOKIE } from "@/components/annotate/on-screen-cookie";
import { requireUser } from "@/server/auth/session";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

// The first item is claimed while the page renders, so it arrives with the HTML instead of one round trip after
// the JavaScript has loaded; the page prefetches the next one itself.
export default async function AnnotateProjectPage({ params }: { params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const here = `/annotate/${slug}`;
  const user = await requireUser(here);
  const prefer = (await cookies()).get(ON_SCREEN_COOKIE)?.value;
  const first = await page(here, (api) => api.annotation.next({ projectSlug: slug, prefer })).catch((err: unknown) => {
    if (err instanceof TRPCError && err.code === "PRECONDITION_FAILED") return { closed: err.message };
    throw err;
  });
  if ("closed" in first) {
    return (
      <div className="mx-auto mt-16 max-w-md text-center">
        <h1 className="text-xl font-semibold">This project is closed</h1>
        <p className="mt-2 text-slate-600">{first.closed}</p>
        <Link href="/annotate" className="mt-4 inline-block text-indigo-700 underline">Your other projects</Link>
      </div>
    );
  }
  const item = first.item && {
    ...first.item,
    trees: {
      messages: first.item.messages.map((m) => parseModelText(m.content)),
      candidates: Object.fromEntries(first.item.candidates.map((c) => [c.id, parseModelText(c.text)])),
    },
  };
  return <AnnotatePage project={first.project} userId={user.id} firstItem={item} firstRefusal={first.refusal} />;
}
