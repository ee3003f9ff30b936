// What the launch form (and the `run.launch` procedure) accepts: the run's inputs plus a trainer config checked
// against the trainer's own definition of it. Each Python algorithm's config dataclass is the one source of truth:
// `npm run trainer:schema` exports them as JSON Schema to ./trainer-config.json (a trainer test keeps it current),
// and this module turns that into zod (types, ranges, choices, the cross-field rules, keys the worker fills in),
// the defaults per backend and the launch form's fields with their labels and help. A bad learning rate is so
// refused at once with the field named instead of failing minutes later on a worker. Keys the schema does not
// know pass through to the trainer, which refuses them naming the field.
import { z } from "zod";
import trainerConfig from "@/server/schemas/trainer-config.json";
import { enqueueRunInput, isTrainerRunKind, runKindModule, runKinds, type TrainerRunKind } from "@/server/schemas/runs";
import { judgeRunConfig } from "@/server/schemas/judge";
import { selfInstructRunConfig } from "@/server/schemas/self-instruct";

export const backends = ["tiny", "hf"] as const;
export type Backend = (typeof backends)[number];

type JsonType = "boolean" | "integer" | "number" | "string" | "object" | "null";

interface FieldSchema {
  type: JsonType | JsonType[];
  description: string;
  default?: unknown;
  title?: string;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  "x-default-by-backend"?: Partial<Record<Backend, number | string>>;
  "x-form"?: boolean;
  "x-backends"?: Backend[];
  "x-staged"?: boolean;
}

type Rule =
  | { rule: "required_when"; field: string; when: Record<string, unknown>; message: string }
  | { rule: "multiple_of"; field: string; value: string; of: string; message: string };

interface ConfigSchema {
  title: string;
  properties: Record<string, FieldSchema>;
  "x-rules": Rule[];
}

const modules = trainerConfig.modules as unknown as Record<string, ConfigSchema>;

/** The config schema of a run kind's trainer module. */
export function configSchemaOf(kind: TrainerRunKind): ConfigSchema {
  return modules[runKindModule[kind]];
}

const fmt = (n: number) => (Math.abs(n) >= 10_000 ? n.toLocaleString("en-US") : String(n));

function fieldZod(key: string, f: FieldSchema): z.ZodType {
  const label = f.title ?? key;
  const types = Array.isArray(f.type) ? f.type : [f.type];
  const nullable = types.includes("null");
  const type = types.find((t) => t !== "null") as JsonType;
  let schema: z.ZodType;
  if (f.enum) {
    schema = z.union(f.enum.map((v) => z.literal(v)) as unknown as [z.ZodLiteral, z.ZodLiteral], { error: `${label} must be one of ${f.enum.join(", ")}` });
  } else if (type === "integer" || type === "number") {
    let n = z.number({ error: `${label} must be a number` }).refine(Number.isFinite, `${label} must be a finite number`) as unknown as z.ZodNumber;
    if (type === "integer") n = n.int(`${label} must be a whole number`);
    if (f.minimum !== undefined) n = n.min(f.minimum, `${label} must be at least ${fmt(f.minimum)}`);
    if (f.maximum !== undefined) n = n.max(f.maximum, `${label} must be at most ${fmt(f.maximum)}`);
    if (f.exclusiveMinimum !== undefined) n = n.gt(f.exclusiveMinimum, `${label} must be above ${fmt(f.exclusiveMinimum)}`);
    if (f.exclusiveMaximum !== undefined) n = n.lt(f.exclusiveMaximum, `${label} must be below ${fmt(f.exclusiveMaximum)}`);
    schema = n;
  } else if (type === "string") {
    schema = z.string({ error: `${label} must be text` });
  } else if (type === "boolean") {
    schema = z.boolean({ error: `${label} must be true or false` });
  } else {
    schema = z.record(z.string(), z.unknown(), { error: `${label} must be an object` });
  }
  return (nullable ? schema.nullable() : schema).optional();
}

/** The default of a field for a backend: the per-backend one when the trainer has one. */
function defaultOf(f: FieldSchema | undefined, backend: Backend): unknown {
  return f?.["x-default-by-backend"]?.[backend] ?? f?.default;
}

/** Settings a kind takes that the worker reads itself, not the trainer (generation from an endpoint: a prompt cap). */
const workerOnlyKeys: Partial<Record<TrainerRunKind, string[]>> = { GENERATE: ["max_prompts"] };

/**
 * A run kind's launch config: the trainer's fields with their types and ranges, its rules, no staged keys. `strict`
 * (what a person or a script sends, through the form, tRPC and the HTTP API) also refuses a key the trainer does not
 * have, which would otherwise fail the run on the worker ("unknown config field(s)") long after the launch.
 */
