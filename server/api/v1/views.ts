// How the token API shows a project: its settings with the criteria read (criteriaOf) and its item count. The
// other answers are the services' values as they are, trimmed by their documented schemas (server/schemas/api.ts).
import type { Prisma, Project } from "@/server/generated/prisma/client";
import { criteriaOf } from "@/server/services/projects";

export function projectView(project: Omit<Project, "criteria"> & { criteria: unknown; _count?: { items: number } }) {
  const { _count, ...settings } = project;
  return { ...settings, criteria: criteriaOf({ criteria: project.criteria as Prisma.JsonValue }), itemCount: _count?.items ?? 0 };
}
