// Model text is rendered inert but faithful: what the model wrote is what the judge sees, markup included, and
// nothing in it can run, load or reorder. (The browser walk in tests/e2e checks the same on screen.)
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { parseModelText } from "@/components/annotate/markdown-tree";
import { ModelText } from "@/components/annotate/model-text";

const html = (text: string) => renderToStaticMarkup(createElement(ModelText, { text, tree: parseModelText(text) }));

describe("model text", () => {
  it("shows the text as written while the parser is still loading", () => {
    expect(renderToStaticMarkup(createElement(ModelText, { text: "**raw** <b>text</b>\nline" }))).toContain("**raw** &lt;b&gt;text&lt;/b&gt;\nline");
  });

  it("keeps single newlines and tabs of a paragraph as they are (shown with white-space: pre-wrap)", () => {
    const out = html("0.8 × P = 96\nP = 96 ÷ 0.8\n\tP = 120");
    expect(out).toContain("<p dir=\"auto\">0.8 × P = 96\nP = 96 ÷ 0.8\n\tP = 120</p>");
  });

  it("shows raw HTML as text, never as elements", () => {
    const out = html(`<script>alert(1)</script> <img src=x onerror="alert(2)"> and <b>bold</b>`);
    expect(out).not.toMatch(/<script|<img|<b>/);
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(out).toContain("onerror=&quot;alert(2)&quot;");
  });

  it("keeps the target of an inert link visible, and follows only http(s) and mailto", () => {
    const out = html(`[click me](javascript:alert(document.cookie)) [ok](https://example.org/a) [mail](mailto:a@b.c)`);
    expect(out).not.toContain('href="javascript');
    expect(out).toContain("click me");
    expect(out).toContain("(javascript:alert(document.cookie))");
    expect(out).toContain('href="https://example.org/a"');
    expect(out).toContain("(example.org)");
    expect(out).toContain('href="mailto:a@b.c"');
  });

  it("says where a link really goes when its text looks like another address", () => {
    expect(html("[https://bank.example](https://evil.example/login)")).toContain("(evil.example)");
    expect(html("<https://plain.example/x>")).not.toContain("link-host");
  });

  it("never loads an image: alt text and address instead", () => {
    const out = html(`![tracker](https://t.example/p.png) ![](javascript:alert(1))`);
    expect(out).not.toContain("<img");
    expect(out).toContain("[image: tracker — https://t.example/p.png]");
    expect(out).toContain("[image: no description — javascript:alert(1)]");
  });

  it("shows bidirectional overrides as markers instead of letting them reverse the text", () => {
    const out = html("access = \u202euser\u202c admin");
    expect(out).not.toContain("\u202e");
    expect(out).toContain("⟨RLO⟩");
    expect(out).toContain("⟨PDF⟩");
    expect(html("שלום עולם")).toContain('dir="auto"');
  });

  it("leaves code blocks untouched and labels their language", () => {
    const code = "def f(x):\n\treturn x  *  2\n<div>";
    const out = html("```python\n" + code + "\n```");
    expect(out).toContain('data-lang="python"');
    expect(out).toContain("def f(x):\n\treturn x  *  2\n&lt;div&gt;");
  });

  it("renders GFM: tables, task lists, strikethrough, autolinks, footnotes", () => {
    const out = html("| a | b |\n|:-|-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\n~~old~~ www.example.com and a note[^1]\n\n[^1]: note");
    expect(out).toContain("<table>");
    expect(out).toContain('style="text-align:right"');
    expect(out).toContain("☑");
    expect(out).toContain("<del>old</del>");
    expect(out).toContain('href="http://www.example.com"');
    expect(out).toContain("[1]");
    expect(out).not.toContain("link-host");
  });
});
