// Guidelines and the keyboard help open beside the item (over it on narrow screens), never pushing it down.
import { helpFor } from "@/components/annotate/keymap";
import { ModelText } from "@/components/annotate/model-text";
import type { Drawer } from "@/components/annotate/session-state";
import type { ProjectView } from "@/components/annotate/types";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

export function SideDrawer({ drawer, project, onClose }: { drawer: Drawer; project: ProjectView; onClose: () => void }) {
  const title = drawer === "guidelines" ? "Guidelines" : "Keyboard shortcuts";
  return (
    <aside
      aria-label={title}
      data-testid={`drawer-${drawer}`}
      className="fixed inset-y-0 right-0 z-30 flex w-full max-w-md flex-col border-l border-slate-200 bg-white shadow-xl lg:top-[var(--header-h)]"
    >
      <div className="flex items-center border-b border-slate-200 px-4 py-2">
        <h2 className="font-semibold">{title}</h2>
        <Button variant="ghost" className="ml-auto" onClick={onClose}>Close <Kbd>Esc</Kbd></Button>
      </div>
      <div className="flex-1 overflow-y-auto p-4 text-sm" tabIndex={0} aria-label={`${title} (scrolls)`}>
        {drawer === "guidelines" ? (
          project.guidelines ? <ModelText text={project.guidelines} /> : <p className="text-slate-500">No guidelines for this project.</p>
        ) : (
          <div className="space-y-4">
            {helpFor({ taskType: project.taskType, hasCriteria: project.criteria.length > 0, thumbs: project.thumbs }).map(({ group, rows }) => (
              <section key={group}>
                <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{group}</h3>
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                  {rows.map((r) => (
                    <div key={r.keys + r.description} className="contents">
                      <dt><kbd className="whitespace-nowrap rounded border border-slate-300 bg-slate-50 px-1 font-mono text-xs">{r.keys}</kbd></dt>
                      <dd>{r.description}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
          </div>
        )}
      </div>
    </aside>
  );
}
