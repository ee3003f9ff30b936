// Renders untrusted model text (and guidelines) as markdown, inert and faithful. The parser is micromark's, through
// mdast-util-from-markdown with GFM; the syntax tree is turned into React elements here, by hand, because that is
// where the rules of this product live and because react-markdown's mdast → hast → JSX pipeline cost ~45 kB of the
// annotation page's first load. React escapes every string, and only the elements below are ever created, so
// nothing in the text can become markup, a handler or a request:
//  - raw HTML is shown as the text it is (a judge must see what the model wrote);
//  - links keep their target only for http(s) and mailto; any other link is shown as its text plus the inert URL
//    ("javascript:…"), and a link whose text is not its address shows the host it really goes to;
//  - images are never loaded: they show as "[image: alt — url]";
//  - a single newline inside a paragraph is a line break on screen (the CSS keeps white space as written), tabs
//    stay tabs, code blocks are untouched;
//  - every block takes its direction from its own text (dir="auto"), and bidirectional control characters are
//    shown as visible markers instead of silently reordering what follows them.
import type { Code, Definition, Nodes, Parents, Root, Text } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { Fragment, useMemo, type ReactNode } from "react";
import { CodeBlock } from "@/components/annotate/code-block";
import { VisibleText } from "@/components/annotate/visible-text";

const SAFE_URL = /^(https?:|mailto:)/i;

export function parseMarkdown(text: string): Root {
  return fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function plainText(node: Nodes): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if ("children" in node) return (node.children as Nodes[]).map(plainText).join("");
  return "";
}

interface Ctx {
  definitions: Map<string, Definition>;
  source: string;
}

/**
 * A text node's value with the indentation CommonMark strips from a paragraph's continuation lines put back from the
 * source, so a model's indented line shows indented. (Escapes and entities differ between value and source, so
 * only each line's leading spaces and tabs are taken from the source, when both have the same lines.)
 */
function textAsWritten(node: Text, source: string): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined || !node.value.includes("\n")) return node.value;
  const written = source.slice(start, end).split("\n");
  const lines = node.value.split("\n");
  if (written.length !== lines.length) return node.value;
  return lines.map((line, i) => (i === 0 ? line : (/^[ \t]*/.exec(written[i])![0] + line.replace(/^[ \t]*/, "")))).join("\n");
}

function Link({ url, title, children, text }: { url: string; title?: string | null; children: ReactNode; text: string }) {
  if (!SAFE_URL.test(url)) {
    return (
      <span className="inert-link" title="Link not followed: its address is not http(s) or mailto">
        {children} <span className="inert-url">(<VisibleText text={url} />)</span>
      </span>
    );
  }
  const host = hostOf(url);
  // "[https://bank.example](https://evil.example)": a judge must see where a link really goes
  const revealHost = !/^mailto:/i.test(url) && !text.toLowerCase().includes(host.toLowerCase());
  return (
    <>
      <a href={url} title={title ?? undefined} target="_blank" rel="noopener noreferrer nofollow ugc">
        {children}
      </a>
      {revealHost && <span className="link-host"> ({host})</span>}
    </>
  );
}

function children(node: Parents, ctx: Ctx): ReactNode {
  return (node.children as Nodes[]).map((child, i) => <Fragment key={i}>{render(child, ctx)}</Fragment>);
}

function render(node: Nodes, ctx: Ctx): ReactNode {
  switch (node.type) {
    case "root":
      return children(node, ctx);
    case "paragraph":
      return <p dir="auto">{children(node, ctx)}</p>;
    case "heading": {
      const Tag = `h${Math.min(node.depth, 4)}` as "h1" | "h2" | "h3" | "h4";
      return <Tag dir="auto">{children(node, ctx)}</Tag>;
    }
    case "thematicBreak":
      return <hr />;
    case "blockquote":
      return <blockquote dir="auto">{children(node, ctx)}</blockquote>;
    case "list":
      return node.ordered ? (
        <ol start={node.start ?? undefined} dir="auto">{children(node, ctx)}</ol>
      ) : (
        <ul dir="auto">{children(node, ctx)}</ul>
      );
    case "listItem":
      return (
        <li dir="auto" className={node.checked === null || node.checked === undefined ? undefined : "task"}>
          {node.checked === null || node.checked === undefined ? null : <span aria-label={node.checked ? "done" : "not done"}>{node.checked ? "☑ " : "☐ "}</span>}
          {children(node, ctx)}
        </li>
      );
    case "code":
      return <CodeBlock code={(node as Code).value} lang={(node as Code).lang ?? null} />;
    case "html":
      return <span className="raw-html"><VisibleText text={node.value} /></span>;
    case "text":
      return <VisibleText text={textAsWritten(node, ctx.source)} />;
    case "emphasis":
      return <em>{children(node, ctx)}</em>;
    case "strong":
      return <strong>{children(node, ctx)}</strong>;
    case "delete":
      return <del>{children(node, ctx)}</del>;
    case "inlineCode":
      return <code><VisibleText text={node.value} /></code>;
    case "break":
      return <br />;
    case "link":
      return <Link url={node.url} title={node.title} text={plainText(node)}>{children(node, ctx)}</Link>;
    case "linkReference": {
      const def = ctx.definitions.get(node.identifier);
      if (!def) return <>[{children(node, ctx)}]</>;
      return <Link url={def.url} title={def.title} text={plainText(node)}>{children(node, ctx)}</Link>;
    }
    case "image":
    case "imageReference": {
      const url = node.type === "image" ? node.url : (ctx.definitions.get(node.identifier)?.url ?? "");
      return (
        <span className="image-placeholder">
          [image: {node.alt ? <VisibleText text={node.alt} /> : "no description"}
          {url && <> — <VisibleText text={url} /></>}]
        </span>
      );
    }
    case "definition":
      return null;
    case "footnoteReference":
      return <sup>[{node.label ?? node.identifier}]</sup>;
    case "footnoteDefinition":
      return (
        <div className="footnote" dir="auto">
          <sup>[{node.label ?? node.identifier}]</sup> {children(node, ctx)}
        </div>
      );
    case "table": {
      const [head, ...body] = node.children;
      const cell = (c: Parents, i: number, Tag: "th" | "td") => (
        <Tag key={i} dir="auto" style={node.align?.[i] ? { textAlign: node.align[i]! } : undefined}>
          {children(c, ctx)}
        </Tag>
      );
      return (
        <div className="table-scroll" tabIndex={0}>
          <table>
            {head && <thead><tr>{head.children.map((c, i) => cell(c, i, "th"))}</tr></thead>}
            <tbody>{body.map((row, r) => <tr key={r}>{row.children.map((c, i) => cell(c, i, "td"))}</tr>)}</tbody>
          </table>
        </div>
      );
    }
    default:
      // a node type this renderer does not know (a future GFM extension): its text, never its markup
      return <VisibleText text={plainText(node)} />;
  }
}

function collectDefinitions(root: Root): Map<string, Definition> {
  const defs = new Map<string, Definition>();
  const walk = (node: Nodes) => {
    if (node.type === "definition") defs.set(node.identifier, node);
    if ("children" in node) (node.children as Nodes[]).forEach(walk);
  };
  walk(root);
  return defs;
}

export function ModelText({ text, className = "" }: { text: string; className?: string }) {
  const tree = useMemo(() => {
    const root = parseMarkdown(text);
    return render(root, { definitions: collectDefinitions(root), source: text });
  }, [text]);
  return <div className={`md text-sm ${className}`}>{tree}</div>;
}
