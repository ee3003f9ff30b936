"use client";
// Model text on screen: the tree of ./markdown-tree.ts (every rule of what is shown lives there) as React
// elements, every block taking its direction from its own text (dir="auto") and bidirectional controls shown as
// markers (./visible-text.tsx). Given a `tree` (parsed on the server) it renders at once; given `text` it parses
// with the parser module, which is loaded on first use and then kept: until it has arrived, the text shows as
// written, unformatted — never not at all.
import { Fragment, useEffect, useMemo, useState, type ReactNode } from "react";
import { CodeBlock } from "@/components/annotate/code-block";
import type { MdNode, MdTree } from "@/components/annotate/markdown-tree";
import { VisibleText } from "@/components/annotate/visible-text";

type Parser = typeof import("@/components/annotate/markdown-tree");
let parser: Parser | null = null;
let loading: Promise<Parser> | null = null;

/** Starts loading the markdown parser (the annotation page asks once it has shown its first item). */
export function loadParser(): Promise<Parser> {
  loading ??= import("@/components/annotate/markdown-tree").then((m) => (parser = m));
  return loading;
}

function render(nodes: MdNode[]): ReactNode {
  return nodes.map((n, i) => <Fragment key={i}>{node(n)}</Fragment>);
}

function node(n: MdNode): ReactNode {
  if (typeof n === "string") return <VisibleText text={n} />;
  switch (n.k) {
    case "p":
      return <p dir="auto">{render(n.c)}</p>;
    case "h": {
      const Tag = `h${n.level}` as const;
      return <Tag dir="auto">{render(n.c)}</Tag>;
    }
    case "blockquote":
      return <blockquote dir="auto">{render(n.c)}</blockquote>;
    case "ul":
      return <ul dir="auto">{render(n.c)}</ul>;
    case "ol":
      return <ol start={n.start ?? undefined} dir="auto">{render(n.c)}</ol>;
    case "li":
      return (
        <li dir="auto" className={n.checked === null ? undefined : "task"}>
          {n.checked !== null && <span aria-label={n.checked ? "done" : "not done"}>{n.checked ? "☑ " : "☐ "}</span>}
          {render(n.c)}
        </li>
      );
    case "em":
      return <em>{render(n.c)}</em>;
    case "strong":
      return <strong>{render(n.c)}</strong>;
    case "del":
      return <del>{render(n.c)}</del>;
    case "code":
      return <CodeBlock code={n.value} lang={n.lang} />;
    case "inlineCode":
      return <code><VisibleText text={n.value} /></code>;
    case "raw":
      return <span className="raw-html"><VisibleText text={n.value} /></span>;
    case "br":
      return <br />;
    case "hr":
      return <hr />;
    case "sup":
      return <sup>[{n.label}]</sup>;
    case "footnote":
      return <div className="footnote" dir="auto">{render(n.c)}</div>;
    case "link":
      return (
        <>
          <a href={n.href} title={n.title ?? undefined} target="_blank" rel="noopener noreferrer nofollow ugc">{render(n.c)}</a>
          {n.host && <span className="link-host"> ({n.host})</span>}
        </>
      );
    case "inert":
      return (
        <span className="inert-link" title="Link not followed: its address is not http(s) or mailto">
          {render(n.c)} <span className="inert-url">(<VisibleText text={n.url} />)</span>
        </span>
      );
    case "image":
      return (
        <span className="image-placeholder">
          [image: {n.alt ? <VisibleText text={n.alt} /> : "no description"}
          {n.url && <> — <VisibleText text={n.url} /></>}]
        </span>
      );
    case "table": {
      const style = (i: number) => (n.align[i] ? { textAlign: n.align[i]! } : undefined);
      return (
        <div className="table-scroll" tabIndex={0}>
          <table>
            {n.head.length > 0 && <thead><tr>{n.head.map((c, i) => <th key={i} dir="auto" style={style(i)}>{render(c)}</th>)}</tr></thead>}
            <tbody>{n.rows.map((row, r) => <tr key={r}>{row.map((c, i) => <td key={i} dir="auto" style={style(i)}>{render(c)}</td>)}</tr>)}</tbody>
          </table>
        </div>
      );
    }
  }
}

export function ModelText({ text, tree, className = "" }: { text: string; tree?: MdTree; className?: string }) {
  const [p, setP] = useState<Parser | null>(parser);
  useEffect(() => {
    if (!tree && !p) void loadParser().then(setP);
  }, [tree, p]);
  const parsed = useMemo(() => tree ?? p?.parseModelText(text) ?? null, [tree, text, p]);
  return (
    <div className={`md text-sm ${className}`}>
      {parsed ? render(parsed) : <p className="whitespace-pre-wrap"><VisibleText text={text} /></p>}
    </div>
  );
}
