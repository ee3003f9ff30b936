// One trainer process: spawned in its own process group behind guard.py, stdout read line by line as protocol
// events, stderr kept as a bounded tail, the whole tree stopped on request (SIGTERM to the group, SIGKILL after a
// grace period).
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseLine, type ParsedLine } from "@/trainer/worker/protocol";

export const TRAINER_DIR = path.resolve(__dirname, "..");
const GUARD = path.join(__dirname, "guard.py");

export interface TrainerCommand {
  python: string;
  /** "rlhf.reward" … */
  module: string;
  configPath: string;
  gpuIds: string[];
}

/** python -m rlhf.<kind>, or under torchrun (PyTorch DDP) when the run has more than one GPU. */
export function trainerArgv(cmd: TrainerCommand): string[] {
  const moduleArgs = ["-m", cmd.module, "--config", cmd.configPath];
  if (cmd.gpuIds.length > 1) {
    // torch.distributed.run is what the `torchrun` script runs; going through the same interpreter avoids
    // picking up a torchrun from another Python on PATH. --standalone: single-host rendezvous on a free port.
    return [cmd.python, "-m", "torch.distributed.run", "--standalone", `--nproc_per_node=${cmd.gpuIds.length}`, ...moduleArgs];
  }
  return [cmd.python, ...moduleArgs];
}

export type Environment = Record<string, string | undefined>;

// What a trainer may see of the worker's environment: the process basics, the locale, and the settings of CUDA,
// NCCL, PyTorch, the BLAS/OpenMP runtimes and Hugging Face. Everything else stays out — DATABASE_URL,
// NEXTAUTH_SECRET, the OAuth secrets, whatever else the host has: the trainer loads model files from disk and runs
// third-party code (transformers, peft), and needs none of them.
const PASSED = new Set(["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "XDG_CACHE_HOME"]);
const PASSED_PREFIXES = ["LC_", "CUDA_", "NVIDIA_", "NCCL_", "TORCH_", "PYTORCH_", "TRITON_", "CUBLAS_", "CUDNN_", "OMP_", "MKL_", "KMP_", "GOMP_", "OPENBLAS_", "HF_", "TRANSFORMERS_", "RLHF_"];
// even under a passed prefix (HF_TOKEN): a credential is never handed down
const CREDENTIAL = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|(^|_)KEY$/;

/** The environment of a Python child (a trainer, the torch probe): the passed variables of `base` only. */
export function childEnv(base: Environment): Environment {
  const out: Environment = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || CREDENTIAL.test(name)) continue;
    if (PASSED.has(name) || PASSED_PREFIXES.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}

export function trainerEnv(base: Environment, gpuIds: string[], trainerDir: string = TRAINER_DIR): Environment {
  return {
    ...childEnv(base),
    PYTHONPATH: [trainerDir, base.PYTHONPATH].filter(Boolean).join(path.delimiter),
    // An empty list hides every GPU from a CPU-slot run, so it cannot land on a GPU another run owns.
    CUDA_VISIBLE_DEVICES: gpuIds.join(","),
    PYTHONUNBUFFERED: "1",
  };
}

/** Keeps the last `maxBytes` of a stream, cut at a line start when possible. */
export class TailBuffer {
  private text = "";
  constructor(private readonly maxBytes: number) {}

  push(line: string): void {
    this.text += `${line}\n`;
    if (this.text.length > this.maxBytes * 2) this.trim();
  }

  private trim(): void {
    let cut = this.text.slice(-this.maxBytes);
    const nl = cut.indexOf("\n");
    if (nl >= 0 && nl < cut.length - 1) cut = cut.slice(nl + 1);
    this.text = cut;
  }

  toString(): string {
    this.trim();
    return this.text;
  }
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrainerProcess {
  pid: number;
  exited: Promise<ExitStatus>;
  /** SIGTERM to the whole group, SIGKILL after graceMs; resolves when the main process has exited */
  stop(graceMs: number): Promise<ExitStatus>;
}

export interface SpawnOptions {
  argv: string[];
  /** the directory holding the `rlhf` package (cwd of the process) */
  cwd?: string;
  env: Environment;
  /** the interpreter that runs guard.py (any python3) */
  guardPython: string;
  onLine: (parsed: ParsedLine) => void;
  onStderr: (line: string) => void;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

export function spawnTrainer(options: SpawnOptions): TrainerProcess {
  const child = spawn(options.guardPython, [GUARD, ...options.argv], {
    cwd: options.cwd ?? TRAINER_DIR,
    env: options.env as NodeJS.ProcessEnv,
    detached: true, // own process group: one kill reaches torchrun and every rank it started
    stdio: ["pipe", "pipe", "pipe"],
  });
  // Only closed when this worker process dies; guard.py then takes the group down.
  child.stdin.on("error", () => undefined);
  const stdoutDone = new Promise<void>((resolve) => {
    const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on("line", (line) => {
      if (line.trim() !== "") options.onLine(parseLine(line));
    });
    rl.on("close", resolve);
  });
  const stderrDone = new Promise<void>((resolve) => {
    const rl = createInterface({ input: child.stderr, crlfDelay: Infinity });
    rl.on("line", options.onStderr);
    rl.on("close", resolve);
  });
  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      // Stray grandchildren (data-loader workers, a rank that outlived torchrun) must not keep a GPU busy.
      if (child.pid) killGroup(child.pid, "SIGKILL");
      void Promise.all([stdoutDone, stderrDone]).then(() => resolve({ code, signal }));
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    return {
      pid: -1,
      exited,
      stop: () => exited,
    };
  }
  let stopping: Promise<ExitStatus> | null = null;
  return {
    pid,
    exited,
    stop(graceMs: number) {
      stopping ??= (async () => {
        killGroup(pid, "SIGTERM");
        const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
