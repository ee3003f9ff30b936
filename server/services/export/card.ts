// The dataset card (README.md) written into every snapshot. It holds no snapshot id, version or timestamp, so
// re-running the same definition over unchanged data writes the same bytes.
import type { SchemaElement } from "hyparquet-writer";
import { stringify } from "yaml";
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
  adjudicated:
    "adjudicated — an item whose disagreement a reviewer adjudicated gives the pairs of the reviewer's final answer; every other item gives its majority (as `majority`, per item)",
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

/** What the snapshot did with the judgements that marked every response bad, and how many there were. */
export function bothBadText(def: SnapshotDefinition, format: FormatSpec, stats: SnapshotStats): string {
  const n = stats.bothBadAnnotations ?? 0;
  const pairs = stats.bothBadComparisons ?? 0;
  const judged = `${n} judgement(s) marked every response bad (${pairs} pairwise comparison(s))`;
  if (def.format === "raw") return `Both bad: ${judged}; the \`both_bad\` column says which.`;
  if (def.format === "kto") {
    return `Both bad: ${judged}; they give no pair: each response they judged is a row labelled undesirable${def.bothBad === "keep" ? " and marked in the `both_bad` column" : ""}.`;
  }
  if (format.bothBad === "never") return `Both bad: ${judged}; no completion is taken from them.`;
  return def.bothBad === "keep"
    ? `Both bad (\`bothBad: keep\`): ${judged}, kept; the \`both_bad\` column marks the rows they are behind.`
    : `Both bad (\`bothBad: drop\`): ${judged}, left out; no row comes from them.`;
}

/** Whose judgements the rows are: people's, an AI judge's (RLAIF), or both with a `source` column. */
export function labelsText(def: SnapshotDefinition): string {
  const labels = def.labels ?? "human";
  if (labels === "human") return "Labels: people's judgements only (no AI judge's verdict is in any row).";
  const judge = `the AI judge of run \`${esc(def.judgeRunId ?? "")}\` (its verdicts, each comparison asked in both orders where the run did so; annotator \`ai:<judge>\`, pseudonymized like the people)`;
  return labels === "ai"
    ? `Labels: AI feedback (RLAIF) only — ${judge}. The statistics above count the people's judgements of the same projects, which are not in the rows.`
    : `Labels: people's judgements and ${judge}, every row one judgement; the \`source\` column says whose (human or ai).`;
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

// ---- Hugging Face front matter ------------------------------------------------------------------------------
// `configs` names the data files per split, so `datasets.load_dataset("<snapshot dir>")` (or a hub repository
// holding the directory as it is) loads both splits by name; `dataset_info.features` gives the columns' types in
// the hub's notation, derived from the same Parquet schema the files are written with.

type Feature = { dtype: string } | { sequence: Feature | string } | { list: NamedFeature[] } | { struct: NamedFeature[] };
type NamedFeature = { name: string } & Feature;

const DTYPE: Record<string, string> = { BYTE_ARRAY: "string", DOUBLE: "float64", INT32: "int32", BOOLEAN: "bool" };

/** One schema subtree (its element first) as a feature; returns the feature and how many elements it took. */
function featureOf(elements: SchemaElement[], at = 0): [Feature, number] {
  const el = elements[at];
  if (el.type) return [{ dtype: DTYPE[el.type] ?? "string" }, 1];
  if (el.converted_type === "LIST") {
    // LIST / list (repeated) / element
    const [inner, used] = featureOf(elements, at + 2);
    if ("struct" in inner) return [{ list: inner.struct }, 2 + used];
    return [{ sequence: "dtype" in inner ? inner.dtype : inner }, 2 + used];
  }
  const fields: NamedFeature[] = [];
  let used = 1;
  for (let i = 0; i < (el.num_children ?? 0); i++) {
    const [f, n] = featureOf(elements, at + used);
    fields.push({ name: elements[at + used].name, ...f } as NamedFeature);
    used += n;
  }
  return [{ struct: fields }, used];
}

export function frontMatter(input: Pick<CardInput, "columns" | "files">): string {
  const data = input.files.filter((f) => f.split === "train" || f.split === "test");
  const meta: Record<string, unknown> = {
    configs: [{ config_name: "default", data_files: data.map((f) => ({ split: f.split, path: f.name })) }],
  };
  // a column of JSON text in Parquet is an object with free keys in JSONL: no one feature type fits both, so the
  // features are left to the reader there
  if (!input.columns.some((c) => c.json)) {
    meta.dataset_info = {
      features: input.columns.map((c) => ({ name: c.name, ...featureOf(c.parquet)[0] })),
      splits: data.map((f) => ({ name: f.split, num_bytes: f.bytes, num_examples: f.rows })),
    };
  }
  return `---\n${stringify(meta, { lineWidth: 0 })}---\n`;
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
    frontMatter(input),
    `# ${input.name}`,
    "",
    "Human judgements collected with RLHF Studio: annotators compared model responses to the same prompt and ranked " +
      "them (pairwise or K-way), rated single responses (thumbs and criteria), or wrote and improved responses " +
      "(demonstrations) — see each project's task below.",
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
    `| annotations marked both bad | ${stats.bothBadAnnotations ?? 0} |`,
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
    bothBadText(def, input.format, stats),
    "",
    labelsText(def),
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
