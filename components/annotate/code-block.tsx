"use client";
// A fenced code block: the code exactly as written at once, colours a moment later. Highlighting (lowlight, i.e.
// highlight.js grammars producing a syntax tree, rendered here as React spans) is loaded only when a block names a
// language we know, one grammar per chunk, so the annotation page's first load carries none of it.
import type { Element, ElementContent, Root } from "hast";
import { useEffect, useState, type ReactNode } from "react";
import { VisibleText } from "@/components/annotate/visible-text";

type Grammar = () => Promise<{ default: Parameters<ReturnType<typeof import("lowlight").createLowlight>["register"]>[1] }>;

const GRAMMARS: Record<string, Grammar> = {
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
const ALIASES: Record<string, string> = {
  sh: "bash", shell: "bash", zsh: "bash", console: "bash", "c++": "cpp", cs: "csharp", "c#": "csharp", golang: "go",
  js: "javascript", jsx: "javascript", mjs: "javascript", kt: "kotlin", md: "markdown", py: "python", python3: "python",
  rb: "ruby", rs: "rust", ts: "typescript", tsx: "typescript", html: "xml", svg: "xml", yml: "yaml", postgresql: "sql",
};

function grammarName(lang: string | null): string | null {
  if (!lang) return null;
  const l = lang.toLowerCase();
  const name = ALIASES[l] ?? l;
  return name in GRAMMARS ? name : null;
}

let lowlight: Promise<ReturnType<typeof import("lowlight").createLowlight>> | null = null;
const registered = new Map<string, Promise<void>>();

async function highlight(code: string, name: string): Promise<Root> {
  lowlight ??= import("lowlight").then((m) => m.createLowlight());
  const ll = await lowlight;
  if (!registered.has(name)) registered.set(name, GRAMMARS[name]().then((g) => ll.register(name, g.default)));
  await registered.get(name);
  return ll.highlight(name, code);
}

/** lowlight's tree holds only spans with class names and text; anything else is shown as text. */
function renderHast(nodes: ElementContent[]): ReactNode {
  return nodes.map((n, i) => {
    if (n.type === "text") return <VisibleText key={i} text={n.value} />;
    if (n.type === "element" && n.tagName === "span") {
      const cls = (n as Element).properties.className;
      return <span key={i} className={Array.isArray(cls) ? cls.join(" ") : undefined}>{renderHast(n.children)}</span>;
    }
    return null;
  });
}

export function CodeBlock({ code, lang }: { code: string; lang: string | null }) {
  const name = grammarName(lang);
  const [tree, setTree] = useState<Root | null>(null);
  useEffect(() => {
    if (!name) return;
    let live = true;
    highlight(code, name).then(
      (t) => live && setTree(t),
      () => undefined, // a grammar that fails to load leaves the plain code, which is already on screen
    );
    return () => {
      live = false;
    };
  }, [code, name]);
  return (
    // focusable, so a wide block can be scrolled sideways with the keyboard
    <pre dir="ltr" data-lang={lang ?? undefined} tabIndex={0}>
      <code className={name ? `hljs language-${name}` : undefined}>{tree ? renderHast(tree.children as ElementContent[]) : <VisibleText text={code} />}</code>
    </pre>
  );
}
