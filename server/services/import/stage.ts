// Writes parsed rows to a per-transaction staging table with one COPY stream, then moves them into Prompt, Candidate,
// Item and ItemCandidate with set-based INSERT … SELECT … ON CONFLICT, so duplicates (same content hash) are reused
// and a re-import creates nothing. Everything runs in the caller's transaction: a rollback leaves no trace.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TaskType } from "@/server/generated/prisma/enums";
import type { ImportCounts } from "@/server/schemas/import";
import { MAX_CANDIDATES } from "@/server/schemas/import";
import { candidateHash, itemKey, promptHash } from "@/server/services/hashing";
import type { LineError, RowIn, SingleIn } from "./formats";
import type { ItemPlan } from "./items";

// kind: p = prompt, c = candidate, i = item (members = candidate hashes in order, gold = groups of hashes, or a
// rating's {"thumbs": …}),
// o = one OpenAI response (grouped into items per prompt at the end; body = the raw line for the rejected file)
const STAGE_DDL = `CREATE TEMP TABLE import_stage (
  kind "char" NOT NULL, line int NOT NULL, prompt_hash text NOT NULL, hash text, body text, model text,
  metadata text, source text, item_key text, priority int, members text[], gold text
) ON COMMIT DROP`;
const STAGE_COLUMNS = "kind, line, prompt_hash, hash, body, model, metadata, source, item_key, priority, members, gold";

const FLUSH_CHARS = 1 << 18;
// consecutive rows often share a prompt (several responses per prompt): skip re-staging what was just staged
const RECENT_MAX = 10_000;

const copySpecial = /[\\\t\n\r]/g;
const copyEscapes: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function field(v: string | number | null): string {
  if (v === null) return "\\N";
  if (typeof v === "number") return String(v);
  return v.replace(copySpecial, (c) => copyEscapes[c]);
}

// PostgreSQL text and jsonb cannot hold NUL, and jsonb rejects unpaired surrogates (both are legal in JSON)
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasUnstorable(value: unknown): boolean {
  if (typeof value === "string") return unstorable.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorable);
  if (value && typeof value === "object") {
    return Object.entries(value).some(([k, v]) => unstorable.test(k) || hasUnstorable(v));
  }
  return false;
}

function storable(value: unknown, line: number, name: string): LineError | null {
  return hasUnstorable(value)
    ? { line, field: name, message: "contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored" }
    : null;
}

function jsonOrNull(v: Record<string, unknown> | null): string | null {
  return v === null ? null : JSON.stringify(v);
}

export interface StageResult {
  counts: ImportCounts;
  /** OpenAI prompts that ended up with a single response: errors, with the raw lines for the rejected file */
  singles: { error: LineError; raw: string }[];
}

export class Stager {
  private copy: ReturnType<typeof copyFrom> | null = null;
  private copyFailed: Promise<never> | null = null;
  private buffer: string[] = [];
  private bufferChars = 0;
  private recent = new Set<string>();
  private stagedRows = 0;

  constructor(
    private readonly client: PoolClient,
    private readonly opts: { projectId: string; taskType: TaskType; keepRawSingles: boolean },
  ) {}

  async begin(): Promise<void> {
    // sorts for DISTINCT ON and the hash joins of a large import stay in memory instead of spilling to disk
    await this.client.query("SET LOCAL work_mem = '64MB'");
    await this.client.query(STAGE_DDL);
    const copy = this.client.query(copyFrom(`COPY import_stage (${STAGE_COLUMNS}) FROM STDIN`));
    this.copy = copy;
    this.copyFailed = new Promise<never>((_, reject) => copy.once("error", reject));
    this.copyFailed.catch(() => undefined);
  }

  get rows(): number {
    return this.stagedRows;
  }

  private push(cols: (string | number | null)[]): void {
    const text = cols.map(field).join("\t") + "\n";
    this.buffer.push(text);
    this.bufferChars += text.length;
    this.stagedRows += 1;
  }

  private seen(key: string): boolean {
    if (this.recent.has(key)) return true;
    if (this.recent.size >= RECENT_MAX) this.recent.clear();
    this.recent.add(key);
    return false;
  }

