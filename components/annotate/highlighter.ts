// Syntax highlighting for code blocks, loaded by ./code-block.tsx only when a block names a language: lowlight
// (highlight.js grammars producing a syntax tree) with one grammar per chunk, registered on first use.
import { createLowlight } from "lowlight";
import type { Root } from "hast";
import type { Language } from "@/components/annotate/code-languages";

type Grammar = Parameters<ReturnType<typeof createLowlight>["register"]>[1];

const GRAMMARS: Record<Language, () => Promise<{ default: Grammar }>> = {
  bash: () => import("highlight.js/lib/languages/bash"),
  c: () => import("highlight.js/lib/languages/c"),
  cpp: () => import("highlight.js/lib/languages/cpp"),
  csharp: () => import("highlight.js/lib/languages/csharp"),
  css: () => import("highlight.js/lib/languages/css"),
  diff: () => import("highlight.js/lib/languages/diff"),
  go: () => import("highlight.js/lib/languages/go"),
  java: () => import("highlight.js/lib/languages/java"),
  javascript: () => import("highlight.js/lib/languages/javascript"),
  json: () => import("highlight.js/lib/languages/json"),
  kotlin: () => import("highlight.js/lib/languages/kotlin"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  php: () => import("highlight.js/lib/languages/php"),
  python: () => import("highlight.js/lib/languages/python"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  rust: () => import("highlight.js/lib/languages/rust"),
  sql: () => import("highlight.js/lib/languages/sql"),
  swift: () => import("highlight.js/lib/languages/swift"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  xml: () => import("highlight.js/lib/languages/xml"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
};
const lowlight = createLowlight();
const registered = new Map<string, Promise<void>>();

export async function highlight(code: string, name: Language): Promise<Root> {
  if (!registered.has(name)) registered.set(name, GRAMMARS[name]().then((g) => lowlight.register(name, g.default)));
  await registered.get(name);
  return lowlight.highlight(name, code);
}
