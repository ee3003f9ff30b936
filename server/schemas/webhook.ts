// Webhook subscriptions as the admin page and the router take them (server/services/webhooks).
import { z } from "zod";

/** The events a subscription may want; the triggers of migration `webhooks` write them. */
export const WEBHOOK_EVENTS = ["item.completed", "import.finished", "snapshot.ready", "run.succeeded", "run.failed"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
/** what "send test event" delivers: to the one subscription, whatever it subscribes to */
export const TEST_EVENT = "webhook.test";

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "item.completed": "Item completed (all overlap votes in)",
  "import.finished": "Import finished",
  "snapshot.ready": "Snapshot ready",
  "run.succeeded": "Run succeeded",
  "run.failed": "Run failed",
};

export const webhookInputSchema = z.object({
  url: z.string().trim().url("an http(s) URL").refine((u) => /^https?:\/\//i.test(u), "http(s) only").max(2000),
  // empty: every project
  projectId: z.string().min(1).nullable().default(null),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, "choose at least one event").refine((e) => new Set(e).size === e.length, "each event once"),
  description: z.string().trim().max(200).default(""),
});
export type WebhookInput = z.input<typeof webhookInputSchema>;

export const webhookUpdateSchema = webhookInputSchema.partial().extend({ id: z.string().min(1), active: z.boolean().optional() });
export const webhookIdSchema = z.object({ id: z.string().min(1) });
