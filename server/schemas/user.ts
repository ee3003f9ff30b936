// Zod schemas for people management: creating users, roles, deactivation and project membership.
import { z } from "zod";

export const roleSchema = z.enum(["ADMIN", "ANNOTATOR"]);

export const emailSchema = z.string().trim().toLowerCase().email("a valid email address").max(254);
export const personNameSchema = z.string().trim().min(1, "required").max(120);
// Length is what makes a password strong; argon2 input above 1 KiB only costs the server time.
export const passwordSchema = z.string().min(8, "at least 8 characters").max(1024, "at most 1024 characters");

export const createUserSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  password: passwordSchema,
  role: roleSchema.default("ANNOTATOR"),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const setRoleSchema = z.object({ userId: z.string().min(1), role: roleSchema });
export const setActiveSchema = z.object({ userId: z.string().min(1), active: z.boolean() });
export const setUserProjectsSchema = z.object({
  userId: z.string().min(1),
  projectIds: z.array(z.string().min(1)).max(1000),
});
