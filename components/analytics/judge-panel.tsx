"use client";
// The AI judge on a project's analytics page: queue a JUDGE run (an endpoint or a registered policy, its prompt template, both orders), follow
// this project's judge runs, and compare a judge with the people — agreement beside the people's agreement with each
// other, per model and per annotator as bars, the judge's position bias, and its own Bradley-Terry leaderboard.
// A reward model judges through a scoring run (the "Score with the active reward model" button), which shows up
// here as a judge too.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Checkbox, Field, fieldProps, FormMessage, inputClass } from "@/components/admin/form";
import { integer, percent } from "@/components/analytics/format";
import { LeaderboardTable } from "@/components/analytics/leaderboard-table";
import { Stat } from "@/components/analytics/stat";
import { GeneratorField } from "@/components/runs/generator-field";
import { ProjectRunsTable } from "@/components/runs/project-runs-table";
import { isActive } from "@/components/runs/run-status";
import { useProjectRunLaunch } from "@/components/runs/use-project-run-launch";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import type { AgreementFigures } from "@/server/schemas/judge-analytics";
import { DEFAULT_SYSTEM_PROMPT, DEFAULT_TEMPLATE } from "@/server/services/judge/verdict";

const POLL_MS = 2000;
type JudgedTaskType = "PAIRWISE" | "RANKING" | "RATING";

/** A share as a bar with its figure, so rows compare at a glance. */
function ShareBar({ value, label, tone = "indigo" }: { value: number | null; label: string; tone?: "indigo" | "slate" }) {
  return (
    <div className="flex items-center gap-2" role="img" aria-label={`${label}: ${percent(value)}`}>
      <div className="h-2.5 w-40 rounded bg-slate-100">
        <div className={`h-2.5 rounded ${tone === "indigo" ? "bg-indigo-500" : "bg-slate-400"}`} style={{ width: `${Math.round((value ?? 0) * 100)}%` }} />
      </div>
      <span className="w-12 text-right tabular-nums">{percent(value)}</span>
    </div>
  );
}

