"use client";
// The generator of a Self-Instruct or AI-judge run: one select over the registered endpoints and the registered
// policies (which the worker serves as an endpoint for the run), grouped, so it is one keyboard stop. The server
// names endpointId or policyModelId in its errors; either shows here.
import { Field, fieldProps, inputClass } from "@/components/admin/form";
import type { GeneratorChoice } from "@/components/runs/use-project-run-launch";

export function GeneratorField({ label, choice, fields }: { label: string; choice: GeneratorChoice; fields: Record<string, string | undefined> }) {
  const error = fields.endpointId ?? fields.policyModelId;
  return (
    <Field label={label} name="generator" error={error} hint="an OpenAI-compatible endpoint, or a registered policy the worker serves for the run">
      <select {...fieldProps("generator", error)} className={inputClass} value={choice.value} onChange={(e) => choice.set(e.target.value)}>
        {choice.endpoints.length > 0 && (
          <optgroup label="Endpoints">
            {choice.endpoints.map((ep) => <option key={ep.id} value={`endpoint:${ep.id}`}>{ep.name} ({ep.model})</option>)}
          </optgroup>
        )}
        {choice.policies.length > 0 && (
          <optgroup label="Registered policies">
            {choice.policies.map((m) => <option key={m.id} value={`policy:${m.id}`}>{m.name} (policy, {m.backend})</option>)}
          </optgroup>
        )}
      </select>
    </Field>
  );
}
