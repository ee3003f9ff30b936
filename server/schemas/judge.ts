// The AI judge (a JUDGE run): its config, checked at launch and again by the worker. snake_case like every run's
// config. The prompt templates have defaults per task type (server/services/judge/verdict.ts); an admin may replace
// the user message's template, which must keep the placeholders its task type fills in.
import { z } from "zod";

export const judgeRunConfig = z
  .object({
    // ask a comparison twice, the second time with the order reversed, and keep a verdict only where both agree
    // (MT-Bench's rule; disagreeing orders count as a tie). Off: one request per item, position bias unmeasured.
    swap: z.boolean({ error: "swap must be true or false" }).default(true),
    temperature: z.number({ error: "temperature must be a number" }).min(0, "temperature must be at least 0").max(2, "temperature must be at most 2").default(0),
    max_tokens: z.number({ error: "max tokens must be a number" }).int("max tokens must be a whole number").min(16, "max tokens must be at least 16").max(32_768, "max tokens must be at most 32,768").default(1024),
    // judge at most this many items (the oldest first); blank: every item of the project with something to judge
    max_items: z.number({ error: "max items must be a number" }).int("max items must be a whole number").min(1, "max items must be at least 1").optional(),
    // replaces the default system message
    system_prompt: z.string({ error: "the system prompt must be text" }).max(20_000, "the system prompt is over 20,000 characters").optional(),
    // replaces the default user message; {{placeholders}} as the task type's default has them
    template: z.string({ error: "the template must be text" }).max(50_000, "the template is over 50,000 characters").optional(),
  })
  .strict();
export type JudgeRunConfig = z.output<typeof judgeRunConfig>;