function AgreementRows({ caption, rows }: { caption: string; rows: ({ key: string; label: string } & AgreementFigures)[] }) {
  if (rows.length === 0) return null;
  return (
    <table className="w-full text-sm" aria-label={caption}>
      <caption className="pb-1 text-left text-xs font-medium text-slate-500">{caption}</caption>
      <thead className="text-left text-xs text-slate-500">
        <tr><th className="py-1 font-medium">Who</th><th className="font-medium">Agreement (with ties)</th><th className="font-medium">Decided pairs</th><th className="text-right font-medium">Pairs</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className="border-t border-slate-100">
            <td className="py-1.5 pr-2">{r.label}</td>
            <td><ShareBar value={r.agreement} label={`${r.label}, agreement with ties`} /></td>
            <td><ShareBar value={r.decidedAgreement} label={`${r.label}, agreement on decided pairs`} tone="slate" /></td>
            <td className="text-right tabular-nums">{integer(r.pairs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function JudgeFigures({ projectId, live }: { projectId: string; live: boolean }) {
  const trpc = useTRPC();
  const [runId, setRunId] = useState<string | undefined>(undefined);
  // while a judge runs, its figures grow batch by batch
  const figures = useQuery({ ...trpc.analytics.judge.queryOptions({ projectId, runId }), refetchInterval: live ? POLL_MS : false });
  const f = figures.data;
  if (!f) return null;
  if (!f.source) return <p className="text-sm text-slate-600">No judge has judged this project yet.</p>;
  const bias = f.positionBias;
  return (
    <div className="space-y-4">
      <Field label="Judge" name="judgeRun">
        <select id="judgeRun" className={inputClass} value={f.source.runId} onChange={(e) => setRunId(e.target.value)}>
          {f.sources.map((s) => (
            <option key={s.runId} value={s.runId}>{s.judge} — {s.name} ({s.source === "reward_model" ? "reward model" : "endpoint"}, {integer(s.withVerdict)} verdicts)</option>
          ))}
        </select>
      </Field>
      {f.taskType === "RATING" && f.ratings ? (
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Stat label="Thumbs agreement" value={percent(f.ratings.thumbsAgreement)} detail={`${integer(f.ratings.thumbsPairs)} judgements`} />
          {f.ratings.criteria.map((c) => (
            <Stat key={c.key} label={`${c.key}: mean difference`} value={c.meanAbsDiff.toFixed(2)} detail={`points, over ${integer(c.pairs)} ratings`} />
          ))}
        </dl>
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="Judge–human agreement" value={percent(f.overall?.agreement)} detail={`${integer(f.overall?.pairs)} pairs, ties counted`} />
            <Stat label="Human–human agreement" value={percent(f.humans?.agreement)} detail={`${integer(f.humans?.pairs)} pairs on the same items`} />
            <Stat label="Same verdict in both orders" value={percent(bias?.consistency)} detail={`${integer(bias?.comparedTwice)} items asked twice`} />
            <Stat label="First shown wins" value={percent(bias?.firstShownWinRate)} detail={`of ${integer(bias?.decidedAnswers)} decided answers (50% = no position bias)`} />
          </dl>
          <AgreementRows
            caption="Agreement with the people, overall and beside theirs"
            rows={[
              ...(f.overall ? [{ key: "judge", label: `${f.source.judge} vs people`, ...f.overall }] : []),
              ...(f.humans ? [{ key: "humans", label: "people vs people", ...f.humans }] : []),
            ]}
          />
          <AgreementRows caption="Judge–human agreement per model" rows={f.byModel.map((m) => ({ key: m.model, label: m.model, ...m }))} />
          <AgreementRows caption="Judge–human agreement per annotator" rows={f.byAnnotator.map((a) => ({ key: a.userId, label: a.name, ...a }))} />
          {f.leaderboard.length > 0 && (
            <div>
              <h3 className="text-sm font-medium">The judge&apos;s leaderboard</h3>
              <p className="text-xs text-slate-500">Bradley-Terry ratings from the judge&apos;s verdicts alone; the people&apos;s leaderboard is above.</p>
              <LeaderboardTable rows={f.leaderboard} />
            </div>
          )}
        </>
      )}
    </div>
  );
}

export function JudgePanel({ projectId, projectName, taskType }: { projectId: string; projectName: string; taskType: JudgedTaskType }) {
  const { generator, noGenerator, runs, launch, pending, reset, error, fields, queued } = useProjectRunLaunch({ kind: "JUDGE", projectId });
  const [swap, setSwap] = useState(true);
  const [maxItems, setMaxItems] = useState("");
  const [template, setTemplate] = useState(DEFAULT_TEMPLATE[taskType]);
  const [systemPrompt, setSystemPrompt] = useState(DEFAULT_SYSTEM_PROMPT[taskType]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    reset();
    await launch({
      kind: "JUDGE",
      name: `AI judge (${generator.model ?? "endpoint"}) on ${projectName}`,
      projectId,
      ...generator.input,
      config: {
        swap,
        ...(maxItems.trim() ? { max_items: Number(maxItems) } : {}),
        ...(template !== DEFAULT_TEMPLATE[taskType] ? { template } : {}),
        ...(systemPrompt !== DEFAULT_SYSTEM_PROMPT[taskType] ? { system_prompt: systemPrompt } : {}),
      },
    });
  }

  const fe = (name: string) => fields[name];
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="judge-heading">
      <div>
        <h2 id="judge-heading" className="font-medium">AI judge</h2>
        <p className="text-sm text-slate-600">
          An endpoint or a registered policy judges this project&apos;s items{taskType === "RATING" ? " on the project's criteria" : ", asked twice with the order swapped: where the two orders disagree the verdict is a tie"}.
          Its verdicts are suggestions, kept apart from the annotations and never counted as votes; the project&apos;s settings say whether annotators see them.
        </p>
      </div>
      {noGenerator ? (
        <p className="text-sm text-slate-600">
          No judge yet: <Link href="/admin/endpoints" className="text-indigo-700 hover:underline">register an OpenAI-compatible endpoint</Link> or train a policy first.
        </p>
      ) : (
        <form onSubmit={onSubmit} className="space-y-3" noValidate>
          <div className="grid gap-3 sm:grid-cols-2">
            <GeneratorField label="Judge" choice={generator} fields={fields} />
            <Field label="Max items" name="config.max_items" error={fe("config.max_items")} hint="blank = every item">
              <input {...fieldProps("config.max_items", fe("config.max_items"))} inputMode="numeric" className={inputClass} value={maxItems} onChange={(e) => setMaxItems(e.target.value)} />
            </Field>
          </div>
          {taskType !== "RATING" && (
            <Checkbox name="swap" label="Ask in both orders" hint="cancels position bias and measures it (twice the requests)" checked={swap} onChange={setSwap} />
          )}
          <details className="rounded-md border border-slate-200 px-3 py-2">
            <summary className="cursor-pointer text-sm font-medium">Prompt template</summary>
            <div className="mt-2 space-y-3">
              <Field label="System message" name="config.system_prompt" error={fe("config.system_prompt")}>
                <textarea {...fieldProps("config.system_prompt", fe("config.system_prompt"))} rows={5} className={`${inputClass} font-mono text-xs`} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
              </Field>
              <Field label="User message" name="config.template" error={fe("config.template")} hint="{{guidelines}}, {{question}} and the responses' placeholders are filled in per item">
                <textarea {...fieldProps("config.template", fe("config.template"))} rows={6} className={`${inputClass} font-mono text-xs`} value={template} onChange={(e) => setTemplate(e.target.value)} />
              </Field>
            </div>
          </details>
          <FormMessage error={error} />
          {queued && (
            <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              Queued. <Link href={`/admin/runs/${queued}`} className="font-medium underline">Follow the run</Link>; its figures appear below as it judges.
            </p>
          )}
          <Button type="submit" disabled={pending}>Queue AI judge run</Button>
        </form>
      )}
      <ProjectRunsTable runs={runs} label="AI judge runs of this project" progressHeader="Judged" />
      <JudgeFigures projectId={projectId} live={runs.some((r) => isActive(r.status))} />
    </section>
  );
}
