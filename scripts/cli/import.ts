// `npm run cli -- import --project <slug> --file <path> [...]`: imports a file into a project with the same service
// as the upload page and the HTTP API, printing progress to stderr and the summary to stdout.
import { copyFile, stat } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { formatBytes } from "@/server/format";
import { importFormatOptionSchema } from "@/server/schemas/import";

export const usage = `import: load prompts and candidate responses into a project
  npm run cli -- import --project <slug|id> --file <path> [options]
    --format auto|jsonl|trl|hh|openai|csv|alpaca|sni   input format (default: auto-detect)
    --skip-invalid        write the valid lines, leave out the invalid ones (default: all-or-nothing)
    --rejected-out <path> with --skip-invalid: also copy the rejected lines to this file
    --trl-as-gold         TRL / HH rows: keep the dataset's preference as the item's gold answer
    --split-candidates    rows with more candidates than an item takes become several items
    --skip-near-duplicates  leave out rows whose prompt is within ROUGE-L 0.7 of another prompt (to the rejected lines)
    --max-bytes <n>       override IMPORT_MAX_BYTES for this run
    --max-line-bytes <n>  override IMPORT_MAX_LINE_BYTES for this run`;

const argsSchema = z
  .object({
    project: z.string({ error: "--project <slug> is required" }).min(1, "--project needs a value"),
    file: z.string({ error: "--file <path> is required" }).min(1, "--file needs a value"),
    format: importFormatOptionSchema,
    skipInvalid: z.boolean().default(false),
    trlAsGold: z.boolean().default(false),
    splitCandidates: z.boolean().default(false),
    skipNearDuplicates: z.boolean().default(false),
    rejectedOut: z.string().min(1).optional(),
    maxBytes: z.coerce.number().int().positive().optional(),
    maxLineBytes: z.coerce.number().int().positive().optional(),
  })
  .refine((a) => !a.rejectedOut || a.skipInvalid, { message: "--rejected-out only makes sense with --skip-invalid", path: ["rejectedOut"] });

const valueFlags: Record<string, string> = {
  "--project": "project",
  "--file": "file",
  "--format": "format",
  "--rejected-out": "rejectedOut",
  "--max-bytes": "maxBytes",
  "--max-line-bytes": "maxLineBytes",
};
const boolFlags: Record<string, string> = {
  "--skip-invalid": "skipInvalid",
  "--trl-as-gold": "trlAsGold",
  "--split-candidates": "splitCandidates",
  "--skip-near-duplicates": "skipNearDuplicates",
};

export function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag in boolFlags) raw[boolFlags[flag]] = true;
    else if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new AppError("BAD_REQUEST", `${flag} needs a value`);
      raw[valueFlags[flag]] = value;
    } else throw new AppError("BAD_REQUEST", `unknown option ${argv[i]}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = Object.entries({ ...valueFlags, ...boolFlags }).find(([, key]) => key === issue.path[0])?.[0];
    throw new AppError("BAD_REQUEST", issue.message.startsWith("--") || !flag ? issue.message : `${flag}: ${issue.message}`);
  }
  return parsed.data;
}

function percent(read: number, total: number): string {
  return total > 0 ? `${((100 * read) / total).toFixed(1)}%` : `${read} bytes`;
}

export async function run(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    args = parseArgs(argv);
    const info = await stat(args.file).catch(() => null);
    if (!info?.isFile()) throw new AppError("BAD_REQUEST", `--file: ${args.file} is not a readable file`);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n\n${usage}\n`);
    return 2;
  }
  // loaded after the arguments check so that `--help`-style mistakes need no database
  const { importFile } = await import("@/server/services/import");
  const { findProject } = await import("@/server/services/projects");
  const tty = process.stderr.isTTY;
  try {
    const project = await findProject(args.project, { slug: true });
    const summary = await importFile({
      projectId: project.id,
      filePath: args.file,
      format: args.format,
      skipInvalid: args.skipInvalid,
      trlAsGold: args.trlAsGold,
      splitCandidates: args.splitCandidates,
      skipNearDuplicates: args.skipNearDuplicates,
      limits: { maxBytes: args.maxBytes, maxLineBytes: args.maxLineBytes },
      onProgress: (p) => {
        const line = `importing ${args.file}: ${percent(p.bytesRead, p.bytesTotal)} of ${formatBytes(p.bytesTotal)}, ${p.linesRead} lines`;
        process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write("\n");
    if (args.rejectedOut && summary.rejectedLinesPath) await copyFile(summary.rejectedLinesPath, args.rejectedOut);
    const c = summary.counts;
    process.stdout.write(
      [
        `Imported ${summary.fileName} into ${project.slug} as ${summary.format} in ${(summary.durationMs / 1000).toFixed(1)} s (job ${summary.jobId}).`,
        `  new: ${c.prompts} prompts, ${c.candidates} candidates, ${c.items} items`,
        `  reused: ${c.reusedPrompts} prompts, ${c.reusedCandidates} candidates; ${c.duplicateItems} items already in the project`,
        c.rejected > 0
          ? `  rejected: ${c.rejected} lines (${summary.errorCount} errors) → ${args.rejectedOut ?? summary.rejectedLinesPath}`
          : `  rejected: 0 lines`,
        ...summary.errors.slice(0, 20).map((e) => `    line ${e.line}${e.field ? ` ${e.field}` : ""}: ${e.message}`),
      ].join("\n") + "\n",
    );
    return 0;
  } catch (err) {
    if (tty) process.stderr.write("\n");
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof AppError && err.fieldErrors?.length) {
      for (const e of err.fieldErrors.slice(0, 20)) {
        process.stderr.write(`  line ${e.line ?? "?"}${e.field ? ` ${e.field}` : ""}: ${e.message}\n`);
      }
      if (err.fieldErrors.length > 20) process.stderr.write(`  … and more (the import job keeps the first 100)\n`);
    }
    return 1;
  }
}
