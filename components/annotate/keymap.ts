// Every key of the annotation page, as data: the one keydown handler looks bindings up here, and the help drawer
// is generated from the same list, so a key that works is documented and a documented key works. Conventions
// follow where Prodigy, Argilla and Potato agree: number keys pick the options in the order shown, Enter submits.
// No key means two things at once: digits always choose (1–7 on the pairwise scale, rank positions in a ranking);
// flags use letters that nothing else uses, and only while the flag panel is open; the skip dialog is modal; the
// ratings grid takes digits only while it has focus (shown by its focus ring), as a radio group does.
import { FLAG_LABELS, FLAGS, type Flag, type TaskType } from "@/server/schemas/judgement";

export type Action =
  | { kind: "choose"; position: number }
  | { kind: "rankSelect"; delta: number }
  | { kind: "rankMove"; delta: number }
  | { kind: "rankPlace"; position: number }
  | { kind: "rankTie" }
  | { kind: "toggleBothBad" }
  | { kind: "thumbs"; value: boolean }
  | { kind: "write" }
  | { kind: "toggleDiff" }
  | { kind: "flags" }
  | { kind: "toggleFlag"; flag: Flag }
  | { kind: "rate" }
  | { kind: "rationale" }
  | { kind: "skip" }
  | { kind: "skipReason"; index: number }
  | { kind: "submit" }
  | { kind: "editLast" }
  | { kind: "guidelines" }
  | { kind: "help" }
  | { kind: "escape" };

/** What the page is doing when a key arrives. */
export interface KeyContext {
  taskType: TaskType;
  hasCriteria: boolean;
  /** RATING: the project asks for thumbs up/down */
  thumbs: boolean;
  /** focus is in a text field */
  typing: boolean;
  flagsOpen: boolean;
  skipOpen: boolean;
  /** an item is on screen */
  hasItem: boolean;
}

export interface Binding {
  /** normalized keys (see keyOf): "1", "x", "Enter", "Mod+Enter", "Alt+ArrowUp" … */
  keys: string[];
  /** how the help shows the keys */
  display: string;
  description: string;
  group: "Judge" | "Rank" | "Flags" | "Item" | "Page" | "Skip dialog";
  action: (key: string) => Action;
  /** when the binding applies (default: an item is on screen, no text field or dialog has the keys) */
  when?: (c: KeyContext) => boolean;
  /** the kinds of task a binding exists for (default: all) */
  tasks?: TaskType[];
}

export const FLAG_KEYS: Record<Flag, string> = { unsafe: "u", factually_wrong: "w", off_topic: "o", pii: "p", other: "n" };
export const SKIP_REASONS = ["Needs expertise I don't have", "Prompt is broken or unclear", "Responses are identical", "Content I won't review"];

const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
const free = (c: KeyContext) => c.hasItem && !c.typing && !c.skipOpen;

