// A new password, entered twice: the setup, reset and change-password forms share these two fields.
import { Field, fieldProps, inputClass, type FieldErrors } from "@/components/admin/form";

export function NewPasswordFields({
  name,
  value,
  confirm,
  errors,
  onChange,
  label = "New password",
}: {
  /** the field name the schema reports errors on ("password" or "newPassword") */
  name: string;
  value: string;
  confirm: string;
  errors: FieldErrors | undefined;
  onChange: (next: { value: string; confirm: string }) => void;
  label?: string;
}) {
  return (
    <>
      <Field label={label} name={name} error={errors?.[name]} hint="At least 8 characters.">
        <input {...fieldProps(name, errors?.[name])} type="password" autoComplete="new-password" className={inputClass} value={value} onChange={(e) => onChange({ value: e.target.value, confirm })} />
      </Field>
      <Field label="Repeat the new password" name="confirm" error={errors?.confirm}>
        <input {...fieldProps("confirm", errors?.confirm)} type="password" autoComplete="new-password" className={inputClass} value={confirm} onChange={(e) => onChange({ value, confirm: e.target.value })} />
      </Field>
    </>
  );
}
