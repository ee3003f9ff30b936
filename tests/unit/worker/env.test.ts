// The environment a Python child of the worker gets (trainer/worker/process.ts): the process basics and the CUDA,
// NCCL, torch, BLAS and Hugging Face settings; never the app's secrets. Before, it inherited everything.
import { describe, expect, it } from "vitest";
import { childEnv, trainerEnv } from "@/trainer/worker/process";

const worker = {
  PATH: "/usr/bin",
  HOME: "/home/w",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  TMPDIR: "/scratch",
  CUDA_HOME: "/usr/local/cuda",
  NCCL_DEBUG: "INFO",
  PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True",
  OMP_NUM_THREADS: "4",
  HF_HOME: "/models/hf",
  HF_HUB_OFFLINE: "1",
  RLHF_NUM_THREADS: "2",
  PYTHONPATH: "/opt/lib",
  DATABASE_URL: "postgresql://app:pw@db:5432/rlhf",
  TEST_DATABASE_URL: "postgresql://x",
  NEXTAUTH_SECRET: "s3cret-s3cret-s3cret",
  NEXTAUTH_SECRET_PREVIOUS: "old-s3cret-old-s3cret",
  GITHUB_SECRET: "gh",
  GOOGLE_SECRET: "g",
  OIDC_SECRET: "o",
  HF_TOKEN: "hf_abc",
  AWS_SECRET_ACCESS_KEY: "aws",
  OPENAI_API_KEY: "sk-x",
  NODE_ENV: "production",
  TRAINER_PYTHON: "/usr/bin/python3",
};

describe("a trainer's environment", () => {
  it("keeps what Python, CUDA and torch need and drops everything else", () => {
    expect(childEnv(worker)).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/w",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      TMPDIR: "/scratch",
      CUDA_HOME: "/usr/local/cuda",
      NCCL_DEBUG: "INFO",
      PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True",
      OMP_NUM_THREADS: "4",
      HF_HOME: "/models/hf",
      HF_HUB_OFFLINE: "1",
      RLHF_NUM_THREADS: "2",
      PYTHONPATH: "/opt/lib",
    });
  });

  it("adds the run's own variables", () => {
    const env = trainerEnv(worker, ["1", "3"], "/app/trainer");
    expect(env).toMatchObject({ CUDA_VISIBLE_DEVICES: "1,3", PYTHONPATH: "/app/trainer:/opt/lib", PYTHONUNBUFFERED: "1" });
    expect(Object.keys(env).filter((k) => /DATABASE|SECRET|TOKEN|KEY|NODE_ENV/.test(k))).toEqual([]);
    expect(trainerEnv(worker, []).CUDA_VISIBLE_DEVICES).toBe("");
  });
});
