// Form pieces shared by the admin console: labelled fields with their error beside them, and the mapping
// from a zod or tRPC error to per-field messages.
import type { ReactNode } from "react";
import type { ZodError } from "zod";
import { type FieldError, zodFieldErrors } from "@/server/errors";

export type FieldErrors = Record<string, string>;

export interface FormError {
  message: string;
  fields: FieldErrors;
}

export const inputClass =
  "mt-1 w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 disabled:bg-slate-100 aria-[invalid=true]:border-red-500";

function byField(list: FieldError[]): FieldErrors {
  const fields: FieldErrors = {};
  // the first message per field is the one worth reading
  for (const f of list) fields[f.field] ??= f.message;
  return fields;
}

/** A form's own check, before sending: the same field errors the server would answer (server/errors.ts). */
export function fromZod(error: ZodError): FormError {
  return { message: "Some fields need attention.", fields: byField(zodFieldErrors(error)) };
}

/** tRPC errors carry `data.fieldErrors` (see server/api/trpc.ts), the FieldError shape; anything else becomes a plain message. */
export function fromServer(err: unknown): FormError {
  const e = err as { message?: string; data?: { fieldErrors?: FieldError[] | null } } | null;
  const list = e?.data?.fieldErrors ?? [];
  return { message: e?.message ?? "Something went wrong.", fields: byField(list) };
}

/** An action button (revoke, delete, cancel): run it, refresh what it changed, report a failure like forms do. */
export async function rowAction(action: () => Promise<unknown>, refresh: () => Promise<unknown>, setError: (message: string | null) => void): Promise<void> {
  try {
    await action();
    setError(null);
    await refresh();
  } catch (err) {
    setError(fromServer(err).message);
  }
}

export function Field({ label, name, error, hint, children, className = "" }: { label: string; name: string; error?: string; hint?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <div className={`text-sm ${className}`}>
      <label htmlFor={name} className="font-medium text-slate-700">{label}</label>
      {children}
      {hint && !error && <p id={`${name}-hint`} className="mt-1 text-xs text-slate-500">{hint}</p>}
      {error && <p id={`${name}-error`} className="mt-1 text-xs text-red-700">{error}</p>}
    </div>
  );
}

/** Props that tie an input to its Field's label and error message. */
export function fieldProps(name: string, error?: string) {
  return { id: name, name, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${name}-error` : `${name}-hint` } as const;
}

export function Checkbox({ name, label, hint, checked, onChange, disabled }: { name: string; label: string; hint?: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label htmlFor={name} className="flex items-start gap-2 text-sm">
      <input id={name} name={name} type="checkbox" className="mt-0.5 size-4 accent-indigo-600" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <span>
        <span className="font-medium text-slate-700">{label}</span>
        {hint && <span className="block text-xs text-slate-500">{hint}</span>}
      </span>
    </label>
  );
}

export function FormMessage({ error, ok }: { error?: string | null; ok?: string | null }) {
  if (error) return <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>;
  if (ok) return <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">{ok}</p>;
  return null;
}

/** A cap field's text: empty is no cap; anything else goes to the schema, which wants a positive whole number. */
export function capOf(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

export function formatDate(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
