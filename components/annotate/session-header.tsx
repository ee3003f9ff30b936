// One line that never wraps: the project, the counters (true after every judgement), whether everything is saved,
// and the page's own actions.
import type { OutboxEntry } from "@/components/annotate/outbox";
import type { Progress, ProjectView } from "@/components/annotate/types";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

export function SessionHeader(props: {
  project: ProjectView;
  progress: Progress | null;
  outbox: OutboxEntry[];
  onRetry: () => void;
  onGuidelines: () => void;
  onEditLast: () => void;
  onHelp: () => void;
}) {
  const pending = props.outbox.filter((e) => e.status !== "rejected");
  const retrying = pending.some((e) => e.attempts > 0);
  const p = props.progress;
  return (
    <div className="flex min-w-0 flex-nowrap items-center gap-3 py-1" data-testid="session-header">
      <h1 className="min-w-[6rem] shrink truncate text-lg font-semibold" title={props.project.name}>{props.project.name}</h1>
      <span className="min-w-0 shrink-[2] truncate text-sm text-slate-600" data-testid="progress" aria-live="polite">
        {p ? (
          <>
            <span className="hidden sm:inline">Today </span><b data-testid="done-today" title="judged today">{p.doneToday}</b>
            <span className="hidden sm:inline"> · this project </span><span className="sm:hidden"> / </span><b data-testid="done-project" title="judged in this project">{p.doneInProject}</b>
            {" · "}<b data-testid="left-for-you">{p.leftForYou}</b> left<span className="hidden sm:inline"> for you</span>
          </>
        ) : (
          "…"
        )}
      </span>
      <span className="ml-auto" />
      <a href="/account/statistics" className="hidden shrink-0 text-sm text-indigo-700 hover:underline md:inline" title="Your judgements per project and per day">Statistics</a>
      <button
        type="button"
        onClick={retrying ? props.onRetry : undefined}
        data-testid="outbox-status"
        title={retrying ? "Retry now" : undefined}
        className={`shrink-0 whitespace-nowrap rounded px-2 py-0.5 text-xs ${pending.length ? "bg-amber-100 text-amber-800" : "bg-emerald-100 text-emerald-800"} ${retrying ? "underline decoration-dotted" : "cursor-default"}`}
      >
        {pending.length ? `${pending.length} pending${retrying ? " — retrying" : ""}` : "All saved"}
      </button>
      {retrying && <Button variant="ghost" className="shrink-0 px-2" onClick={props.onRetry}>Retry now</Button>}
      <Button variant="secondary" className="shrink-0 px-2" onClick={props.onGuidelines} aria-label="Guidelines">
        <span className="hidden md:inline">Guidelines</span><span className="md:hidden">Guide</span> <Kbd>G</Kbd>
      </Button>
      <Button variant="secondary" className="shrink-0 px-2" onClick={props.onEditLast} aria-label="Edit last submission">
        <span className="hidden md:inline">Edit last</span><span className="md:hidden">Edit</span> <Kbd>E</Kbd>
      </Button>
      {/* no keyboard, no key help: on touch screens the button would only take room */}
      <span className="hidden shrink-0 pointer-fine:contents">
        <Button variant="secondary" className="px-2" onClick={props.onHelp} aria-label="Keyboard shortcuts">
          Keys <Kbd>?</Kbd>
        </Button>
      </span>
    </div>
  );
}
