// Renders untrusted model text. react-markdown never interprets raw HTML (it shows it as text), drops
// dangerous URL schemes (javascript:, vbscript:, data:) through its default urlTransform, and we render
// images as their alt text so no request leaves the page. The site's CSP is a second line of defence.
import ReactMarkdown, { defaultUrlTransform, type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

const SAFE_LINK = /^(https?:|mailto:|#)/i;

const components: Components = {
  a({ href, children }) {
    if (!href || !SAFE_LINK.test(href)) return <span className="underline decoration-dotted">{children}</span>;
    return (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
        {children}
      </a>
    );
  },
  img({ alt, src }) {
    return <span className="rounded bg-slate-100 px-1 text-xs text-slate-500" title={typeof src === "string" ? src : undefined}>[image: {alt || "no description"}]</span>;
  },
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="md text-sm">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[[rehypeHighlight, { detect: false, ignoreMissing: true }]]}
        components={components}
        urlTransform={(url) => {
          const safe = defaultUrlTransform(url);
          return SAFE_LINK.test(safe) ? safe : "";
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}

export function Conversation({ messages }: { messages: { role: string; content: string }[] }) {
  return (
    <div className="space-y-2" data-testid="conversation">
      {messages.map((m, i) => (
        <div key={i} className={`rounded-lg p-3 ${m.role === "user" ? "bg-indigo-50" : m.role === "system" ? "bg-amber-50" : "bg-white ring-1 ring-slate-200"}`}>
          <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{m.role}</div>
          <Markdown text={m.content} />
        </div>
      ))}
    </div>
  );
}
