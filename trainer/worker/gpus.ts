// GPU slots: which GPUs this worker owns, and which of them are free. At most one run per GPU; a run asking
// for k GPUs waits until k are free on one worker. Runs with gpuCount 0 take the single CPU slot, which every
// worker offers (on a GPU host too, so a tiny CPU job never waits behind a long GPU run).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Parses TRAINER_GPUS: a comma list of device ids ("0,1,3"), or "none" for a CPU-only worker.
 * Returns null when the variable does not decide (unset or empty), so the caller asks nvidia-smi.
 */
export function parseGpuList(value: string | undefined): string[] | null {
  if (value === undefined || value.trim() === "") return null;
  if (value.trim().toLowerCase() === "none") return [];
  const ids = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const id of ids) {
    if (!/^[A-Za-z0-9-]+$/.test(id)) {
      throw new Error(`TRAINER_GPUS: "${id}" is not a GPU index or UUID (expected e.g. "0,1" or "none")`);
    }
  }
  if (new Set(ids).size !== ids.length) throw new Error(`TRAINER_GPUS lists a GPU twice: "${value}"`);
  return ids;
}

/** The GPUs of this host: TRAINER_GPUS when set, else nvidia-smi's indices, else none. */
export async function detectGpus(trainerGpus: string | undefined): Promise<string[]> {
  const fromEnv = parseGpuList(trainerGpus);
  if (fromEnv) return fromEnv;
  try {
    const { stdout } = await execFileAsync("nvidia-smi", ["--query-gpu=index", "--format=csv,noheader"], {
      timeout: 10_000,
    });
    return stdout
      .split("\n")
      .map((s) => s.trim())
      .filter((s) => /^\d+$/.test(s));
  } catch {
    // No driver or no nvidia-smi: a CPU-only host.
    return [];
  }
}

export class SlotPool {
  private readonly busy = new Set<string>();
  private cpuBusy = false;

  constructor(readonly gpuIds: readonly string[]) {}

  freeGpuIds(): string[] {
    return this.gpuIds.filter((id) => !this.busy.has(id));
  }

  cpuFree(): boolean {
    return !this.cpuBusy;
  }

  /** Whether anything at all could be claimed now; lets the worker skip a database round trip. */
  hasFreeSlot(): boolean {
    return this.cpuFree() || this.freeGpuIds().length > 0;
  }

  /**
   * Takes exactly the given GPUs (the ones the queue assigned), or the CPU slot when the list is empty.
   * Throws if any is not free: the claim is computed from freeGpuIds(), so this means a bug, not contention.
   */
  acquire(gpuIds: readonly string[]): void {
    if (gpuIds.length === 0) {
      if (this.cpuBusy) throw new Error("CPU slot already in use");
      this.cpuBusy = true;
      return;
    }
    for (const id of gpuIds) {
      if (!this.gpuIds.includes(id)) throw new Error(`GPU ${id} does not belong to this worker`);
      if (this.busy.has(id)) throw new Error(`GPU ${id} already in use`);
    }
    for (const id of gpuIds) this.busy.add(id);
  }

  release(gpuIds: readonly string[]): void {
    if (gpuIds.length === 0) this.cpuBusy = false;
    for (const id of gpuIds) this.busy.delete(id);
  }
}
