// What the annotation page receives, as the router's outputs say (client code imports no service types).
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>["annotation"];

export type ItemView = NonNullable<Outputs["next"]["item"]>;
export type ProjectView = Outputs["next"]["project"];
export type Progress = Outputs["progress"];
export type EditableJudgement = NonNullable<Outputs["lastEditable"]>;
export type Candidate = ItemView["candidates"][number];

/** Response labels in the order shown: A, B, C … */
export const LABELS = "ABCDEFGHI";
