// Bidirectional embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069) reorder the text after
// them without being seen: "Trojan Source" in code, a reversed word in prose. Model text shows each one as a visible
// marker instead, so a judge sees the text as it is stored, not as the controls make it look. The direction marks
// (LRM, RLM, ALM) stay: they only nudge neutral characters, and RTL text uses them legitimately all the time.
import type { ReactNode } from "react";

const BIDI_CONTROLS: Record<string, string> = {
  "\u202a": "LRE",
  "\u202b": "RLE",
  "\u202c": "PDF",
  "\u202d": "LRO",
  "\u202e": "RLO",
  "\u2066": "LRI",
  "\u2067": "RLI",
  "\u2068": "FSI",
  "\u2069": "PDI",
};
const BIDI_PATTERN = /[\u202a-\u202e\u2066-\u2069]/;
const BIDI_SPLIT = /([\u202a-\u202e\u2066-\u2069])/;

/** Text with bidirectional control characters replaced by visible markers (the characters themselves never reach the DOM). */
export function VisibleText({ text }: { text: string }): ReactNode {
  if (!BIDI_PATTERN.test(text)) return text;
  return text.split(BIDI_SPLIT).map((part, i) =>
    i % 2 === 1 ? (
      <span key={i} className="bidi-marker" title={`Invisible direction control U+${part.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} (${BIDI_CONTROLS[part]})`}>
        ⟨{BIDI_CONTROLS[part]}⟩
      </span>
    ) : (
      part
    ),
  );
}

