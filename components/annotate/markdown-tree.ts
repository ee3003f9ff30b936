// Untrusted model text (and guidelines) as markdown, parsed into a small tree of our own that holds every rule of
// how model text is shown. The parser is micromark's (mdast-util-from-markdown with GFM); ./model-text.tsx turns the
// tree into React elements, which escape every string, and creates no other elements than the ones below, so
// nothing in the text can become markup, a handler or a request. The rules:
//  - raw HTML is kept as the text it is (a judge must see what the model wrote);
//  - a link keeps its target only for http(s) and mailto; any other link becomes its text plus the inert address
//    ("javascript:…"), and a link whose text does not name its host shows the host it really goes to;
//  - images are never loaded: they become "[image: alt — url]";
//  - a single newline inside a paragraph stays a newline (the CSS shows white space as written), and the
//    indentation CommonMark strips from continuation lines is put back; code blocks are untouched.
// The tree is plain JSON: the annotation page's server render parses the first item and sends the trees along, so
// the parser itself is not part of the page's first load (model-text.tsx loads it for the items after).
import type { Code, Definition, Nodes, Parents, Root, Text } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";

export type MdNode =
  | string
  | { k: "p" | "blockquote" | "em" | "strong" | "del" | "footnote"; c: MdNode[] }
  | { k: "h"; level: 1 | 2 | 3 | 4; c: MdNode[] }
  | { k: "ul"; c: MdNode[] }
  | { k: "ol"; start: number | null; c: MdNode[] }
  | { k: "li"; checked: boolean | null; c: MdNode[] }
  | { k: "code"; lang: string | null; value: string }
  | { k: "inlineCode" | "raw"; value: string }
  | { k: "br" | "hr" }
  | { k: "sup"; label: string }
  | { k: "link"; href: string; title: string | null; host: string | null; c: MdNode[] }
  | { k: "inert"; url: string; c: MdNode[] }
  | { k: "image"; alt: string; url: string }
  | { k: "table"; align: ("left" | "right" | "center" | null)[]; head: MdNode[][]; rows: MdNode[][][] };

export type MdTree = MdNode[];

const SAFE_URL = /^(https?:|mailto:)/i;

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

/**
 * A text node's value with the indentation CommonMark strips from a paragraph's continuation lines put back from the
 * source. (Escapes and entities differ between value and source, so only each line's leading spaces and tabs are
 * taken from the source, when both have the same lines.)
 */
function textAsWritten(node: Text, source: string): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined || !node.value.includes("\n")) return node.value;
  const written = source.slice(start, end).split("\n");
  const lines = node.value.split("\n");
  if (written.length !== lines.length) return node.value;
  return lines.map((line, i) => (i === 0 ? line : /^[ \t]*/.exec(written[i])![0] + line.replace(/^[ \t]*/, ""))).join("\n");
}

interface Ctx {
  definitions: Map<string, Definition>;
  source: string;
}

function link(url: string, title: string | null | undefined, text: string, c: MdNode[]): MdNode {
  if (!SAFE_URL.test(url)) return { k: "inert", url, c };
  const host = hostOf(url);
  // "[https://bank.example](https://evil.example)": a judge must see where a link really goes
  const reveal = !/^mailto:/i.test(url) && !text.toLowerCase().includes(host.toLowerCase());
  return { k: "link", href: url, title: title ?? null, host: reveal ? host : null, c };
}

function kids(node: Parents, ctx: Ctx): MdNode[] {
  return (node.children as Nodes[]).flatMap((child) => convert(child, ctx));
}

function convert(node: Nodes, ctx: Ctx): MdNode[] {
  switch (node.type) {
    case "root":
      return kids(node, ctx);
    case "paragraph":
      return [{ k: "p", c: kids(node, ctx) }];
    case "heading":
      return [{ k: "h", level: Math.min(node.depth, 4) as 1 | 2 | 3 | 4, c: kids(node, ctx) }];
    case "thematicBreak":
      return [{ k: "hr" }];
    case "blockquote":
      return [{ k: "blockquote", c: kids(node, ctx) }];
    case "list":
      return [node.ordered ? { k: "ol", start: node.start ?? null, c: kids(node, ctx) } : { k: "ul", c: kids(node, ctx) }];
    case "listItem":
      return [{ k: "li", checked: node.checked ?? null, c: kids(node, ctx) }];
    case "code":
      return [{ k: "code", lang: (node as Code).lang ?? null, value: (node as Code).value }];
    case "html":
      return [{ k: "raw", value: node.value }];
    case "text":
      return [textAsWritten(node, ctx.source)];
    case "emphasis":
      return [{ k: "em", c: kids(node, ctx) }];
    case "strong":
      return [{ k: "strong", c: kids(node, ctx) }];
    case "delete":
      return [{ k: "del", c: kids(node, ctx) }];
    case "inlineCode":
      return [{ k: "inlineCode", value: node.value }];
    case "break":
      return [{ k: "br" }];
    case "link":
      return [link(node.url, node.title, plainText(node), kids(node, ctx))];
    case "linkReference": {
      const def = ctx.definitions.get(node.identifier);
      return def ? [link(def.url, def.title, plainText(node), kids(node, ctx))] : ["[", ...kids(node, ctx), "]"];
    }
    case "image":
      return [{ k: "image", alt: node.alt ?? "", url: node.url }];
    case "imageReference":
      return [{ k: "image", alt: node.alt ?? "", url: ctx.definitions.get(node.identifier)?.url ?? "" }];
    case "definition":
      return [];
    case "footnoteReference":
      return [{ k: "sup", label: node.label ?? node.identifier }];
    case "footnoteDefinition":
      return [{ k: "footnote", c: [{ k: "sup", label: node.label ?? node.identifier }, " ", ...kids(node, ctx)] }];
    case "table": {
      const [head, ...body] = node.children;
      return [
        {
          k: "table",
          align: node.align ?? [],
          head: head ? head.children.map((cell) => kids(cell, ctx)) : [],
          rows: body.map((row) => row.children.map((cell) => kids(cell, ctx))),
        },
      ];
    }
    default:
      // a node type this renderer does not know (a future GFM extension): its text, never its markup
      return [plainText(node)];
  }
}

export function parseModelText(text: string): MdTree {
  const root: Root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const definitions = new Map<string, Definition>();
  const walk = (node: Nodes) => {
    if (node.type === "definition") definitions.set(node.identifier, node);
    if ("children" in node) (node.children as Nodes[]).forEach(walk);
  };
  walk(root);
  return convert(root, { definitions, source: text });
}
