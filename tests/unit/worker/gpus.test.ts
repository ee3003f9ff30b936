import { describe, expect, it } from "vitest";
import { detectGpus, parseGpuList, SlotPool } from "@/trainer/worker/gpus";
import { trainerArgv, trainerEnv, TailBuffer } from "@/trainer/worker/process";

describe("GPU list", () => {
  it("reads TRAINER_GPUS as ids, 'none' as a CPU-only host, unset as 'ask nvidia-smi'", () => {
    expect(parseGpuList("0,1, 3")).toEqual(["0", "1", "3"]);
    expect(parseGpuList("none")).toEqual([]);
    expect(parseGpuList("NONE")).toEqual([]);
    expect(parseGpuList(undefined)).toBeNull();
    expect(parseGpuList("")).toBeNull();
    expect(() => parseGpuList("0,0")).toThrow(/twice/);
    expect(() => parseGpuList("0;1")).toThrow(/not a GPU index/);
  });

  it("uses TRAINER_GPUS without asking the driver", async () => {
    expect(await detectGpus("2,5")).toEqual(["2", "5"]);
    expect(await detectGpus("none")).toEqual([]);
  });
});

describe("slots", () => {
  it("gives each GPU to one run at a time and offers one CPU slot", () => {
    const pool = new SlotPool(["0", "1", "2"]);
    pool.acquire(["0", "1"]);
    expect(pool.freeGpuIds()).toEqual(["2"]);
    expect(() => pool.acquire(["1"])).toThrow(/already in use/);
    expect(() => pool.acquire(["7"])).toThrow(/does not belong/);
    pool.acquire([]);
    expect(pool.cpuFree()).toBe(false);
    expect(() => pool.acquire([])).toThrow(/CPU slot/);
    pool.acquire(["2"]);
    expect(pool.hasFreeSlot()).toBe(false);
    pool.release(["0", "1"]);
    expect(pool.freeGpuIds()).toEqual(["0", "1"]);
    pool.release([]);
    expect(pool.cpuFree()).toBe(true);
  });

  it("a GPU-less worker has exactly the CPU slot", () => {
    const pool = new SlotPool([]);
    expect(pool.freeGpuIds()).toEqual([]);
    expect(pool.hasFreeSlot()).toBe(true);
    pool.acquire([]);
    expect(pool.hasFreeSlot()).toBe(false);
  });
});

describe("trainer command", () => {
  it("runs one process per run, torchrun (DDP) when the run has several GPUs", () => {
    expect(trainerArgv({ python: "/usr/bin/python3", module: "rlhf.reward", configPath: "/r/config.json", gpuIds: ["3"] })).toEqual([
      "/usr/bin/python3", "-m", "rlhf.reward", "--config", "/r/config.json",
    ]);
    expect(trainerArgv({ python: "py", module: "rlhf.ppo", configPath: "c.json", gpuIds: ["0", "1"] })).toEqual([
      "py", "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "rlhf.ppo", "--config", "c.json",
    ]);
  });

  it("pins the run to its GPUs and hides every GPU from a CPU run", () => {
    expect(trainerEnv({ PATH: "/bin" }, ["1", "3"]).CUDA_VISIBLE_DEVICES).toBe("1,3");
    expect(trainerEnv({ PATH: "/bin" }, []).CUDA_VISIBLE_DEVICES).toBe("");
    expect(trainerEnv({ PYTHONPATH: "/x" }, [], "/t").PYTHONPATH).toBe("/t:/x");
  });
});

describe("stderr tail", () => {
  it("keeps the last lines within the byte budget", () => {
    const tail = new TailBuffer(100);
    for (let i = 0; i < 1000; i++) tail.push(`line ${i}`);
    const text = tail.toString();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.endsWith("line 999\n")).toBe(true);
    expect(text.startsWith("line ")).toBe(true);
  });
});
