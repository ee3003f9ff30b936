// Where model directories may be (server/services/model-paths.ts): under the model folders, judged by the path as
// written at launch and with symlinks resolved on the worker's disk.
import { mkdir, mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelPathProblem, modelPathProblemOnDisk, modelRoots } from "@/server/services/model-paths";

let base: string;
let roots: string[];
beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), "model-paths-")));
  roots = modelRoots(path.join(base, "data"), [path.join(base, "shared")]);
  for (const dir of ["data/runs/r1/model", "data/models/llama", "shared/qwen", "elsewhere/secret"]) await mkdir(path.join(base, dir), { recursive: true });
  await symlink(path.join(base, "elsewhere/secret"), path.join(base, "data/models/link-out"));
  await symlink(path.join(base, "shared/qwen"), path.join(base, "data/models/link-in"));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe("model directories", () => {
  it("are the run outputs, <DATA_DIR>/models and TRAINER_MODEL_ROOTS", () => {
    expect(roots).toEqual([path.join(base, "data/runs"), path.join(base, "data/models"), path.join(base, "shared")]);
    for (const ok of ["data/runs/r1/model", "data/models/llama", "shared/qwen", "shared"]) expect(modelPathProblem(path.join(base, ok), roots)).toBeNull();
  });

  it("outside them, relative, or climbing out with .. are refused as written", () => {
    const folders = `${roots.join(", ")} (TRAINER_MODEL_ROOTS adds folders)`;
    expect(modelPathProblem("/etc", roots)).toBe(`must be under one of the model folders: ${folders}`);
    expect(modelPathProblem(path.join(base, "data/models/../../elsewhere/secret"), roots)).toMatch(/^must be under one of the model folders/);
    expect(modelPathProblem(path.join(base, "data/modelsx"), roots)).toMatch(/^must be under one of the model folders/);
    expect(modelPathProblem("data/models/llama", roots)).toBe(`must be an absolute path, under one of the model folders: ${folders}`);
  });

  it("on disk: symlinks are followed, and a missing directory is named", async () => {
    expect(await modelPathProblemOnDisk(path.join(base, "data/models/llama"), roots)).toBeNull();
    expect(await modelPathProblemOnDisk(path.join(base, "data/models/link-in"), roots)).toBeNull();
    expect(await modelPathProblemOnDisk(path.join(base, "data/models/link-out"), roots)).toBe(
      `leads (through a symlink) to ${path.join(base, "elsewhere/secret")}, outside the model folders: ${roots.join(", ")} (TRAINER_MODEL_ROOTS adds folders)`,
    );
    expect(await modelPathProblemOnDisk(path.join(base, "data/models/nope"), roots)).toBe("does not exist on this host");
  });
});
