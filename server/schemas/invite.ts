// Zod schemas for invite links: an admin creates one, the invited person accepts it with a name and password.
import { z } from "zod";
import { emailSchema, passwordSchema, personNameSchema, roleSchema } from "@/server/schemas/user";

export const INVITE_DEFAULT_DAYS = 7;

export const createInviteSchema = z.object({
  // optional: without it, whoever holds the link chooses the email when accepting
  email: z.union([z.literal(""), emailSchema]).optional().transform((v) => v || undefined),
  role: roleSchema.default("ANNOTATOR"),
  projectIds: z.array(z.string().min(1)).max(1000).default([]),
  expiresInDays: z.number().int().min(1, "at least 1 day").max(30, "at most 30 days").default(INVITE_DEFAULT_DAYS),
});
export type CreateInviteInput = z.infer<typeof createInviteSchema>;

export const inviteTokenSchema = z.string().trim().min(10, "the invite link is incomplete").max(200);

export const acceptInviteSchema = z.object({
  token: inviteTokenSchema,
  name: personNameSchema,
  // required only when the invite was not made out to an email
  email: z.union([z.literal(""), emailSchema]).optional().transform((v) => v || undefined),
  password: passwordSchema,
});
export type AcceptInviteInput = z.infer<typeof acceptInviteSchema>;
