// The launch form and the run.launch procedure take the trainer's config definition (trainer-config.json, generated
// from the Python dataclasses): fields, labels, defaults per backend and the rules between fields.
import { describe, expect, it } from "vitest";
import { launchFields, launchRunInput } from "@/server/schemas/run-launch";

const fieldsOf = (input: unknown) => {
  const parsed = launchRunInput.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."));
};

describe("launch fields", () => {
  it("start from the trainer's defaults for the backend, with its labels and help", () => {
    const tiny = launchFields("REWARD", "tiny");
    const hf = launchFields("REWARD", "hf");
    const byKey = (fields: typeof tiny) => Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(byKey(tiny).lr).toMatchObject({ label: "Learning rate", initial: "0.003", text: false });
    expect(byKey(hf).lr.initial).toBe("0.00001");
    expect(byKey(tiny).batch_size.initial).toBe("16");
    expect(byKey(hf).batch_size.initial).toBe("8");
    // the tiny model's shape only for tiny; the base model directory only for hf, as the last (full-width) field
    expect(tiny.map((f) => f.key)).toEqual(expect.arrayContaining(["n_layer", "n_head", "n_embd"]));
    expect(tiny.map((f) => f.key)).not.toContain("model_path");
    expect(hf.at(-1)).toMatchObject({ key: "model_path", text: true, initial: "" });
    expect(byKey(tiny).n_embd.hint).toMatch(/multiple of the heads/);
  });

  it("SFT, KTO and DPO show the trainer's own choices, with the tiny defaults that finish on the demo data", () => {
    const keys = (kind: "SFT" | "KTO" | "DPO", backend: "tiny" | "hf" = "tiny") => launchFields(kind, backend).map((f) => f.key);
    const initial = (kind: "SFT" | "KTO" | "DPO", key: string) => launchFields(kind, "tiny").find((f) => f.key === key)?.initial;
    expect(keys("SFT")).toEqual(["seed", "lr", "epochs", "batch_size", "max_length", "logging_steps", "n_layer", "n_head", "n_embd"]);
    expect(keys("SFT", "hf").at(-1)).toBe("model_path");
    expect([initial("SFT", "lr"), initial("SFT", "epochs"), initial("SFT", "max_length"), initial("SFT", "logging_steps")]).toEqual(["0.003", "3", "256", "5"]);
    expect(keys("KTO")).toEqual(expect.arrayContaining(["beta", "desirable_weight", "undesirable_weight", "class_balance"]));
    expect(launchFields("KTO", "tiny").find((f) => f.key === "class_balance")).toMatchObject({ text: true, initial: "warn" });
    expect(initial("DPO", "pair_weighting")).toBe("none");
  });

  it("generation from an endpoint has a prompt cap instead of a seed", () => {
    expect(launchFields("GENERATE", "tiny").map((f) => f.key)).toEqual(["num_samples", "temperature", "max_new_tokens", "seed"]);
    expect(launchFields("GENERATE", "tiny", { fromEndpoint: true }).map((f) => f.key)).toEqual(["num_samples", "temperature", "max_new_tokens", "max_prompts"]);
  });
});

describe("launch config", () => {
  const reward = { kind: "REWARD", name: "rm", snapshotId: "s" };
  const ppo = { kind: "PPO", name: "ppo", modelId: "m", projectId: "p" };

  it("refuses what the worker fills in, per kind", () => {
    expect(fieldsOf({ ...reward, config: { train_file: "/x.jsonl" } })).toEqual(["config.train_file"]);
    expect(fieldsOf({ ...ppo, config: { reward_model_path: "/m" } })).toEqual(["config.reward_model_path"]);
    // a PPO run may start from a model directory; a generation run samples a registered policy
    expect(fieldsOf({ ...ppo, config: { policy_path: "/p" } })).toEqual([]);
    expect(fieldsOf({ kind: "GENERATE", name: "g", projectId: "p", modelId: "m", config: { policy_path: "/p" } })).toEqual(["config.policy_path"]);
    expect(fieldsOf({ kind: "SCORE", name: "s", projectId: "p", config: { model_path: "/m" } })).toEqual(["config.model_path"]);
    // SFT starts from a base model directory it is given; KTO's splits are staged like DPO's
    expect(fieldsOf({ kind: "SFT", name: "s", snapshotId: "s", config: { model_path: "/m", test_file: "/t" } })).toEqual(["config.test_file"]);
    expect(fieldsOf({ kind: "KTO", name: "k", snapshotId: "s", config: { policy_path: "/p", train_file: "/t" } })).toEqual(["config.train_file"]);
  });

  it("checks the rules between fields with the trainer's defaults for the fields not given", () => {
    // PPO's tiny batch size defaults to 64: 3 mini-batches cannot split it, 4 can
    expect(fieldsOf({ ...ppo, config: { num_mini_batches: 3 } })).toEqual(["config.num_mini_batches"]);
    expect(fieldsOf({ ...ppo, config: { num_mini_batches: 4 } })).toEqual([]);
    // the width must be a multiple of the heads (4 by default)
    expect(fieldsOf({ ...reward, config: { n_embd: 66 } })).toEqual(["config.n_embd"]);
    expect(fieldsOf({ ...reward, config: { n_embd: 66, n_head: 3 } })).toEqual([]);
    expect(fieldsOf({ ...reward, config: { backend: "hf" } })).toEqual(["config.model_path"]);
    expect(fieldsOf({ ...reward, config: { backend: "gpt" } })).toEqual(["config.backend"]);
  });
});
