// The prompt: every message of the conversation the responses answer, rendered like model text.
import { ModelText } from "@/components/annotate/model-text";
import type { ItemView } from "@/components/annotate/types";

const ROLE_STYLE: Record<string, string> = {
  user: "bg-indigo-50 ring-indigo-100",
  system: "bg-amber-50 ring-amber-100",
  assistant: "bg-white ring-slate-200",
};

export function Conversation({ messages, trees }: { messages: ItemView["messages"]; trees?: ItemView["trees"] }) {
  return (
    <div className="space-y-2" data-testid="conversation">
      {messages.map((m, i) => (
        <div key={i} className={`rounded-lg p-3 ring-1 ${ROLE_STYLE[m.role] ?? ROLE_STYLE.assistant}`} data-testid="message">
          <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">{m.role}</div>
          <ModelText text={m.content} tree={trees?.messages[i]} />
        </div>
      ))}
    </div>
  );
}
