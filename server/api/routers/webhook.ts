// Webhook subscriptions for the admin page: list with delivery counts, create (the secret appears once, in the
// answer), change, rotate the secret, delete, the delivery log, "send test event".
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { webhookIdSchema, webhookInputSchema, webhookUpdateSchema } from "@/server/schemas/webhook";
import * as webhooks from "@/server/services/webhooks";

export const webhookRouter = createTRPCRouter({
  list: adminProcedure.query(() => webhooks.listSubscriptions()),
  create: adminProcedure.input(webhookInputSchema).mutation(({ ctx, input }) => webhooks.createSubscription({ input, actorId: ctx.user.id })),
  update: adminProcedure.input(webhookUpdateSchema).mutation(({ ctx, input }) => webhooks.updateSubscription({ input, actorId: ctx.user.id })),
  rotateSecret: adminProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => webhooks.rotateSecret({ id: input.id, actorId: ctx.user.id })),
  remove: adminProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => webhooks.deleteSubscription({ id: input.id, actorId: ctx.user.id })),
  deliveries: adminProcedure
    .input(z.object({ subscriptionId: z.string().min(1), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ input }) => webhooks.listDeliveries(input)),
  sendTest: adminProcedure.input(webhookIdSchema).mutation(({ ctx, input }) => webhooks.sendTestEvent({ id: input.id, actorId: ctx.user.id })),
});
