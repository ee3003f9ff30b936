// The dataset card (README.md) written into every snapshot. It holds no snapshot id, version or timestamp, so
// re-running the same definition over unchanged data writes the same bytes.
import type { SnapshotDefinition, SnapshotFile, SnapshotStats } from "@/server/schemas/export";
import type { Column, FormatSpec } from "./formats";

export interface CardProject {
  name: string;
  slug: string;
  taskType: string;
  criteria: { key: string; label: string }[];
}

export interface CardInput {
  name: string;
  definition: SnapshotDefinition;
  projects: CardProject[];
  stats: SnapshotStats;
  format: FormatSpec;
  columns: Column[];
  files: SnapshotFile[];
}

function esc(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

const POLICY_TEXT: Record<SnapshotDefinition["aggregation"]["policy"], string> = {
  all: "all — every pairwise comparison of every annotation is a row (overlapping judgements are kept side by side)",
  majority:
    "majority — one row per candidate pair of a prompt, in the direction most annotators chose (tie votes count for neither side)",
  bradley_terry:
    "bradley_terry — a Bradley-Terry model per prompt orders the candidates; one row per pair in that order, margin = score difference",
};

function aggregationText(def: SnapshotDefinition): string {
  if (def.format === "raw") return "Aggregation: none — every annotation is a row, for aggregating yourself.";
  if (def.format === "ultrafeedback-raw" || def.format === "ultrafeedback-binarized") {
    return "Aggregation: each prompt's completions are ranked by a Bradley-Terry model over all of its judgements.";
  }
  if (def.format.startsWith("sft")) {
    return "Aggregation: every demonstration; rated responses most of whose thumbs are up; where responses were compared, the top of the prompt's Bradley-Terry ranking.";
  }
  const ties = def.aggregation.ties === "keep" ? "Tied pairs are kept with margin 0." : "Tied pairs are left out.";
  const agreement =
    def.aggregation.minAgreement > 0
      ? ` Pairs where fewer than ${def.aggregation.minAgreement * 100}% of the votes agree with the written direction are left out.`
      : "";
  return `Aggregation: ${POLICY_TEXT[def.aggregation.policy]}. ${ties}${agreement}`;
}

function filterLines(def: SnapshotDefinition): string[] {
  const f = def.filters;
  const lines: string[] = [];
  if (f.from) lines.push(`- annotations from ${f.from.toISOString()}`);
  if (f.to) lines.push(`- annotations before ${f.to.toISOString()}`);
  if (f.excludeFlagged) lines.push("- items flagged by any annotator are excluded");
  if (f.excludeGold) lines.push("- gold (quality-control) items are excluded");
  if (f.minGoldAccuracy !== undefined) {
    lines.push(`- annotators with gold accuracy below ${f.minGoldAccuracy} are excluded (those with no gold answers are kept)`);
  }
  if (f.excludeInactiveAnnotators) lines.push("- deactivated annotators are excluded");
  if (f.minJudgements !== undefined) lines.push(`- only items with at least ${f.minJudgements} judgements`);
  if (lines.length === 0) lines.push("- none");
  return lines;
}

export function datasetCard(input: CardInput): string {
  const { definition: def, stats } = input;
  const ext = input.files.find((f) => f.split === "train")?.name.replace(/^train/, "") ?? "";
  const models = Object.entries(stats.models).sort(([a], [b]) => (a < b ? -1 : 1));
  const agreement =
    stats.agreement === null
      ? "no candidate pair was judged more than once"
      : `${(stats.agreement * 100).toFixed(1)}% mean agreement with the most common answer over ${stats.multiVotePairs} pairs judged more than once`;
  const loader =
    def.fileType === "parquet"
      ? `load_dataset("parquet", data_files={"train": "train${ext}", "test": "test${ext}"})`
      : `load_dataset("json", data_files={"train": "train${ext}", "test": "test${ext}"})`;

  const parts = [
    `# ${input.name}`,
    "",
    "Human preference judgements collected with RLHF Studio: annotators compared model responses to the same prompt " +
      "and ranked them (pairwise or K-way), optionally rating each response per criterion.",
    "",
    "## Projects",
    "",
    "| project | slug | task | criteria |",
    "|---|---|---|---|",
    ...input.projects.map(
      (p) => `| ${esc(p.name)} | ${esc(p.slug)} | ${p.taskType} | ${p.criteria.map((c) => esc(c.label)).join(", ") || "—"} |`,
    ),
    "",
    "## Counts",
    "",
    "| | |",
    "|---|---|",
    `| rows (train) | ${stats.rows.train} |`,
    `| rows (test) | ${stats.rows.test} |`,
    `| prompts | ${stats.prompts} |`,
    `| items | ${stats.items} |`,
    `| annotations | ${stats.annotations} |`,
    `| pairwise comparisons | ${stats.comparisons} |`,
    `| annotations with a tie | ${stats.tieAnnotations} |`,
    `| annotators | ${stats.annotators} |`,
    "",
    `Agreement: ${agreement}.`,
    "",
    "## Model sources",
    "",
    "| model | responses |",
    "|---|---|",
    ...models.map(([m, n]) => `| ${esc(m)} | ${n} |`),
    "",
    "## Selection",
    "",
    "Filters:",
    "",
    ...filterLines(def),
    "",
    aggregationText(def),
    "",
    `Split: prompts are assigned to test when sha256(seed + "\\n" + prompt_hash) falls below the test ratio ` +
      `(${def.split.testRatio}${def.split.seed ? `, seed "${esc(def.split.seed)}"` : ""}), so a prompt never appears in both splits.`,
    "",
    "Annotators are identified only by pseudonyms that are stable within this snapshot.",
    "",
    "## Files",
    "",
    "| file | split | rows | bytes | sha256 |",
    "|---|---|---|---|---|",
    ...input.files.map((f) => `| ${f.name} | ${f.split} | ${f.rows} | ${f.bytes} | ${f.sha256} |`),
    "",
    "## Rows",
    "",
    `Format \`${def.format}\`, ${def.fileType === "parquet" ? "Parquet (nested columns as Parquet lists and structs)" : def.gzip ? "gzipped JSON Lines" : "JSON Lines"}. Each row is ${input.format.rowIs}.`,
    "",
    "| column | type | description |",
    "|---|---|---|",
    ...input.columns.map((c) => `| ${c.name} | ${esc(c.type)} | ${esc(c.description)} |`),
    "",
    "```python",
    "from datasets import load_dataset",
    `ds = ${loader}`,
    "```",
    "",
  ];
  return parts.join("\n");
}
