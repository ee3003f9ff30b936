// The webhook signature as a receiver checks it: the README's Python verifier (run by the real interpreter) accepts
// what the dispatcher signs and refuses a changed body, another secret and an old timestamp; verifySignature agrees.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sign, verifySignature } from "@/server/services/webhooks/signature";

const SECRET = "whsec_test-secret";
const BODY = JSON.stringify({ id: "evt_1", type: "item.completed", createdAt: "2026-12-02T05:00:00.000Z", data: { itemId: "it_1", completedCount: 3 } });

/** The verify() function exactly as the README's Webhooks section prints it. */
function readmeVerifier(): string {
  const readme = readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
  const code = /```python\n(import hmac[\s\S]*?)```/.exec(readme);
  if (!code) throw new Error("the README's Python verifier is gone");
  return code[1];
}

function python(header: string, body: string, secret = SECRET): boolean {
  const script = `${readmeVerifier()}\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], sys.argv[3].encode()))\n`;
  const run = spawnSync(process.env.TRAINER_PYTHON ?? "python3", ["-c", script, secret, header, body], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim() === "True";
}

describe("X-RLHF-Signature", () => {
  const now = Math.floor(Date.now() / 1000);

  it("is t=<seconds>,v1=<HMAC-SHA256 of t.body> in hex", () => {
    // python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test-secret', b'1764650000.{}', hashlib.sha256).hexdigest())"
    expect(sign(SECRET, 1764650000, "{}")).toBe("t=1764650000,v1=56dd33ff2c76531460dcefe9b81b9de529ba8baa7c751459982c3fab7d47c353");
  });

  it("verifies with the README's Python code and with verifySignature", () => {
    const header = sign(SECRET, now, BODY);
    expect(python(header, BODY)).toBe(true);
    expect(verifySignature({ secret: SECRET, header, body: BODY })).toBe(true);
  });

  it("is refused for a changed body, another secret and a timestamp over five minutes old", () => {
    const header = sign(SECRET, now, BODY);
    expect(python(header, BODY.replace("3", "4"))).toBe(false);
    expect(python(header, BODY, "whsec_other")).toBe(false);
    const old = sign(SECRET, now - 600, BODY);
    expect(python(old, BODY)).toBe(false);
    expect(verifySignature({ secret: SECRET, header: old, body: BODY })).toBe(false);
    expect(verifySignature({ secret: SECRET, header: "garbage", body: BODY })).toBe(false);
  });
});
