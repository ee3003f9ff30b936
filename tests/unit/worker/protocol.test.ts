import { describe, expect, it } from "vitest";
import { finiteMetrics, parseLine } from "@/trainer/worker/protocol";

describe("trainer protocol", () => {
  it("reads each event the trainer prints", () => {
    expect(parseLine('{"event":"metric","step":10,"metrics":{"loss":0.5,"accuracy":0.75}}')).toEqual({
      event: "metric",
      step: 10,
      metrics: { loss: 0.5, accuracy: 0.75 },
    });
    expect(parseLine('{"event":"progress","step":3,"total_steps":12}')).toMatchObject({ step: 3, total_steps: 12 });
    expect(parseLine('{"event":"checkpoint","step":100,"path":"/d/runs/x/checkpoints/step-00000100"}')).toMatchObject({ event: "checkpoint", step: 100 });
    expect(parseLine('{"event":"done","model_path":"/d/model","metrics":{"eval_accuracy":0.97}}')).toMatchObject({ event: "done", model_path: "/d/model" });
    expect(parseLine('{"event":"sample","step":2,"prompt":"p","response":"r","score":1.25}')).toMatchObject({ event: "sample", score: 1.25 });
    expect(parseLine('{"event":"generated","path":"/d/generated.jsonl"}')).toMatchObject({ event: "generated" });
    expect(parseLine('{"event":"error","message":"train_file: line 3: \'prompt\' is missing"}')).toMatchObject({ event: "error" });
  });

  it("keeps unknown extra fields from breaking a line (newer trainer, older worker)", () => {
    expect(parseLine('{"event":"start","total_steps":5,"device":"cpu","world_size":1,"resumed_from_step":null,"new_field":1}')).toMatchObject({
      event: "start",
      total_steps: 5,
    });
  });

  it("turns anything else into an invalid line with a reason instead of throwing", () => {
    const cases = [
      "Some library printed this",
      "{truncated",
      '{"event":"metric","step":"three","metrics":{}}',
      '{"event":"teleport"}',
      '[1,2,3]',
      '{"event":"progress","step":-1,"total_steps":5}',
    ];
    for (const line of cases) {
      const parsed = parseLine(line);
      expect(parsed.event, line).toBe("invalid");
      if (parsed.event === "invalid") expect(parsed.reason.length).toBeGreaterThan(0);
    }
    const bad = parseLine('{"event":"metric","step":"three","metrics":{}}');
    expect(bad.event === "invalid" && bad.reason).toContain("step");
  });

  it("reads NaN and Infinity (Python json.dumps' defaults) as missing values and drops them", () => {
    const parsed = parseLine('{"event": "metric", "step": 4, "metrics": {"loss": NaN, "accuracy": 0.5, "kl": -Infinity}}');
    expect(parsed.event).toBe("metric");
    if (parsed.event !== "metric") return;
    expect(finiteMetrics(parsed.metrics)).toEqual({ accuracy: 0.5 });
  });

  it("does not mistake NaN inside a string for a number", () => {
    const parsed = parseLine('{"event":"log","message":"loss is NaN, stopping"}');
    expect(parsed).toEqual({ event: "log", message: "loss is NaN, stopping" });
  });
});
