"use client";
// Self-Instruct bootstrapping for a project: a seed file (checked here line by line, as the server checks it), an
// endpoint and the paper's options queue a SELF_INSTRUCT run; below, this project's runs of that kind with their
// progress, each linked to its run page (charts of kept and filtered instructions, logs, cancel). In a demonstration
// project each kept instruction is an item to write; in a comparison or rating project the endpoint answers it first.
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Checkbox, Field, fieldProps, FormMessage, inputClass } from "@/components/admin/form";
import { GeneratorField } from "@/components/runs/generator-field";
import { ProjectRunsTable } from "@/components/runs/project-runs-table";
import { useProjectRunLaunch } from "@/components/runs/use-project-run-launch";
import { Button } from "@/components/ui/button";
import { parseSeeds, type SeedTask } from "@/server/schemas/self-instruct";

type TaskType = "PAIRWISE" | "RANKING" | "RATING" | "DEMONSTRATION";
const DEFAULT_RESPONSES: Record<TaskType, string> = { PAIRWISE: "2", RANKING: "4", RATING: "1", DEMONSTRATION: "" };

export function SelfInstructPanel({ projectId, projectName, taskType }: { projectId: string; projectName: string; taskType: TaskType }) {
  const { generator, noGenerator, runs, launch, pending, reset, error, fields, setFields, queued, setQueued } = useProjectRunLaunch({ kind: "SELF_INSTRUCT", projectId });

  const [seeds, setSeeds] = useState<{ file: string; tasks: SeedTask[]; errors: string[] } | null>(null);
  const [target, setTarget] = useState("100");
  const [examples, setExamples] = useState("8");
  const [temperature, setTemperature] = useState("1");
  const [maxRequests, setMaxRequests] = useState("");
  const [anyLanguage, setAnyLanguage] = useState(false);
  const [responses, setResponses] = useState(DEFAULT_RESPONSES[taskType]);
  const answered = taskType !== "DEMONSTRATION";

  async function onSeedFile(file: File | undefined) {
    setQueued(null);
    // a new file answers the old file's complaints
    setFields(({ seeds: _old, "config.seed_tasks": _server, ...rest }) => rest);
    if (!file) return setSeeds(null);
    const { seeds: tasks, errors } = parseSeeds(await file.text());
    setSeeds({ file: file.name, tasks, errors });
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    reset();
    if (!seeds || seeds.errors.length > 0) {
      setFields({ seeds: seeds ? "fix the seed file first" : "choose a seed file (JSONL of instruction / input / output)" });
      return;
    }
    const num = (v: string) => (v.trim() === "" ? undefined : Number(v));
    await launch({
      kind: "SELF_INSTRUCT",
      name: `Self-Instruct ${target} for ${projectName}`,
      projectId,
      ...generator.input,
      config: {
        seed_tasks: seeds.tasks,
        target: num(target),
        examples: num(examples),
        temperature: num(temperature),
        english_only: !anyLanguage,
        ...(num(maxRequests) !== undefined ? { max_requests: num(maxRequests) } : {}),
        ...(answered && num(responses) !== undefined ? { responses: num(responses) } : {}),
      },
    });
  }

  const fe = (name: string) => fields[name];
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="self-instruct-heading">
      <div>
        <h2 id="self-instruct-heading" className="font-medium">Bootstrap prompts with Self-Instruct</h2>
        <p className="text-sm text-slate-600">
          An endpoint or a registered policy writes new instructions from your seed tasks (the paper&apos;s prompt: 6 seeds and 2 kept instructions per
          request). One is kept only if it passes the paper&apos;s heuristics and its ROUGE-L with every seed, every kept
          instruction and every prompt of this project is below 0.7;{" "}
          {answered
            ? "the same generator then answers each kept one, and its answers become an item to judge (an instruction left without enough distinct answers is dropped and counted as unanswered)."
            : "each kept one becomes an item to write a demonstration for."}
        </p>
      </div>
      {noGenerator ? (
        <p className="text-sm text-slate-600">
          No generator yet: <Link href="/admin/endpoints" className="text-indigo-700 hover:underline">register an OpenAI-compatible endpoint</Link> or train a policy first.
        </p>
      ) : (
        <form onSubmit={onSubmit} className="space-y-3" noValidate>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Seed tasks (JSONL)" name="seeds" error={fe("seeds") ?? fe("config.seed_tasks")} hint={seeds && seeds.errors.length === 0 ? `${seeds.tasks.length} seed tasks in ${seeds.file}` : 'one {"instruction", "input"?, "output"?} per line, like the paper\'s seed_tasks'}>
              <input {...fieldProps("seeds", fe("seeds"))} type="file" accept=".jsonl,.json,.txt,application/json" className={inputClass} onChange={(e) => void onSeedFile(e.target.files?.[0])} />
            </Field>
            <GeneratorField label="Generator" choice={generator} fields={fields} />
            <Field label="Instructions to keep" name="config.target" error={fe("config.target")}>
              <input {...fieldProps("config.target", fe("config.target"))} inputMode="numeric" className={inputClass} value={target} onChange={(e) => setTarget(e.target.value)} />
            </Field>
            <Field label="Examples per request" name="config.examples" error={fe("config.examples")} hint="the paper's 8">
              <input {...fieldProps("config.examples", fe("config.examples"))} inputMode="numeric" className={inputClass} value={examples} onChange={(e) => setExamples(e.target.value)} />
            </Field>
            <Field label="Temperature" name="config.temperature" error={fe("config.temperature")}>
              <input {...fieldProps("config.temperature", fe("config.temperature"))} inputMode="decimal" className={inputClass} value={temperature} onChange={(e) => setTemperature(e.target.value)} />
            </Field>
            {answered && (
              <Field label="Responses per instruction" name="config.responses" error={fe("config.responses")} hint={taskType === "RATING" ? "each one an item to rate" : "compared in one item (pairs for pairwise)"}>
                <input {...fieldProps("config.responses", fe("config.responses"))} inputMode="numeric" className={inputClass} value={responses} onChange={(e) => setResponses(e.target.value)} />
              </Field>
            )}
            <Field label="Max requests" name="config.max_requests" error={fe("config.max_requests")} hint="blank = twice the target (at least 20)">
              <input {...fieldProps("config.max_requests", fe("config.max_requests"))} inputMode="numeric" className={inputClass} value={maxRequests} onChange={(e) => setMaxRequests(e.target.value)} />
            </Field>
          </div>
          <Checkbox name="anyLanguage" label="Keep instructions in any language" hint="the paper drops those that start with a non-ASCII character" checked={anyLanguage} onChange={setAnyLanguage} />
          {seeds && seeds.errors.length > 0 && (
            <div role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
              <p>{seeds.file} has {seeds.errors.length} problem{seeds.errors.length === 1 ? "" : "s"}:</p>
              <ul className="mt-1 list-disc pl-5 font-mono text-xs">
                {seeds.errors.slice(0, 20).map((e) => <li key={e}>{e}</li>)}
              </ul>
            </div>
          )}
          <FormMessage error={error} />
          {queued && (
            <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              Queued. <Link href={`/admin/runs/${queued}`} className="font-medium underline">Follow the run</Link>: the kept instructions arrive as items round by round{answered ? ", each with its responses" : ""}.
            </p>
          )}
          <Button type="submit" disabled={pending}>Queue Self-Instruct run</Button>
        </form>
      )}
      <ProjectRunsTable runs={runs} label="Self-Instruct runs of this project" progressHeader="Kept" />
    </section>
  );
}
