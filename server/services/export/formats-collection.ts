// The formats of the whole InstructGPT pipeline's data beside the preference pairs: UltraFeedback in its two public
// layouts (HuggingFaceH4's binarized one and openbmb's raw one), SFT in TRL's prompt-completion, conversational and
// language-modeling layouts, and KTO in TRL's unpaired-preference layout. Each is tested against its published
// layout (tests/integration/export/formats.test.ts, collection.test.ts).
import type { SchemaElement } from "hyparquet-writer";
import { annotationsOf, anyBothBad, collectVotes, preferencePairs, rankCandidates, ratingsScore, round6, withoutBothBad, type PairVotes } from "./aggregate";
import { bool, bothBadColumns, candidateMap, conversation, dbl, list, messageListType, messageStruct, promptIdColumn, promptText, str, struct, type FormatSpec, type Row } from "./layout";
import type { ExportCandidate, PromptGroup } from "./stream";

// ---- UltraFeedback (the two public layouts) -----------------------------------------------------------------

const PROMPT_BOTH_BAD = "true when a judgement of the prompt marked every response bad (kept because the snapshot's bothBad is keep)";

/** Mean rating of a candidate per criterion over the annotations that rated it (null when none did). */
function meanRatings(group: PromptGroup, candidateId: string, criteria: string[]): Record<string, number | null> {
  const annotations = annotationsOf(group);
  const out: Record<string, number | null> = {};
  for (const key of criteria) {
    const values = annotations.map((a) => a.ratings?.[candidateId]?.[key]).filter((v): v is number => typeof v === "number");
    out[key] = values.length ? round6(values.reduce((s, v) => s + v, 0) / values.length) : null;
  }
  return out;
}

/** Mean over the criteria of a candidate's mean ratings; null when it has none. */
function overall(ratings: Record<string, number | null>): number | null {
  const values = Object.values(ratings).filter((v): v is number => v !== null);
  return values.length ? round6(values.reduce((s, v) => s + v, 0) / values.length) : null;
}

/** The prompt's judged candidates, best first (Bradley-Terry over all its votes; ties in a stable order). */
function ranked(group: PromptGroup, votes: Map<string, PairVotes>): { candidate: ExportCandidate; rank: number }[] {
  const { ranks } = rankCandidates(group, votes);
  return [...candidateMap(group).values()]
    .filter((c) => ranks.has(c.id))
    .sort((x, y) => ranks.get(x.id)! - ranks.get(y.id)!)
    .map((candidate) => ({ candidate, rank: ranks.get(candidate.id)! }));
}

/**
 * HuggingFaceH4/ultrafeedback_binarized: per prompt, `chosen` and `rejected` as whole conversations ending in the
 * response, `messages` = the chosen conversation, and their scores. H4 takes the best-rated completion as chosen
 * and one of the others at random as rejected; here chosen is the top of the prompt's Bradley-Terry ranking over
 * every judgement and rejected its bottom, so a re-export gives the same rows.
 */
