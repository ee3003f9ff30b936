import { notFound, redirect } from "next/navigation";
import { AnnotateSession } from "@/components/annotate/annotate-session";
import { requireUser } from "@/server/auth/session";
import { AppError } from "@/server/errors";
import { projectForAnnotator, projectView } from "@/server/services/annotation";

export const dynamic = "force-dynamic";

export default async function AnnotateProjectPage({ params }: { params: Promise<{ project: string }> }) {
  const { project: slug } = await params;
  const user = await requireUser(`/annotate/${slug}`);
  let project;
  try {
    project = await projectForAnnotator({ slug, userId: user.id, isAdmin: user.role === "ADMIN" });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    if (err instanceof AppError) redirect("/forbidden");
    throw err;
  }
  return <AnnotateSession project={projectView(project)} userId={user.id} />;
}