function launchConfig(kind: TrainerRunKind, strict: boolean) {
  const schema = configSchemaOf(kind);
  const known = new Set([...Object.keys(schema.properties), ...(workerOnlyKeys[kind] ?? [])]);
  const shape: Record<string, z.ZodType> = {};
  for (const [key, f] of Object.entries(schema.properties)) {
    shape[key] = f["x-staged"]
      ? z.never({ error: `"${key}" is set by the worker from the run's inputs` }).optional()
      : fieldZod(key, f);
  }
  return z.looseObject(shape).superRefine((config, ctx) => {
    if (strict) {
      for (const key of Object.keys(config)) {
        if (!known.has(key)) ctx.addIssue({ code: "custom", path: [key], message: `"${key}" is not a setting of ${kind} runs (trainer/README.md lists them)` });
      }
    }
    const backend = (config.backend ?? schema.properties.backend?.default ?? "tiny") as Backend;
    const value = (key: string) => config[key] ?? defaultOf(schema.properties[key], backend);
    for (const rule of schema["x-rules"]) {
      if (rule.rule === "required_when") {
        const applies = Object.entries(rule.when).every(([k, v]) => value(k) === v);
        if (applies && !value(rule.field)) ctx.addIssue({ code: "custom", path: [rule.field], message: rule.message });
      } else {
        const [n, of] = [value(rule.value), value(rule.of)];
        if (typeof n === "number" && typeof of === "number" && of !== 0 && n % of !== 0) {
          ctx.addIssue({ code: "custom", path: [rule.field], message: rule.message });
        }
      }
    }
  });
}

// a kind the worker runs itself has its config schema beside its service (./self-instruct.ts, ./judge.ts)
const workerConfigs = { SELF_INSTRUCT: selfInstructRunConfig, JUDGE: judgeRunConfig } satisfies Record<Exclude<(typeof runKinds)[number], TrainerRunKind>, z.ZodType>;
function runInput(strict: boolean) {
  const configs = Object.fromEntries(
    runKinds.map((k) => [k, isTrainerRunKind(k) ? launchConfig(k, strict) : workerConfigs[k]]),
  ) as unknown as Record<(typeof runKinds)[number], z.ZodType>;
  return enqueueRunInput.superRefine((input, ctx) => {
    const parsed = configs[input.kind].safeParse(input.config);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", path: ["config", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))], message: issue.message });
    }
  });
}

/** A launch as a person or a script sends it (the form, tRPC, the HTTP API): every config key must be the trainer's. */
export const launchRunInput = runInput(true);
/**
 * A launch from inside the server (the loop's chain, tests' stand-in trainers): the same types, ranges and rules,
 * but keys the trainer does not know pass, since the caller chose them (a stand-in trainer's `steps`).
 */
export const serviceRunInput = runInput(false);
export type LaunchRunInput = z.input<typeof launchRunInput>;
export type LaunchRunOutput = z.output<typeof launchRunInput>;

// ---------------------------------------------------------------------------------------------------------------
// the launch form's fields

export interface LaunchField {
  key: string;
  label: string;
  /** the trainer's description of the field */
  hint: string;
  /** a path or name rather than a number */
  text: boolean;
  /** the starting value for the backend, as the form shows it ("" for none) */
  initial: string;
}

/** Fields only endpoint generation has (it runs in the worker, not in Python; see endpointGenerationConfig). */
const endpointFields: LaunchField[] = [{ key: "max_prompts", label: "Max prompts", hint: "blank = every prompt of the project", text: false, initial: "" }];

/**
 * The fields the launch form shows for a kind and backend, in the trainer's order with text fields last, starting
 * from the trainer's defaults for that backend. Generation from an endpoint has no seed but a prompt cap.
 */
export function launchFields(kind: TrainerRunKind, backend: Backend, options: { fromEndpoint?: boolean } = {}): LaunchField[] {
  const fields: LaunchField[] = [];
  for (const [key, f] of Object.entries(configSchemaOf(kind).properties)) {
    if (!f["x-form"] || (f["x-backends"] && !f["x-backends"].includes(backend))) continue;
    if (options.fromEndpoint && key === "seed") continue;
    const initial = defaultOf(f, backend);
    const types = Array.isArray(f.type) ? f.type : [f.type];
    fields.push({ key, label: f.title ?? key, hint: f.description, text: types.includes("string"), initial: initial === null || initial === undefined ? "" : String(initial) });
  }
  if (options.fromEndpoint) fields.push(...endpointFields);
  return [...fields.filter((f) => !f.text), ...fields.filter((f) => f.text)];
}