export const ultrafeedbackBinarized: FormatSpec = {
  rowIs: "one prompt: its best and its worst judged response (HuggingFaceH4/ultrafeedback_binarized layout)",
  columns: (ctx) => {
    const d = (side: string) =>
      ctx.criteria.length
        ? `mean rating of the ${side} response over the criteria (${ctx.criteria.join(", ")}) and annotators; null if unrated`
        : `null: the projects rate no criteria (the ${side} side comes from the comparisons alone)`;
    return [
      { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text" },
      promptIdColumn,
      { name: "chosen", parquet: list("chosen", messageStruct), type: messageListType, description: "the conversation ending in the top-ranked response" },
      { name: "rejected", parquet: list("rejected", messageStruct), type: messageListType, description: "the conversation ending in the bottom-ranked response" },
      { name: "messages", parquet: list("messages", messageStruct), type: messageListType, description: "the chosen conversation (for SFT on the same rows)" },
      { name: "score_chosen", parquet: dbl("score_chosen", "OPTIONAL"), type: "float64 | null", description: d("chosen") },
      { name: "score_rejected", parquet: dbl("score_rejected", "OPTIONAL"), type: "float64 | null", description: d("rejected") },
      ...bothBadColumns(ctx, PROMPT_BOTH_BAD),
    ];
  },
  rows: (group, votes, ctx) => {
    const order = ranked(group, votes);
    if (order.length < 2) return [];
    const best = order[0];
    const worst = order[order.length - 1];
    // every response shares the top rank: no preference to write
    if (best.rank === worst.rank) return [];
    const convo = conversation(group.messages);
    const chosen = [...convo, { role: "assistant", content: best.candidate.text }];
    const row: Row = {
      prompt: promptText(group.messages),
      prompt_id: group.contentHash,
      chosen,
      rejected: [...convo, { role: "assistant", content: worst.candidate.text }],
      messages: chosen,
      score_chosen: overall(meanRatings(group, best.candidate.id, ctx.criteria)),
      score_rejected: overall(meanRatings(group, worst.candidate.id, ctx.criteria)),
    };
    if (ctx.bothBad === "keep") row.both_bad = anyBothBad(group);
    return [row];
  },
  bothBad: "option",
};

/**
 * openbmb/UltraFeedback: per instruction, its models and completions, each with `annotations.<aspect>.{Rating,
 * Rationale}` (Rating as text, as there: the mean over annotators, "N/A" when unrated; Rationale: the annotators'
 * rationales), `fine-grained_score` (mean over the aspects) and `overall_score` (the same mean: there is no separate
 * critique score here).
 */
export const ultrafeedbackRaw: FormatSpec = {
  rowIs: "one instruction with all its judged completions (openbmb/UltraFeedback layout)",
  columns: (ctx) => {
    const aspect = (k: string) => struct(k, [str("Rating"), str("Rationale")]);
    const fields: SchemaElement[][] = [str("model", "OPTIONAL"), str("response")];
    if (ctx.criteria.length > 0) fields.push(struct("annotations", ctx.criteria.map(aspect)));
    fields.push(dbl("fine-grained_score", "OPTIONAL"), dbl("overall_score", "OPTIONAL"));
    const annotationsType = ctx.criteria.length > 0 ? `, annotations: {${ctx.criteria.map((k) => `${k}: {Rating: string, Rationale: string}`).join(", ")}}` : "";
    return [
      promptIdColumn,
      { name: "instruction", parquet: str("instruction"), type: "string", description: "the prompt as text" },
      { name: "models", parquet: list("models", str("element")), type: "list<string>", description: "the models of the completions, in their order (\"unknown\" when not recorded)" },
      {
        name: "completions",
        parquet: list("completions", struct("element", fields)),
        type: `list<{model: string | null, response: string${annotationsType}, fine-grained_score: float64 | null, overall_score: float64 | null}>`,
        description: "every judged response, best first by a Bradley-Terry model over the prompt's judgements, with its ratings per aspect (criterion)",
      },
      ...bothBadColumns(ctx, PROMPT_BOTH_BAD),
    ];
  },
  rows: (group, votes, ctx) => {
    const order = ranked(group, votes);
    // ratings alone (a rating project) rank nothing: every rated response is a completion, in item order
    const rated = order.length ? order.map((o) => o.candidate) : [...candidateMap(group).values()];
    if (rated.length === 0) return [];
    const annotations = annotationsOf(group);
    const completions = rated.map((c) => {
      const means = meanRatings(group, c.id, ctx.criteria);
      const completion: Row = { model: c.model, response: c.text };
      if (ctx.criteria.length > 0) {
        const rationale = annotations.filter((a) => a.ratings?.[c.id] && a.rationale).map((a) => a.rationale).join("\n\n");
        completion.annotations = Object.fromEntries(
          ctx.criteria.map((k) => [k, { Rating: means[k] === null ? "N/A" : String(means[k]), Rationale: rationale }]),
        );
      }
      completion["fine-grained_score"] = overall(means);
      completion.overall_score = overall(means);
      return completion;
    });
    const row: Row = { prompt_id: group.contentHash, instruction: promptText(group.messages), models: rated.map((c) => c.model ?? "unknown"), completions };
    if (ctx.bothBad === "keep") row.both_bad = anyBothBad(group);
    return [row];
  },
  bothBad: "option",
};

// ---- SFT and KTO (TRL's prompt-completion, language-modeling and unpaired-preference layouts) -----------------

/**
 * The responses a prompt's judgements say are good, for supervised fine-tuning: every demonstration (written or
 * improved), every rated response most of whose thumbs are up, and the top of the prompt's Bradley-Terry ranking
 * where responses were compared (every response sharing the top rank). Each text once per prompt. The group comes
 * without judgements that marked every response bad (the format's bothBad is `never`): the best of bad responses is
 * not a good one.
 */
function sftCompletions(group: PromptGroup, votes: Map<string, PairVotes>): string[] {
  const out = new Set<string>();
  for (const a of annotationsOf(group)) if (a.demonstration !== null) out.add(a.demonstration);
  const thumbs = new Map<string, number>();
  for (const item of group.items) {
    if (item.candidates.length !== 1) continue;
    for (const a of item.annotations) if (a.thumbs !== null) thumbs.set(item.candidates[0].id, (thumbs.get(item.candidates[0].id) ?? 0) + (a.thumbs ? 1 : -1));
  }
  const candidates = candidateMap(group);
  for (const [id, balance] of thumbs) if (balance > 0) out.add(candidates.get(id)!.text);
  const order = ranked(group, votes);
  for (const o of order) if (o.rank === 1 && order.some((x) => x.rank > 1)) out.add(o.candidate.text);
  return [...out];
}

export const sft: FormatSpec = {
  rowIs: "one prompt and a good response (TRL standard prompt-completion format)",
  columns: () => [
    promptIdColumn,
    { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text (role-labelled when it is a conversation)" },
    { name: "completion", parquet: str("completion"), type: "string", description: "a demonstration, a thumbs-up response or the top-ranked response" },
  ],
  rows: (group, votes) => {
    const prompt = promptText(group.messages);
    return sftCompletions(group, votes).map((completion) => ({ prompt_id: group.contentHash, prompt, completion }));
  },
  bothBad: "never",
};

export const sftConversational: FormatSpec = {
  rowIs: "one conversation and a good assistant turn (TRL conversational prompt-completion format)",
  columns: () => [
    promptIdColumn,
    { name: "prompt", parquet: list("prompt", messageStruct), type: messageListType, description: "the conversation before the response" },
    { name: "completion", parquet: list("completion", messageStruct), type: messageListType, description: "the good response as a one-message assistant list" },
  ],
  rows: (group, votes) => {
    const prompt = conversation(group.messages);
    return sftCompletions(group, votes).map((text) => ({ prompt_id: group.contentHash, prompt, completion: [{ role: "assistant", content: text }] }));
  },
  bothBad: "never",
};

export const sftMessages: FormatSpec = {
  rowIs: "one whole conversation ending in a good response (TRL conversational language-modeling format, `messages`)",
  columns: () => [
    promptIdColumn,
    { name: "messages", parquet: list("messages", messageStruct), type: messageListType, description: "the prompt's messages, then the good response as the assistant's turn" },
  ],
  rows: (group, votes) => {
    const convo = conversation(group.messages);
    return sftCompletions(group, votes).map((text) => ({ prompt_id: group.contentHash, messages: [...convo, { role: "assistant", content: text }] }));
  },
  bothBad: "never",
};

/**
 * Desirable and undesirable responses for KTO (TRL's unpaired preference format): each rating, labelled by its thumbs
 * or else by its mean criterion rating against the definition's threshold; each written demonstration (desirable);
 * each preference pair split into its chosen (desirable) and rejected (undesirable) side, as TRL's
 * unpair_preference_dataset does. Ratings are one row per annotation with policy `all`, else one per response by
 * majority (a split vote is left out). A judgement that marked every response bad gives no pair: each response it
 * judged is undesirable (per judgement with policy `all`, else once per response), never one of them desirable.
 */
export const kto: FormatSpec = {
  rowIs: "one response with whether it is desirable (TRL standard unpaired preference format, for KTO)",
  columns: (ctx) => [
    promptIdColumn,
    { name: "prompt", parquet: str("prompt"), type: "string", description: "the prompt as text" },
    { name: "completion", parquet: str("completion"), type: "string", description: "the response" },
    { name: "label", parquet: bool("label"), type: "bool", description: "true: desirable; false: undesirable" },
    ...bothBadColumns(ctx, "true for a response of a judgement that marked every response bad (such responses are always undesirable)"),
  ],
  rows: (group, votes, ctx) => {
    const prompt = promptText(group.messages);
    const rows: Row[] = [];
    const push = (completion: string, label: boolean, bothBad = false) => {
      const row: Row = { prompt_id: group.contentHash, prompt, completion, label };
      if (ctx.bothBad === "keep") row.both_bad = bothBad;
      rows.push(row);
    };
    const labelOf = (a: { thumbs: boolean | null; ratings: Record<string, Record<string, number>> }, cid: string) => {
      if (a.thumbs !== null) return a.thumbs;
      const mean = ratingsScore(a.ratings?.[cid]);
      return mean === null ? null : mean >= ctx.ktoThreshold;
    };
    for (const item of group.items) {
      const single = item.candidates.length === 1 ? item.candidates[0] : null;
      const labels: boolean[] = [];
      for (const a of item.annotations) {
        if (a.demonstration !== null && !a.edited) push(a.demonstration, true);
        if (!single || a.demonstration !== null) continue;
        const label = labelOf(a, single.id);
        if (label === null) continue;
        if (ctx.aggregation.policy === "all") push(single.text, label);
        else labels.push(label);
      }
      if (single && labels.length) {
        const up = labels.filter(Boolean).length;
        if (up * 2 !== labels.length) push(single.text, up * 2 > labels.length);
      }
    }
    const candidates = candidateMap(group);
    const paired = withoutBothBad(group);
    for (const p of preferencePairs(paired, ctx.aggregation, paired === group ? votes : collectVotes(annotationsOf(paired)))) {
      if (p.tie) continue;
      push(candidates.get(p.chosenId)!.text, true);
      push(candidates.get(p.rejectedId)!.text, false);
    }
    const bad = new Set<string>();
    for (const a of annotationsOf(group)) {
      if (!a.bothBad) continue;
      for (const id of a.ranking.flat()) {
        const c = candidates.get(id);
        if (!c || (ctx.aggregation.policy !== "all" && bad.has(id))) continue;
        bad.add(id);
        push(c.text, false, true);
      }
    }
    return rows;
  },
  bothBad: "own",
};

