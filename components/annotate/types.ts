// What the annotation page receives, as the router's outputs say (client code imports no service types).
import type { inferRouterOutputs } from "@trpc/server";
import type { MdTree } from "@/components/annotate/markdown-tree";
import type { AppRouter } from "@/server/api/root";

type Outputs = inferRouterOutputs<AppRouter>["annotation"];

/**
 * An item as served, plus — for the item the page was rendered with — its texts already parsed on the server, so
 * the markdown parser is not needed before the first judgement.
 */
export type ItemView = NonNullable<Outputs["next"]["item"]> & { trees?: ItemTrees };
export interface ItemTrees {
  messages: MdTree[];
  candidates: Record<string, MdTree>;
}
export type ProjectView = Outputs["next"]["project"];
/** why the queue hands out no new item (a cap, a paused project or member) */
export type Refusal = NonNullable<Outputs["next"]["refusal"]>;
export type Progress = Outputs["progress"];
export type EditableJudgement = NonNullable<Outputs["lastEditable"]>;
export type Candidate = ItemView["candidates"][number];

/** Response labels in the order shown: A, B, C … */
export const LABELS = "ABCDEFGHI";