  /** Stages a row's prompt, candidates and planned items; returns errors instead when something cannot be stored. */
  addRow(row: RowIn, line: number, plans: ItemPlan[]): LineError[] | null {
    const messages = JSON.stringify(row.prompt);
    const promptMeta = jsonOrNull(row.promptMetadata);
    const candidateMeta = row.candidates.map((c) => jsonOrNull(c.metadata));
    const problems = [
      storable(row.prompt, line, "prompt"),
      storable(row.promptMetadata, line, "metadata"),
      storable(row.source, line, "source"),
      ...row.candidates.map((c, i) => storable(c, line, `candidates.${i}`)),
    ].filter((e): e is LineError => e !== null);
    if (problems.length > 0) return problems;

    const ph = promptHash(row.prompt);
    if (!this.seen(ph)) this.push(["p", line, ph, null, messages, null, promptMeta, row.source, null, null, null, null]);
    const hashes = row.candidates.map((c) => candidateHash(c.text));
    row.candidates.forEach((c, i) => {
      if (!this.seen(ph + hashes[i])) {
        this.push(["c", line, ph, hashes[i], c.text, c.model, candidateMeta[i], null, null, null, null, null]);
      }
    });
    for (const plan of plans) {
      const members = plan.members.map((i) => hashes[i]);
      // a ranking's groups as candidate hashes; a rating's thumbs as they are
      const gold = !plan.gold ? null : Array.isArray(plan.gold) ? JSON.stringify(plan.gold.map((g) => g.map((i) => hashes[i]))) : JSON.stringify(plan.gold);
      // hex hashes need no quoting inside a PostgreSQL array literal
      this.push(["i", line, ph, null, null, null, null, null, itemKey(ph, members), row.priority, `{${members.join(",")}}`, gold]);
    }
    return null;
  }

  addSingle(single: SingleIn, line: number, raw: string): LineError[] | null {
    const messages = JSON.stringify(single.prompt);
    const meta = jsonOrNull(single.candidate.metadata);
    const problems = [storable(single.prompt, line, "messages"), storable(single.candidate, line, "messages")].filter(
      (e): e is LineError => e !== null,
    );
    if (problems.length > 0) return problems;
    const ph = promptHash(single.prompt);
    const ch = candidateHash(single.candidate.text);
    if (!this.seen(ph)) this.push(["p", line, ph, null, messages, null, null, null, null, null, null, null]);
    if (!this.seen(ph + ch)) this.push(["c", line, ph, ch, single.candidate.text, single.candidate.model, meta, null, null, null, null, null]);
    this.push(["o", line, ph, ch, this.opts.keepRawSingles ? raw : null, null, null, null, null, null, null, null]);
    return null;
  }

  /** Sends buffered rows when enough have gathered, waiting while PostgreSQL catches up. */
  async flush(force = false): Promise<void> {
    if (!this.copy || this.bufferChars === 0 || (!force && this.bufferChars < FLUSH_CHARS)) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.bufferChars = 0;
    if (!this.copy.write(chunk)) await Promise.race([once(this.copy, "drain"), this.copyFailed]);
  }

  /** Ends the COPY; staged rows stay, and nothing more can be added. */
  async endCopy(): Promise<void> {
    if (!this.copy) return;
    await this.flush(true);
    const copy = this.copy;
    this.copy = null;
    copy.end();
    await Promise.race([finished(copy), this.copyFailed]);
  }

  /** Abandons a COPY in progress (the server gets CopyFail) so the connection can be dropped without waiting. */
  abort(): void {
    if (!this.copy) return;
    this.copy.destroy(new Error("import aborted"));
    this.copy = null;
  }

  get copying(): boolean {
    return this.copy !== null;
  }

