// The Python trainer's stdout protocol: one JSON object per line, each with an `event` (trainer/PROTOCOL.md).
// Every line is validated here before it touches the database; a line that is not JSON, or JSON that does not
// match, becomes an `invalid` event that the supervisor logs and otherwise ignores — a stray print in a Python
// library must never crash the worker or corrupt a run.
import { z } from "zod";

const metricsEvent = z.object({
  event: z.literal("metric"),
  step: z.number().int().min(0),
  // TRL names: loss, accuracy, eval_accuracy, objective/kl … Non-finite values (a diverged loss, sent as null)
  // are dropped rather than rejected, so one NaN does not hide the other metrics of the step.
  metrics: z.record(z.string().min(1).max(200), z.number().nullable()),
});

const startEvent = z.object({
  event: z.literal("start"),
  total_steps: z.number().int().min(0).optional(),
  device: z.string().optional(),
  world_size: z.number().int().min(1).optional(),
  resumed_from_step: z.number().int().min(0).nullable().optional(),
});

const progressEvent = z.object({
  event: z.literal("progress"),
  step: z.number().int().min(0),
  total_steps: z.number().int().min(0),
});

const checkpointEvent = z.object({
  event: z.literal("checkpoint"),
  path: z.string().min(1),
  step: z.number().int().min(0),
});

const sampleEvent = z.object({
  event: z.literal("sample"),
  step: z.number().int().min(0),
  prompt: z.string(),
  response: z.string(),
  score: z.number().nullable(),
});

const generatedEvent = z.object({
  event: z.literal("generated"),
  // JSONL of {prompt_id, sample_index, text, model} rows
  path: z.string().min(1),
  count: z.number().int().min(0).optional(),
});

const doneEvent = z.object({
  event: z.literal("done"),
  // the final model directory (REWARD, PPO, GRPO, RLOO, DPO); GENERATE reports the policy it sampled
  model_path: z.string().min(1).optional(),
  metrics: z.record(z.string(), z.number().nullable()).optional(),
});

const logEvent = z.object({
  event: z.literal("log"),
  level: z.string().optional(),
  message: z.string(),
});

// rlhf.serve: the policy server listens (on 127.0.0.1)
const servingEvent = z.object({
  event: z.literal("serving"),
  port: z.number().int().min(1).max(65535),
  url: z.string(),
  model: z.string(),
  backend: z.string().optional(),
  device: z.string().optional(),
});

const errorEvent = z.object({
  event: z.literal("error"),
  message: z.string(),
});

export const trainerEvent = z.discriminatedUnion("event", [
  metricsEvent,
  startEvent,
  progressEvent,
  checkpointEvent,
  sampleEvent,
  generatedEvent,
  doneEvent,
  logEvent,
  servingEvent,
  errorEvent,
]);

export type TrainerEvent = z.infer<typeof trainerEvent>;
export type ParsedLine = TrainerEvent | { event: "invalid"; line: string; reason: string };

/** Parses one stdout line. Never throws. */
export function parseLine(line: string): ParsedLine {
  const trimmed = line.trim();
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // Python's json.dumps writes NaN/Infinity as bare tokens, which JSON rejects; read them as null.
    try {
      json = JSON.parse(trimmed.replace(/(?<=[:[,]\s*)(?:NaN|-?Infinity)(?=\s*[,}\]])/g, "null"));
    } catch {
      return { event: "invalid", line, reason: "not JSON" };
    }
  }
  const parsed = trainerEvent.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`)
      .join("; ");
    return { event: "invalid", line, reason };
  }
  return parsed.data;
}

/** Keeps only the finite values of a metrics record (NaN/Infinity arrive as null via Python's json). */
export function finiteMetrics(metrics: Record<string, number | null>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === "number" && Number.isFinite(value)) out[name] = value;
  }
  return out;
}
