// The prompt-dependent pairwise project two worker tests train on: each prompt asks for a colour, each item pairs the
// answer that names it with one that names another, and the annotator prefers the right one every time.
import { db } from "@/server/db";
import { addItems, addMembers, upsertProject } from "@/prisma/seed/helpers";
import { workQueue } from "../fixtures/annotation";

export const colours = ["red", "blue", "green", "amber", "violet", "teal"];

export function colourAsks(tag: string, n = 30): string[] {
  return Array.from({ length: n }, (_, i) => `Name the colour ${colours[i % colours.length]} (${tag} ${i}).`);
}

/** A pairwise project over `asks`, every item judged by `annotator`: the answer naming the asked colour is better. */
export async function judgedColourPairs(options: {
  name: string;
  slug: string;
  asks: string[];
  annotator: Parameters<typeof workQueue>[1];
}) {
  const project = await upsertProject(db, { name: options.name, slug: options.slug });
  await addMembers(db, project.id, [options.annotator.id]);
  await addItems(
    db,
    project.id,
    options.asks.map((content, i) => ({
      messages: [{ role: "user" as const, content }],
      candidates: [{ text: `The colour is ${colours[i % colours.length]}.` }, { text: `The colour is ${colours[(i + 1) % colours.length]}.` }],
    })),
  );
  await workQueue(project.slug, options.annotator, (item) => {
    const served = item as unknown as { messages: { content: string }[]; candidates: { id: string; text: string }[] };
    const right = served.candidates.find((c) => served.messages[0].content.includes(` ${c.text.slice(14, -1)} `))!;
    const wrong = served.candidates.find((c) => c.id !== right.id)!;
    return { ranking: [[right.id], [wrong.id]], strength: "BETTER" };
  });
  return project;
}
