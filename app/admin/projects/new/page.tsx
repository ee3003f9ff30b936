import { ProjectForm } from "@/components/admin/project-form";
import { requireAdmin } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function NewProjectPage() {
  await requireAdmin("/admin/projects/new");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">New project</h1>
      <ProjectForm />
    </div>
  );
}
