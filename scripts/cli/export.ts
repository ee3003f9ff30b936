// `npm run cli -- export --name <n> --project <slug>[,<slug>] [...]`: builds a snapshot with the same service as the
// admin page and the HTTP API, printing progress to stderr and the snapshot id and files to stdout.
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { aggregationPolicies, bothBadModes, exportFileTypes, exportFormats, labelSources, snapshotNameSchema } from "@/server/schemas/export";

export const usage = `export: build a versioned, immutable dataset snapshot (train/test files + README.md dataset card)
  npm run cli -- export --name <name> --project <slug|id>[,<slug|id>…] [options]
    --format trl|trl-conversational|hh|ultrafeedback-binarized|ultrafeedback-raw|sft|sft-conversational|sft-messages|kto|raw   row format (default: trl)
    --file-type jsonl|parquet          (default: jsonl)
    --gzip                             gzip the JSONL files
    --aggregation all|majority|bradley_terry   overlapping judgements (default: all)
    --ties drop|keep                   split votes / equal scores: leave out, or keep with margin 0 (default: drop)
    --both-bad drop|keep               judgements marked "both bad": leave their pairs out, or keep them with a both_bad column (default: drop)
    --labels human|ai|both             whose judgements: people's, an AI judge's (RLAIF), or both with a source column (default: human)
    --judge-run <run id>               the AI judge run whose verdicts --labels ai|both exports
    --min-agreement <0..1>             drop pairs with less vote agreement than this (default: 0)
    --test-ratio <0..1>                share of prompts in the test split (default: 0.1)
    --split-seed <text>                changes which prompts go to test
    --from <date> --to <date>          annotations created in [from, to)
    --exclude-flagged                  drop items any annotator flagged
    --exclude-gold                     drop gold items
    --min-gold-accuracy <0..1>         drop annotators below this gold accuracy
    --exclude-inactive                 drop deactivated annotators
    --min-judgements <n>               only items with at least n judgements
    --out <dir>                        also copy the files into this folder`;

const ratio = (flag: string) =>
  z.coerce.number({ error: `${flag} needs a number` }).min(0, `${flag} must be between 0 and 1`).max(1, `${flag} must be between 0 and 1`);

const argsSchema = z.object({
  name: snapshotNameSchema,
  project: z
    .string({ error: "--project <slug> is required" })
    .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.string()).min(1, "--project needs at least one slug")),
  format: z.enum(exportFormats, { error: `--format must be one of ${exportFormats.join(", ")}` }).default("trl"),
  "file-type": z.enum(exportFileTypes, { error: `--file-type must be one of ${exportFileTypes.join(", ")}` }).default("jsonl"),
  gzip: z.boolean().default(false),
  aggregation: z.enum(aggregationPolicies, { error: `--aggregation must be one of ${aggregationPolicies.join(", ")}` }).default("all"),
  ties: z.enum(["drop", "keep"], { error: "--ties must be drop or keep" }).default("drop"),
  "both-bad": z.enum(bothBadModes, { error: "--both-bad must be drop or keep" }).default("drop"),
  labels: z.enum(labelSources, { error: "--labels must be human, ai or both" }).default("human"),
  "judge-run": z.string().min(1).optional(),
  "min-agreement": ratio("--min-agreement").default(0),
  "test-ratio": ratio("--test-ratio").default(0.1),
  "split-seed": z.string().default(""),
  from: z.coerce.date({ error: "--from needs a date, e.g. 2026-01-31" }).optional(),
  to: z.coerce.date({ error: "--to needs a date, e.g. 2026-01-31" }).optional(),
  "exclude-flagged": z.boolean().default(false),
  "exclude-gold": z.boolean().default(false),
  "min-gold-accuracy": ratio("--min-gold-accuracy").optional(),
  "exclude-inactive": z.boolean().default(false),
  "min-judgements": z.coerce.number({ error: "--min-judgements needs a number" }).int().min(1).optional(),
  out: z.string().min(1).optional(),
});

