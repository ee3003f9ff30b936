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

describe("online RL launch fields", () => {
  it("GRPO and RLOO show k, the clip range and the KL controller, from the trainer's defaults", () => {
    const keys = (kind: "GRPO" | "RLOO" | "PPO") => launchFields(kind, "tiny").map((f) => f.key);
    for (const kind of ["GRPO", "RLOO"] as const) {
      expect(keys(kind)).toEqual(expect.arrayContaining(["num_generations", "epsilon", "beta", "kl_target", "kl_horizon", "kl_controller", "max_completion_length"]));
      const byKey = Object.fromEntries(launchFields(kind, "tiny").map((f) => [f.key, f]));
      expect(byKey.num_generations).toMatchObject({ label: "Completions per prompt", initial: "4", text: false });
      expect(byKey.kl_controller).toMatchObject({ initial: "adaptive", text: true });
      expect(launchFields(kind, "hf").find((f) => f.key === "num_generations")?.initial).toBe("8");
    }
    expect(keys("GRPO")).toContain("scale_rewards");
    expect(keys("RLOO")).not.toContain("scale_rewards");
    // PPO keeps its names and gains the controller
    expect(keys("PPO")).toEqual(expect.arrayContaining(["kl_coef", "kl_controller", "kl_target", "kl_horizon"]));
  });

  it("checks the adaptive controller's β with the default controller when none is given", () => {
    const grpo = { kind: "GRPO", name: "g", modelId: "m", projectId: "p" };
    expect(fieldsOf({ ...grpo, config: { beta: 0 } })).toEqual(["config.beta"]);
    expect(fieldsOf({ ...grpo, config: { beta: 0, kl_controller: "fixed" } })).toEqual([]);
    expect(fieldsOf({ kind: "PPO", name: "p", modelId: "m", projectId: "p", config: { kl_coef: 0 } })).toEqual(["config.kl_coef"]);
    // 64 completions (the tiny default) split into groups of 4 and 8, not 6
    expect(fieldsOf({ ...grpo, config: { num_generations: 6 } })).toEqual(["config.batch_size"]);
    expect(fieldsOf({ kind: "RLOO", name: "r", modelId: "m", snapshotId: "s", config: { num_generations: 8 } })).toEqual([]);
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
