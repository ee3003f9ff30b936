// Content hashes that make prompts, candidates and items reusable by content. Import, seed and generation all
// go through these so that the same conversation is the same prompt wherever it came from.
import { createHash } from "node:crypto";

export interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Hex sha256: content hashes here, and the stored form of one-time link tokens. */
export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Canonical form: only role and content, in order, so metadata or key order never splits a prompt. */
export function promptHash(messages: Message[]): string {
  return sha256(JSON.stringify(messages.map((m) => [m.role, m.content])));
}

export function candidateHash(text: string): string {
  return sha256(text);
}

/** An item is its prompt plus the set of its candidates (order-free). */
export function itemKey(promptContentHash: string, candidateContentHashes: string[]): string {
  return sha256([promptContentHash, ...[...candidateContentHashes].sort()].join("\n"));
}
