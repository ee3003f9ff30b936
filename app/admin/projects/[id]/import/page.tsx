import Link from "next/link";
import { ImportPanel } from "@/components/admin/import-panel";
import { SelfInstructPanel } from "@/components/admin/self-instruct-panel";
import { page } from "@/server/api/server";
import { env } from "@/server/env";
import { formatBytes } from "@/server/format";

export const dynamic = "force-dynamic";

// what one item of each task type takes from an import
const candidatesPerItem = {
  PAIRWISE: "Pairwise project: each item takes exactly 2 candidates.",
  RANKING: "Ranking project: each item takes 2–9 candidates.",
  RATING: "Rating project: each candidate becomes an item of its own, rated alone.",
  DEMONSTRATION: "Demonstration project: a prompt alone is an item to write a response for; a prompt with a candidate is one to improve.",
} as const;

export default async function ImportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const project = await page(`/admin/projects/${id}/import`, (api) => api.project.get({ id }));
  return (
    <div className="space-y-4">
      <div>
        <Link href={`/admin/projects/${id}`} className="text-sm text-indigo-700 hover:underline">← {project.name}</Link>
        <h1 className="text-xl font-semibold">Import prompts and candidates</h1>
        <p className="text-sm text-slate-600">
          {candidatesPerItem[project.taskType]}{" "}
          Files up to {formatBytes(env.IMPORT_MAX_BYTES)}, lines up to {formatBytes(env.IMPORT_MAX_LINE_BYTES)}. Prompts and candidates already
          in the database (same content) are reused, and items already in the project are not created twice.
        </p>
      </div>
      <ImportPanel projectId={project.id} archived={project.archived} />
      {!project.archived && <SelfInstructPanel projectId={project.id} projectName={project.name} taskType={project.taskType} />}
    </div>
  );
}