  /** Forms OpenAI items per prompt, then moves everything into the real tables. Call after endCopy. */
  async finalize(dropSingles: boolean): Promise<StageResult> {
    const q = this.client;
    await q.query("ANALYZE import_stage");
    const singles = await this.groupSingles(dropSingles);
    // Time-ordered ids (like cuid's): new rows land at the right edge of each primary-key index instead of at
    // random places, which keeps the inserts cheap. The random part keeps concurrent imports apart.
    const prefix = `c${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    const newId = (table: string) => `'${prefix}${table}' || lpad(to_hex(row_number() OVER ()), 10, '0')`;

    // ON CONFLICT DO NOTHING also drops repeats within one statement, so the first occurrence in the file wins
    const prompts = await q.query<{ inserted: number }>(`
      WITH ins AS (
        INSERT INTO "Prompt" (id, messages, metadata, source, "contentHash")
        SELECT ${newId("p")}, body::jsonb, COALESCE(metadata::jsonb, '{}'), source, prompt_hash
        FROM import_stage WHERE kind = 'p'
        ON CONFLICT ("contentHash") DO NOTHING RETURNING 1
      ) SELECT count(*)::int AS inserted FROM ins`);
    await q.query(`CREATE TEMP TABLE import_pids ON COMMIT DROP AS
      SELECT p."contentHash" AS prompt_hash, p.id FROM "Prompt" p
      WHERE p."contentHash" IN (SELECT prompt_hash FROM import_stage WHERE kind = 'p')`);
    await q.query("ANALYZE import_pids");

    const candidates = await q.query<{ inserted: number }>(`
      WITH ins AS (
        INSERT INTO "Candidate" (id, "promptId", text, model, metadata, "contentHash")
        SELECT ${newId("c")}, m.id, s.body, s.model, COALESCE(s.metadata::jsonb, '{}'), s.hash
        FROM import_stage s JOIN import_pids m ON m.prompt_hash = s.prompt_hash
        WHERE s.kind = 'c'
        ON CONFLICT ("promptId", "contentHash") DO NOTHING RETURNING 1
      ) SELECT count(*)::int AS inserted FROM ins`);
    const distinct = await q.query<{ prompts: number; candidates: number; items: number }>(`
      SELECT count(DISTINCT prompt_hash) FILTER (WHERE kind = 'p')::int AS prompts,
        count(DISTINCT (prompt_hash, hash)) FILTER (WHERE kind = 'c')::int AS candidates,
        count(*) FILTER (WHERE kind = 'i')::int AS items
      FROM import_stage`);
    await q.query(`CREATE TEMP TABLE import_cids ON COMMIT DROP AS
      SELECT m.prompt_hash, c."contentHash" AS hash, c.id FROM import_pids m JOIN "Candidate" c ON c."promptId" = m.id`);
    await q.query("ANALYZE import_cids");

    await q.query(`CREATE TEMP TABLE import_new (id text, item_key text, prompt_id text) ON COMMIT DROP`);
    const items = await q.query(
      `WITH ins AS (
        INSERT INTO "Item" (id, "projectId", "promptId", "itemKey", priority, "isGold", "goldThumbs", "goldRanking")
        SELECT ${newId("i")}, $1, m.id, s.item_key, s.priority, s.gold IS NOT NULL,
          CASE WHEN jsonb_typeof(s.gold::jsonb) = 'object' THEN (s.gold::jsonb ->> 'thumbs')::boolean END,
          CASE WHEN s.gold IS NULL OR jsonb_typeof(s.gold::jsonb) = 'object' THEN NULL ELSE (
            SELECT jsonb_agg((
              SELECT jsonb_agg(c.id ORDER BY e.o)
              FROM jsonb_array_elements_text(g.grp) WITH ORDINALITY e(h, o)
              JOIN import_cids c ON c.prompt_hash = s.prompt_hash AND c.hash = e.h
            ) ORDER BY g.o) FROM jsonb_array_elements(s.gold::jsonb) WITH ORDINALITY g(grp, o)
          ) END
        FROM import_stage s JOIN import_pids m ON m.prompt_hash = s.prompt_hash
        WHERE s.kind = 'i'
        ON CONFLICT ("projectId", "itemKey") DO NOTHING RETURNING id, "itemKey", "promptId"
      ) INSERT INTO import_new SELECT id, "itemKey", "promptId" FROM ins`,
      [this.opts.projectId],
    );
    await q.query("ANALYZE import_new");
    // a repeated item in the file matches its new row twice: the repeat adds nothing (same candidate set)
    await q.query(`
      INSERT INTO "ItemCandidate" ("itemId", "candidateId", position)
      SELECT n.id, c.id, (e.o - 1)::int
      FROM import_new n JOIN import_stage s ON s.kind = 'i' AND s.item_key = n.item_key
      CROSS JOIN LATERAL unnest(s.members) WITH ORDINALITY e(h, o)
      JOIN import_cids c ON c.prompt_hash = s.prompt_hash AND c.hash = e.h
      ON CONFLICT DO NOTHING`);

    const d = distinct.rows[0];
    const newPrompts = prompts.rows[0].inserted;
    const newCandidates = candidates.rows[0].inserted;
    const created = items.rowCount ?? 0;
    return {
      counts: {
        prompts: newPrompts,
        candidates: newCandidates,
        items: created,
        reusedPrompts: d.prompts - newPrompts,
        reusedCandidates: d.candidates - newCandidates,
        duplicateItems: d.items - created,
        rejected: 0,
      },
      singles,
    };
  }

  /**
   * OpenAI rows carry one response each: all distinct responses to the same prompt, in file order, form that
   * prompt's items (chunked like a row with that many candidates, see items.ts). A prompt with a single response
   * cannot form an item and is reported at its line.
   */
  private async groupSingles(dropSingles: boolean): Promise<{ error: LineError; raw: string }[]> {
    const q = this.client;
    const any = await q.query(`SELECT 1 FROM import_stage WHERE kind = 'o' LIMIT 1`);
    if (any.rowCount === 0) return [];
    await q.query(`CREATE TEMP TABLE import_groups ON COMMIT DROP AS
      SELECT d.*, row_number() OVER (PARTITION BY prompt_hash ORDER BY line, hash) AS rn,
        count(*) OVER (PARTITION BY prompt_hash) AS n
      FROM (SELECT prompt_hash, hash, min(line) AS line FROM import_stage WHERE kind = 'o' GROUP BY prompt_hash, hash) d`);
    const lonely = await q.query<{ line: number; raw: string | null }>(`
      SELECT s.line, s.body AS raw FROM import_stage s
      JOIN import_groups g ON g.prompt_hash = s.prompt_hash AND g.n = 1
      WHERE s.kind = 'o' ORDER BY s.line`);
    const singles = lonely.rows.map((r) => ({
      error: {
        line: r.line,
        field: "messages",
        message: "no other response to this prompt in the file; an item needs at least 2 (add rows with the same prompt messages)",
      },
      raw: r.raw ?? "",
    }));
    if (singles.length > 0 && dropSingles) {
      await q.query(`DELETE FROM import_stage s USING import_groups g
        WHERE g.n = 1 AND s.prompt_hash = g.prompt_hash AND s.kind IN ('p', 'c', 'o')`);
    }
    const pairwise = this.opts.taskType === "PAIRWISE";
    await q.query(
      `INSERT INTO import_stage (kind, line, prompt_hash, item_key, priority, members)
      SELECT 'i', min(line), prompt_hash,
        encode(sha256(convert_to(prompt_hash || string_agg(E'\\n' || hash, '' ORDER BY hash COLLATE "C"), 'UTF8')), 'hex'),
        0, array_agg(hash ORDER BY ord)
      FROM (
        SELECT prompt_hash, hash, line, rn AS ord,
          CASE WHEN $1 THEN (rn - 1) / 2 WHEN n > $2 THEN (rn - 1) % ceil(n::numeric / $2)::int ELSE 0 END AS chunk
        FROM import_groups WHERE n >= 2
        UNION ALL
        SELECT prompt_hash, hash, line, n + 1, (n - 1) / 2 FROM import_groups WHERE $1 AND n % 2 = 1 AND n >= 2 AND rn = 1
      ) m GROUP BY prompt_hash, chunk`,
      [pairwise, MAX_CANDIDATES],
    );
    return singles;
  }
}