export type ExportArgs = z.infer<typeof argsSchema>;

export function parseArgs(argv: string[]): ExportArgs {
  const str = { type: "string" } as const;
  const flag = { type: "boolean" } as const;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseNodeArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        name: str,
        project: str,
        format: str,
        "file-type": str,
        gzip: flag,
        aggregation: str,
        ties: str,
        "both-bad": str,
        labels: str,
        "judge-run": str,
        "min-agreement": str,
        "test-ratio": str,
        "split-seed": str,
        from: str,
        to: str,
        "exclude-flagged": flag,
        "exclude-gold": flag,
        "min-gold-accuracy": str,
        "exclude-inactive": flag,
        "min-judgements": str,
        out: str,
      },
    }));
  } catch (err) {
    throw new AppError("BAD_REQUEST", err instanceof Error ? err.message : String(err));
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? "");
    throw new AppError("BAD_REQUEST", issue.message.startsWith("--") ? issue.message : `--${key}: ${issue.message}`);
  }
  return parsed.data;
}

function progressBar(progress: number, rows: number): string {
  const width = 30;
  const filled = Math.round(progress * width);
  return `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(progress * 100).toFixed(1).padStart(5)}%  ${rows} rows`;
}

export async function run(argv: string[]): Promise<number> {
  let args: ExportArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n\n${usage}\n`);
    return 2;
  }
  // loaded after the arguments check so that a usage mistake needs no database
  const { createSnapshot, snapshotFile } = await import("@/server/services/export");
  const { findProject } = await import("@/server/services/projects");
  try {
    const projectIds = await Promise.all(args.project.map(async (p) => (await findProject(p, { slug: true })).id));
    const tty = process.stderr.isTTY;
    let lastLine = 0;
    const snapshot = await createSnapshot({
      name: args.name,
      projectIds,
      format: args.format,
      fileType: args["file-type"],
      gzip: args.gzip,
      aggregation: { policy: args.aggregation, ties: args.ties, minAgreement: args["min-agreement"] },
      bothBad: args["both-bad"],
      labels: args.labels,
      judgeRunId: args["judge-run"],
      split: { testRatio: args["test-ratio"], seed: args["split-seed"] },
      filters: {
        from: args.from,
        to: args.to,
        excludeFlagged: args["exclude-flagged"],
        excludeGold: args["exclude-gold"],
        minGoldAccuracy: args["min-gold-accuracy"],
        excludeInactiveAnnotators: args["exclude-inactive"],
        minJudgements: args["min-judgements"],
      },
      onProgress: ({ progress, rows }) => {
        // a redrawn bar on a terminal; a line per 10% in logs
        if (tty) process.stderr.write(progressBar(progress, rows));
        else if (progress - lastLine >= 0.1) {
          lastLine = progress;
          process.stderr.write(`${(progress * 100).toFixed(0)}% ${rows} rows\n`);
        }
      },
    });
    if (tty) process.stderr.write(`${progressBar(1, (snapshot.rowCounts.train ?? 0) + (snapshot.rowCounts.test ?? 0))}\n`);
    process.stdout.write(`snapshot ${snapshot.id}  ${snapshot.name} v${snapshot.version}\n`);
    for (const file of snapshot.files) {
      const { path: filePath } = await snapshotFile({ id: snapshot.id, name: file.name });
      let shown = filePath;
      if (args.out) {
        await mkdir(args.out, { recursive: true });
        shown = path.join(args.out, file.name);
        await copyFile(filePath, shown);
      }
      const rows = file.rows === null ? "" : `${file.rows} rows  `;
      process.stdout.write(`  ${file.name.padEnd(20)} ${rows}${file.bytes} bytes  sha256 ${file.sha256}  ${shown}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`\nerror: ${err.message}\n`);
      return err.code === "BAD_REQUEST" ? 2 : 1;
    }
    throw err;
  }
}
