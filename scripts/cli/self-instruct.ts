// `npm run cli -- self-instruct`: bootstraps prompts for a project from seed tasks with a registered
// OpenAI-compatible endpoint (server/services/self-instruct.ts), printing progress and, at the end, what was kept and
// what was filtered and why.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { parseSeeds, selfInstructOptionsSchema, type SeedTask } from "@/server/schemas/self-instruct";

export const usage = `self-instruct --project <slug|id> --endpoint <name|id> --seeds <file.jsonl> --target <n> [options]
    Self-Instruct bootstrapping: new instructions from the seed tasks ({"instruction", "input"?, "output"?} per line,
    the paper's layout), kept when they pass the paper's heuristics and ROUGE-L < 0.7 with every seed and kept one,
    added as items of the project: to be written in a demonstration project; answered by the same endpoint first
    (--responses per instruction) in a pairwise, ranking or rating project.
    --responses <n>       responses per instruction (default: 2 pairwise, 4 ranking, 1 rating; none for demonstrations)
    --examples <n>        in-context examples per request (default 8: 6 seeds + 2 generated)
    --any-language        keep instructions that start with a non-ASCII character
    --temperature <t>     default 1
    --max-requests <n>    stop after this many requests (default: max(20, 2 × target))
    --seed <n>            seeds the choice of examples (default 0)`;

const argsSchema = z.object({
  project: z.string({ error: "--project <slug> is required" }).min(1),
  endpoint: z.string({ error: "--endpoint <name> is required" }).min(1),
  seeds: z.string({ error: "--seeds <file.jsonl> is required" }).min(1),
  target: z.coerce.number({ error: "--target <n> is required" }).int().min(1),
  examples: z.coerce.number().int().optional(),
  anyLanguage: z.boolean().default(false),
  temperature: z.coerce.number().optional(),
  maxRequests: z.coerce.number().int().optional(),
  seed: z.coerce.number().int().optional(),
  responses: z.coerce.number().int().optional(),
});

const valueFlags: Record<string, string> = {
  "--project": "project",
  "--endpoint": "endpoint",
  "--seeds": "seeds",
  "--target": "target",
  "--examples": "examples",
  "--temperature": "temperature",
  "--max-requests": "maxRequests",
  "--seed": "seed",
  "--responses": "responses",
};

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--any-language") raw.anyLanguage = true;
    else if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new AppError("BAD_REQUEST", `${flag} needs a value`);
      raw[valueFlags[flag]] = value;
    } else throw new AppError("BAD_REQUEST", `unknown option ${argv[i]}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0].message);
  return parsed.data;
}

/** The seed file's tasks, or every bad line (line and field) at once. */
export function seedsOrThrow(text: string): SeedTask[] {
  const { seeds, errors } = parseSeeds(text);
  if (errors.length) throw new AppError("BAD_REQUEST", `the seed file has ${errors.length} problem${errors.length === 1 ? "" : "s"}:\n  ${errors.slice(0, 20).join("\n  ")}`);
  return seeds;
}

export async function run(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  let seeds: SeedTask[];
  try {
    args = parseArgs(argv);
    const text = await readFile(args.seeds, "utf8").catch(() => {
      throw new AppError("BAD_REQUEST", `--seeds: ${args.seeds} is not a readable file`);
    });
    seeds = seedsOrThrow(text);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n\n${usage}\n`);
    return 2;
  }
  const { db } = await import("@/server/db");
  const { findProject } = await import("@/server/services/projects");
  const { selfInstruct } = await import("@/server/services/self-instruct");
  try {
    const project = await findProject(args.project, { slug: true });
    const endpoint = await db.endpoint.findFirst({ where: { OR: [{ id: args.endpoint }, { name: args.endpoint }] }, select: { id: true, name: true } });
    if (!endpoint) throw new AppError("NOT_FOUND", `--endpoint: no endpoint "${args.endpoint}" (register one on the Endpoints page)`);
    const options = selfInstructOptionsSchema.parse({
      target: args.target,
      englishOnly: !args.anyLanguage,
      ...(args.examples !== undefined ? { examples: args.examples } : {}),
      ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
      ...(args.maxRequests !== undefined ? { maxRequests: args.maxRequests } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      ...(args.responses !== undefined ? { responses: args.responses } : {}),
    });
    const tty = process.stderr.isTTY;
    const { counts } = await selfInstruct({
      projectId: project.id,
      runId: null,
      endpointId: endpoint.id,
      seeds,
      options,
      onProgress: (c) => {
        const line = `self-instruct: ${c.kept}/${options.target} kept, ${c.generated} generated, ${c.requests} requests (${c.failedRequests} failed)`;
        process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write("\n");
    const filtered = Object.entries(counts.filtered).filter(([, n]) => n > 0).map(([reason, n]) => `${reason.replaceAll("_", " ")} ${n}`);
    process.stdout.write(
      [
        `Kept ${counts.kept} new instructions as items of ${project.slug} (${counts.generated} generated in ${counts.requests} requests to ${endpoint.name}).`,
        `  filtered: ${filtered.length ? filtered.join(", ") : "none"}`,
        counts.failedRequests ? `  failed requests: ${counts.failedRequests} (last: ${counts.lastError})` : "  failed requests: 0",
      ].join("\n") + "\n",
    );
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
