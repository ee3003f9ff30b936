"use client";
// A fenced code block: the code exactly as written at once, colours a moment later. Highlighting (./highlighter.ts:
// lowlight's syntax tree, rendered here as React spans) is loaded only when a block names a language we know, one
// grammar per chunk, so the annotation page's first load carries none of it.
import type { Element, ElementContent, Root } from "hast";
import { useEffect, useState, type ReactNode } from "react";
import { languageOf } from "@/components/annotate/code-languages";
import { VisibleText } from "@/components/annotate/visible-text";

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
  const language = languageOf(lang);
  const [tree, setTree] = useState<Root | null>(null);
  useEffect(() => {
    if (!language) return;
    let live = true;
    import("@/components/annotate/highlighter")
      .then(({ highlight }) => highlight(code, language))
      .then(
        (t) => live && setTree(t),
        () => undefined, // a grammar that fails to load leaves the plain code, which is already on screen
      );
    return () => {
      live = false;
    };
  }, [code, language]);
  return (
    // focusable, so a wide block can be scrolled sideways with the keyboard
    <pre dir="ltr" data-lang={lang ?? undefined} tabIndex={0}>
      <code className={language ? `hljs language-${language}` : undefined}>{tree ? renderHast(tree.children as ElementContent[]) : <VisibleText text={code} />}</code>
    </pre>
  );
}
