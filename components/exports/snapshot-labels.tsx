// How a snapshot's definition and state read on the export pages: labels for formats and policies, the status
// badge, and the one-line summaries shared by the list and the detail page.
import type { RouterOutputs } from "@/server/api/root";

type JobStatus = RouterOutputs["export"]["get"]["status"];
import type { AggregationPolicy, ExportFileType, ExportFormat, SnapshotDefinition } from "@/server/schemas/export";

export const formatLabel: Record<ExportFormat, string> = {
  trl: "TRL standard",
  "trl-conversational": "TRL conversational",
  hh: "HH-RLHF",
  "ultrafeedback-binarized": "UltraFeedback binarized",
  "ultrafeedback-raw": "UltraFeedback raw",
  sft: "SFT (TRL prompt-completion)",
  "sft-conversational": "SFT (TRL conversational)",
  "sft-messages": "SFT (messages)",
  kto: "KTO (TRL unpaired preference)",
  raw: "Raw annotations",
};

export const fileTypeLabel: Record<ExportFileType, string> = { jsonl: "JSONL", parquet: "Parquet" };

export const aggregationLabel: Record<AggregationPolicy, string> = {
  all: "All pairs",
  majority: "Majority vote",
  bradley_terry: "Bradley-Terry",
  adjudicated: "Adjudicated (else majority)",
};

const badge: Record<JobStatus, string> = {
  PENDING: "bg-slate-100 text-slate-700",
  RUNNING: "bg-indigo-100 text-indigo-800",
  SUCCEEDED: "bg-emerald-100 text-emerald-800",
  FAILED: "bg-red-100 text-red-800",
};

const statusWord: Record<JobStatus, string> = { PENDING: "pending", RUNNING: "running", SUCCEEDED: "ready", FAILED: "failed" };

export function isBuilding(status: JobStatus): boolean {
  return status === "PENDING" || status === "RUNNING";
}

export function SnapshotStatus({ status }: { status: JobStatus }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${badge[status]}`}>{statusWord[status]}</span>;
}

/** "JSONL (gzip)" / "Parquet" */
export function fileTypeText(def: Pick<SnapshotDefinition, "fileType" | "gzip">): string {
  return `${fileTypeLabel[def.fileType]}${def.gzip ? " (gzip)" : ""}`;
}

/** "Majority vote, ties kept, agreement ≥ 60%" */
export function aggregationText(agg: SnapshotDefinition["aggregation"]): string {
  const parts = [aggregationLabel[agg.policy]];
  if (agg.policy !== "all") parts.push(`ties ${agg.ties === "keep" ? "kept" : "dropped"}`);
  if (agg.minAgreement > 0) parts.push(`agreement ≥ ${percent(agg.minAgreement)}`);
  return parts.join(", ");
}

export function percent(x: number): string {
  return `${+(x * 100).toFixed(1)}%`;
}

export function count(n: number | undefined | null): string {
  return n === undefined || n === null ? "—" : n.toLocaleString("en-US");
}

