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

// ---- Passwords and account links. Forms ask for the new password twice; the check runs on the server as well.

/** The second entry of a new password must match the first: reported on `confirm`. */
function confirmed<T extends { confirm: string }>(field: keyof T & string) {
  return (v: T, ctx: z.RefinementCtx) => {
    if (v[field] !== v.confirm) ctx.addIssue({ code: "custom", path: ["confirm"], message: "does not match the new password" });
  };
}

export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, "required").max(1024), newPassword: passwordSchema, confirm: z.string().max(1024) })
  .superRefine(confirmed("newPassword"));
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

export const setPasswordSchema = z.object({ userId: z.string().min(1), password: passwordSchema });
export const resetLinkSchema = z.object({ userId: z.string().min(1) });

export const linkTokenSchema = z.string().trim().min(10, "the link is incomplete").max(200);

export const completeResetSchema = z
  .object({ token: linkTokenSchema, password: passwordSchema, confirm: z.string().max(1024) })
  .superRefine(confirmed("password"));

export const completeSetupSchema = z
  .object({ token: linkTokenSchema, email: emailSchema, name: personNameSchema, password: passwordSchema, confirm: z.string().max(1024) })
  .superRefine(confirmed("password"));
