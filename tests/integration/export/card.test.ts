// The dataset card's Hugging Face front matter: parsed as YAML the way the hub reads it, its data files must be the
// snapshot's files and its features must describe every row of them (names, types, nesting).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createSnapshot, snapshotDetail, snapshotDir } from "@/server/services/export";
import type { CreateSnapshotInput } from "@/server/schemas/export";
import { buildFixture, readRows, readSnapshotFile, type Fixture } from "@/tests/fixtures/export/fixture";

let fx: Fixture;
const created: string[] = [];
beforeAll(async () => {
  fx = await buildFixture();
});
afterAll(async () => {
  for (const id of created) await rm(snapshotDir(id), { recursive: true, force: true });
});

type Feature = { name?: string; dtype?: string; sequence?: Feature | string; list?: Feature[]; struct?: Feature[] };

/** Whether a JSON value has the type a feature says (the hub's notation: dtype, sequence, list of fields, struct). */
function fits(value: unknown, f: Feature): boolean {
  if (value === null) return true;
  if (f.dtype) {
    if (f.dtype === "string") return typeof value === "string";
    if (f.dtype === "bool") return typeof value === "boolean";
    if (f.dtype === "int32") return Number.isInteger(value);
    if (f.dtype === "float64") return typeof value === "number";
    return false;
  }
  if (f.sequence !== undefined) {
    const inner = typeof f.sequence === "string" ? { dtype: f.sequence } : f.sequence;
    return Array.isArray(value) && value.every((v) => fits(v, inner));
  }
  const fields = f.list ?? f.struct;
  if (!fields) return false;
  const record = (v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.keys(v).sort().join() === fields.map((x) => x.name).sort().join() &&
    fields.every((x) => fits((v as Record<string, unknown>)[x.name!], x));
  return f.list ? Array.isArray(value) && value.every(record) : record(value);
}

async function card(def: Partial<CreateSnapshotInput>) {
  const s = await createSnapshot({ name: `card-${fx.suffix}`, projectIds: [fx.projects.a.id, fx.projects.b.id], split: { testRatio: 0.5, seed: "" }, ...def });
  created.push(s.id);
  const text = await readSnapshotFile(s.id, "README.md");
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  expect(m, "the card opens with YAML front matter").not.toBeNull();
  return { s, meta: parse(m![1]) as { configs: { config_name: string; data_files: { split: string; path: string }[] }[]; dataset_info?: { features: Feature[]; splits: { name: string; num_examples: number; num_bytes: number }[] } } };
}

describe("dataset card front matter", () => {
  for (const format of ["trl", "trl-conversational", "hh", "ultrafeedback-binarized", "ultrafeedback-raw", "sft-messages", "kto"] as const) {
    it(`${format}: configs name the split files, features describe every row`, async () => {
      const { s, meta } = await card({ format });
      const dataFiles = s.files.filter((f) => f.split !== null);
      expect(meta.configs).toEqual([{ config_name: "default", data_files: [{ split: "train", path: "train.jsonl" }, { split: "test", path: "test.jsonl" }] }]);
      expect(meta.dataset_info!.splits).toEqual(dataFiles.filter((f) => f.name.endsWith(".jsonl")).map((f) => ({ name: f.split, num_bytes: f.bytes, num_examples: f.rows })));
      const features = meta.dataset_info!.features;
      let checked = 0;
      for (const split of ["train", "test"]) {
        for (const row of await readRows(s.id, `${split}.jsonl`)) {
          expect(Object.keys(row)).toEqual(features.map((f) => f.name));
          for (const f of features) expect(fits(row[f.name!], f), `${format}.${f.name} = ${JSON.stringify(row[f.name!])}`).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it("parquet snapshots point at the parquet files; raw (free-form ratings) leaves the features to the reader", async () => {
    const { meta } = await card({ format: "trl", fileType: "parquet" });
    expect(meta.configs[0].data_files.map((f) => f.path)).toEqual(["train.parquet", "test.parquet"]);
    expect(meta.dataset_info!.features.find((f) => f.name === "margin")).toEqual({ name: "margin", dtype: "float64" });
    const raw = await card({ format: "raw" });
    expect(raw.meta.dataset_info).toBeUndefined();
    expect(raw.meta.configs[0].data_files).toHaveLength(2);
  });
});

describe("the snapshot's admin page", () => {
  it("shows the dataset card exactly as the README.md the snapshot ships", async () => {
    const { s } = await card({ format: "trl" });
    const detail = await snapshotDetail({ id: s.id });
    expect(detail.card).toBe(await readSnapshotFile(s.id, "README.md"));
    expect(detail.card).toMatch(/^---\n/);
  });
});
