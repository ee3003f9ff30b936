// Python discovery against real interpreters: a directory whose python3 cannot import torch must be passed over
// for one that can; none at all gives the message the run fails with.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPython, importsTorch, NO_PYTHON_MESSAGE } from "@/trainer/worker/python";

let dir: string;
let withTorch: string | null = null;

async function interpreter(name: string, body: string): Promise<string> {
  const d = path.join(dir, name);
  await import("node:fs/promises").then((fs) => fs.mkdir(d, { recursive: true }));
  const file = path.join(d, "python3");
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return d;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "pydisc-"));
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    if (await importsTorch(candidate)) {
      withTorch = candidate;
      break;
    }
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("python discovery", () => {
  it("skips a python3 on PATH that cannot import torch and falls back to the system one", async () => {
    // A python3 without torch, first on PATH (the pyenv/venv situation on Debian).
    const noTorch = await interpreter("no-torch", 'echo "ModuleNotFoundError: No module named torch" >&2; exit 1');
    const system = await interpreter("system", withTorch ? `exec ${withTorch} "$@"` : "exit 1");
    const found = await findPython({ pathVar: noTorch, systemPython: path.join(system, "python3") });
    if (withTorch) expect(found).toEqual({ ok: true, python: path.join(system, "python3") });
    else expect(found).toEqual({ ok: false, message: NO_PYTHON_MESSAGE });
  });

  it("takes the first python3 on PATH when it imports torch", async () => {
    const good = await interpreter("good", withTorch ? `exec ${withTorch} "$@"` : "exit 1");
    const found = await findPython({ pathVar: `${path.join(dir, "missing")}:${good}`, systemPython: "/nonexistent/python3" });
    expect(found.ok).toBe(withTorch !== null);
  });

  it("fails with an actionable message when no interpreter has torch", async () => {
    const noTorch = await interpreter("no-torch-2", "exit 1");
    expect(await findPython({ pathVar: noTorch, systemPython: "/nonexistent/python3" })).toEqual({ ok: false, message: NO_PYTHON_MESSAGE });
  });

  it("names TRAINER_PYTHON in the message when the configured interpreter lacks torch", async () => {
    const noTorch = await interpreter("no-torch-3", "exit 1");
    const found = await findPython({ trainerPython: path.join(noTorch, "python3"), pathVar: "", systemPython: "/nonexistent" });
    expect(found.ok).toBe(false);
    if (!found.ok) expect(found.message).toMatch(/TRAINER_PYTHON=.*cannot import torch.*install python3-torch/);
  });
});
