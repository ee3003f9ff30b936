// OpenAI-compatible endpoints that generation runs sample from: create, update, delete (each audited), the list the
// admin pages show, and the key rotation of `rotate-secrets`. The API key is write-only: stored encrypted and bound to
// its row (server/services/secrets.ts); views carry only `hasApiKey`, and only endpointConfig opens it, for the jobs
// that call the endpoint (server/services/generation.ts, self-instruct.ts).
import { db } from "@/server/db";
import { AppError, parseOrThrow } from "@/server/errors";
import { endpointInput, type EndpointInput } from "@/server/schemas/runs";
import * as audit from "@/server/services/audit";
import type { EndpointConfig } from "@/server/services/openai-client";
import { BlockedAddressError, checkEndpointUrl } from "@/server/services/outbound";
import { decryptSecret, encryptSecret, openSecret } from "@/server/services/secrets";

export type EndpointView = { id: string; name: string; baseUrl: string; model: string; concurrency: number; hasApiKey: boolean; createdAt: Date };

function view(e: { id: string; name: string; baseUrl: string; model: string; concurrency: number; apiKeyEncrypted: string | null; createdAt: Date }): EndpointView {
  return { id: e.id, name: e.name, baseUrl: e.baseUrl, model: e.model, concurrency: e.concurrency, hasApiKey: e.apiKeyEncrypted !== null, createdAt: e.createdAt };
}

export async function listEndpoints(): Promise<EndpointView[]> {
  return (await db.endpoint.findMany({ orderBy: { name: "asc" } })).map(view);
}

export async function saveEndpoint(options: { id?: string; input: EndpointInput; actorId?: string | null }): Promise<EndpointView> {
  const { apiKey, ...rest } = parseOrThrow(endpointInput, options.input, { what: "invalid endpoint" });
  try {
    await checkEndpointUrl(rest.baseUrl);
  } catch (err) {
    if (!(err instanceof BlockedAddressError)) throw err;
    throw new AppError("BAD_REQUEST", `invalid endpoint: ${err.message}`, [{ field: "baseUrl", message: err.message }]);
  }
  // the key is bound to its row, so a new endpoint gets its id before the key is encrypted
  const key = (id: string) => (apiKey ? { apiKeyEncrypted: encryptSecret(apiKey, apiKeyContext(id)) } : {});
  try {
    return await db.$transaction(async (tx) => {
      const before = options.id ? await tx.endpoint.findUnique({ where: { id: options.id } }) : null;
      if (options.id && !before) throw new AppError("NOT_FOUND", "endpoint not found");
      let saved = options.id
        ? await tx.endpoint.update({ where: { id: options.id }, data: { ...rest, ...key(options.id) } })
        : await tx.endpoint.create({ data: rest });
      if (!options.id && apiKey) saved = await tx.endpoint.update({ where: { id: saved.id }, data: key(saved.id) });
      // the views carry hasApiKey, never the key
      await audit.record(
        { actorId: options.actorId ?? null, action: before ? "endpoint.update" : "endpoint.create", targetType: "endpoint", targetId: saved.id, before: before && view(before), after: view(saved) },
        tx,
      );
      return view(saved);
    });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") throw new AppError("CONFLICT", `an endpoint named "${rest.name}" exists`, [{ field: "name", message: "already taken" }]);
    if ((err as { code?: string }).code === "P2025") throw new AppError("NOT_FOUND", "endpoint not found");
    throw err;
  }
}

/** What an endpoint's stored API key is bound to (the associated data of its encryption). */
function apiKeyContext(endpointId: string): string {
  return `endpoint:${endpointId}:apiKey`;
}

export interface ReencryptResult {
  /** rewritten under the current secret: stored in the old format or under NEXTAUTH_SECRET_PREVIOUS */
  reencrypted: string[];
  unchanged: number;
  /** names of endpoints whose key no known secret opens: their API key must be entered again */
  unreadable: { name: string; reason: string }[];
}

/** After a rotation of the secret: every stored API key re-encrypted under the current one (`rotate-secrets`). */
export async function reencryptEndpointKeys(): Promise<ReencryptResult> {
  const result: ReencryptResult = { reencrypted: [], unchanged: 0, unreadable: [] };
  const endpoints = await db.endpoint.findMany({ where: { apiKeyEncrypted: { not: null } }, orderBy: { name: "asc" } });
  for (const endpoint of endpoints) {
    const stored = endpoint.apiKeyEncrypted as string;
    let opened: ReturnType<typeof openSecret>;
    try {
      opened = openSecret(stored, apiKeyContext(endpoint.id));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result.unreadable.push({ name: endpoint.name, reason: err.message });
      continue;
    }
    if (!opened.stale) {
      result.unchanged++;
      continue;
    }
    // only if nobody changed the key meanwhile
    const updated = await db.endpoint.updateMany({
      where: { id: endpoint.id, apiKeyEncrypted: stored },
      data: { apiKeyEncrypted: encryptSecret(opened.plaintext, apiKeyContext(endpoint.id)) },
    });
    if (updated.count === 1) result.reencrypted.push(endpoint.name);
  }
  return result;
}

export async function deleteEndpoint(options: { id: string; actorId?: string | null }): Promise<void> {
  await db.$transaction(async (tx) => {
    const endpoint = await tx.endpoint.findUnique({ where: { id: options.id } });
    const deleted = await tx.endpoint.deleteMany({ where: { id: options.id } });
    if (!endpoint || deleted.count === 0) throw new AppError("NOT_FOUND", "endpoint not found");
    await audit.record({ actorId: options.actorId ?? null, action: "endpoint.delete", targetType: "endpoint", targetId: options.id, before: view(endpoint) }, tx);
  });
}

/** A registered endpoint as the OpenAI client takes it, its API key decrypted; with its concurrency limit. */
export async function endpointConfig(endpointId: string): Promise<{ config: EndpointConfig; concurrency: number; name: string }> {
  const endpoint = await db.endpoint.findUnique({ where: { id: endpointId } });
  if (!endpoint) throw new AppError("NOT_FOUND", "endpoint not found");
  let apiKey: string | null = null;
  try {
    apiKey = endpoint.apiKeyEncrypted ? decryptSecret(endpoint.apiKeyEncrypted, apiKeyContext(endpoint.id)) : null;
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `endpoint "${endpoint.name}": ${err.message}`);
    throw err;
  }
  return { config: { baseUrl: endpoint.baseUrl, model: endpoint.model, apiKey }, concurrency: endpoint.concurrency, name: endpoint.name };
}

export type ResolvedEndpoint = Awaited<ReturnType<typeof endpointConfig>>;

/**
 * The endpoint a run calls: a registered one by id, or one given as it is — a registered policy the worker serves on
 * loopback (trainer/rlhf/serve.py) for the run's length.
 */
export async function resolveEndpoint(choice: { endpointId?: string; endpoint?: ResolvedEndpoint }): Promise<ResolvedEndpoint> {
  if (choice.endpoint) return choice.endpoint;
  if (!choice.endpointId) throw new AppError("PRECONDITION_FAILED", "no endpoint to call");
  return endpointConfig(choice.endpointId);
}
