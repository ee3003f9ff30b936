// A database restart closes every connection the app holds. Before the pools had `error` handlers, a closed idle
// connection surfaced as an uncaughtException and took the process down. Here a separate process holds idle and
// checked-out connections, the test ends them all with pg_terminate_backend (what a restart does to them), and the
// process must stay up and answer the next queries on fresh connections.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, expect, it } from "vitest";
import { pool } from "@/server/pg";

const HOLDER = path.resolve(__dirname, "../../fixtures/db/pool-holder.ts");

let child: ChildProcessWithoutNullStreams | null = null;
afterEach(() => {
  child?.kill("SIGKILL");
  child = null;
});

function nextLine(lines: AsyncIterator<string>, prefix: string): Promise<string> {
  return (async () => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new Error(`the process ended before printing "${prefix}"`);
      if (next.value.startsWith(prefix)) return next.value;
    }
  })();
}

it("survives the database closing its idle and checked-out connections, and queries again", async () => {
  const appName = `pool-holder-${randomBytes(4).toString("hex")}`;
  const proc = spawn(process.execPath, ["--import", "tsx", HOLDER], { env: { ...process.env, PGAPPNAME: appName } });
  child = proc;
  let stderr = "";
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  await nextLine(lines, "ready");

  const terminated = await pool().query<{ n: number }>(
    "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1",
    [appName],
  );
  // one idle connection in each pool, and the checked-out one
  expect(terminated.rows[0].n).toBeGreaterThanOrEqual(3);

  const died = await Promise.race([exited.then((code) => `exited with ${code}`), new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
  expect(died, stderr).toBeNull();
  proc.stdin.write("query\n");
  expect(await nextLine(lines, "result")).toBe("result 1,2");
  expect(stderr).toMatch(/a database connection was closed/);
});