export const BINDINGS: Binding[] = [
  { keys: digits(7), display: "1 … 7", description: "Pick on the scale: 1 A much better, 2 A better, 3 A slightly better, 4 tie, 5 B slightly better, 6 B better, 7 B much better", group: "Judge", tasks: ["PAIRWISE"], action: (k) => ({ kind: "choose", position: Number(k) - 1 }) },
  { keys: ["ArrowUp", "ArrowDown", "k", "j"], display: "↑ ↓ (or K J)", description: "Select the response above / below", group: "Rank", tasks: ["RANKING"], action: (k) => ({ kind: "rankSelect", delta: k === "ArrowUp" || k === "k" ? -1 : 1 }) },
  { keys: ["Alt+ArrowUp", "Alt+ArrowDown", "Shift+ArrowUp", "Shift+ArrowDown"], display: "Alt+↑ Alt+↓ (or Shift)", description: "Move the selected response up / down", group: "Rank", tasks: ["RANKING"], action: (k) => ({ kind: "rankMove", delta: k.endsWith("Up") ? -1 : 1 }) },
  { keys: digits(9), display: "1 … 9", description: "Put the selected response at that rank", group: "Rank", tasks: ["RANKING"], action: (k) => ({ kind: "rankPlace", position: Number(k) - 1 }) },
  { keys: ["t"], display: "T", description: "Tie the selected response with the one above (again to untie)", group: "Rank", tasks: ["RANKING"], action: () => ({ kind: "rankTie" }) },
  { keys: ["x"], display: "X", description: "Both / all responses are bad", group: "Judge", tasks: ["PAIRWISE", "RANKING"], action: () => ({ kind: "toggleBothBad" }) },
  // Prodigy's accept / reject keys
  { keys: ["a"], display: "A", description: "Thumbs up: a good response (again to take it back)", group: "Judge", tasks: ["RATING"], when: (c) => free(c) && c.thumbs, action: () => ({ kind: "thumbs", value: true }) },
  { keys: ["x"], display: "X", description: "Thumbs down: a bad response (again to take it back)", group: "Judge", tasks: ["RATING"], when: (c) => free(c) && c.thumbs, action: () => ({ kind: "thumbs", value: false }) },
  { keys: ["c"], display: "C", description: "Rate the criteria: focus the first unrated one (then a digit picks that point of its scale — 0 is 10 — and moves on, arrows move, Esc leaves)", group: "Judge", tasks: ["PAIRWISE", "RANKING", "RATING"], when: (c) => free(c) && c.hasCriteria, action: () => ({ kind: "rate" }) },
  { keys: ["d"], display: "D", description: "Improving a response: show or hide your changes to it", group: "Judge", tasks: ["DEMONSTRATION"], action: () => ({ kind: "toggleDiff" }) },
  { keys: ["r"], display: "R", description: "Write a rationale (Esc leaves the field)", group: "Judge", action: () => ({ kind: "rationale" }) },
  { keys: ["f"], display: "F", description: "Open or close the flags", group: "Flags", action: () => ({ kind: "flags" }) },
  ...FLAGS.map(
    (flag): Binding => ({
      keys: [FLAG_KEYS[flag]],
      display: FLAG_KEYS[flag].toUpperCase(),
      description: `With the flags open: ${FLAG_LABELS[flag]}${flag === "other" ? " (then say what)" : ""}`,
      group: "Flags",
      when: (c) => free(c) && c.flagsOpen,
      action: () => ({ kind: "toggleFlag", flag }),
    }),
  ),
  { keys: ["w"], display: "W", description: "Write: go to the editor (Esc leaves it, Ctrl+Enter submits from it)", group: "Judge", tasks: ["DEMONSTRATION"], when: (c) => free(c) && !c.flagsOpen, action: () => ({ kind: "write" }) },
  { keys: ["Enter"], display: "Enter", description: "Submit (Ctrl+Enter also from a text field)", group: "Item", action: () => ({ kind: "submit" }) },
  { keys: ["Mod+Enter"], display: "Ctrl+Enter", description: "Submit, wherever the focus is", group: "Item", when: (c) => c.hasItem && !c.skipOpen, action: () => ({ kind: "submit" }) },
  { keys: ["s"], display: "S", description: "Skip this item (then 1–4 for the reason)", group: "Item", action: () => ({ kind: "skip" }) },
  { keys: digits(SKIP_REASONS.length), display: `1 … ${SKIP_REASONS.length}`, description: "In the skip dialog: the reason", group: "Skip dialog", when: (c) => c.skipOpen, action: (k) => ({ kind: "skipReason", index: Number(k) - 1 }) },
  { keys: ["e"], display: "E", description: "Edit your last submission", group: "Page", when: (c) => !c.typing && !c.skipOpen, action: () => ({ kind: "editLast" }) },
  { keys: ["g"], display: "G", description: "Guidelines", group: "Page", when: (c) => !c.typing && !c.skipOpen, action: () => ({ kind: "guidelines" }) },
  { keys: ["?"], display: "?", description: "These shortcuts", group: "Page", when: (c) => !c.typing && !c.skipOpen, action: () => ({ kind: "help" }) },
  { keys: ["Escape"], display: "Esc", description: "Close a panel or dialog, leave a text field, cancel an edit", group: "Page", when: () => true, action: () => ({ kind: "escape" }) },
];

/**
 * A keydown as the key map names it. Digits come from the physical key (Shift+1 is still "1"; the number pad
 * counts), letters are lower case, modifiers are spelled out; plain Shift does not count except with arrows.
 */
export function keyOf(e: Pick<KeyboardEvent, "key" | "code" | "altKey" | "ctrlKey" | "metaKey" | "shiftKey">): string | null {
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(e.code);
  if (e.key === "Enter") return e.ctrlKey || e.metaKey ? "Mod+Enter" : e.altKey || e.shiftKey ? null : "Enter";
  if (e.ctrlKey || e.metaKey) return null;
  if (e.key === "ArrowUp" || e.key === "ArrowDown") return e.altKey ? `Alt+${e.key}` : e.shiftKey ? `Shift+${e.key}` : e.key;
  if (e.altKey) return null;
  if (digit) return digit[1];
  if (e.key === "Escape" || e.key === "?") return e.key;
  return e.key.length === 1 ? e.key.toLowerCase() : null;
}

/** The binding a key means here, if any: the first that lists the key, fits the task and applies now. */
export function lookup(key: string, c: KeyContext): Binding | null {
  for (const b of BINDINGS) {
    if (!b.keys.includes(key)) continue;
    if (b.tasks && !b.tasks.includes(c.taskType)) continue;
    if (b.when ? b.when(c) : free(c)) return b;
  }
  return null;
}

/** The help drawer's rows for one kind of task, grouped. */
export function helpFor(c: Pick<KeyContext, "taskType" | "hasCriteria" | "thumbs">): { group: Binding["group"]; rows: { keys: string; description: string }[] }[] {
  const groups = new Map<Binding["group"], { keys: string; description: string }[]>();
  for (const b of BINDINGS) {
    if (b.tasks && !b.tasks.includes(c.taskType)) continue;
    if (b.keys[0] === "c" && !c.hasCriteria) continue;
    if (b.action(b.keys[0]).kind === "thumbs" && !c.thumbs) continue;
    const rows = groups.get(b.group) ?? [];
    rows.push({ keys: b.display, description: b.description });
    groups.set(b.group, rows);
  }
  return [...groups].map(([group, rows]) => ({ group, rows }));
}
