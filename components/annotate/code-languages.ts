// The languages code blocks are highlighted in, by name and by the other names fences use for them. Small and
// import-free: the code block decides from it whether to load the highlighter at all (./highlighter.ts has one
// grammar loader per name here, checked by its type).
export const LANGUAGES = [
  "bash", "c", "cpp", "csharp", "css", "diff", "go", "java", "javascript", "json", "kotlin", "markdown", "php", "python",
  "ruby", "rust", "sql", "swift", "typescript", "xml", "yaml",
] as const;
export type Language = (typeof LANGUAGES)[number];

const ALIASES: Record<string, Language> = {
  sh: "bash", shell: "bash", zsh: "bash", console: "bash", "c++": "cpp", cs: "csharp", "c#": "csharp", golang: "go",
  js: "javascript", jsx: "javascript", mjs: "javascript", kt: "kotlin", md: "markdown", py: "python", python3: "python",
  rb: "ruby", rs: "rust", ts: "typescript", tsx: "typescript", html: "xml", svg: "xml", yml: "yaml", postgresql: "sql",
};

/** The language a fence names, if it is one we highlight. */
export function languageOf(fence: string | null): Language | null {
  if (!fence) return null;
  const l = fence.toLowerCase();
  return ALIASES[l] ?? ((LANGUAGES as readonly string[]).includes(l) ? (l as Language) : null);
}
