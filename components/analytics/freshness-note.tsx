"use client";
// "updated 12 s ago · 340 judgements still being counted" beside the analytics heading, counting up every second
// between the page's refreshes. The age is measured on the server's clock (generatedAt − updatedAt) and grows by
// the browser's own elapsed time, so a browser clock that is off does not move it.
import { useEffect, useState } from "react";
import { integer } from "@/components/analytics/format";
import type { AnalyticsFreshness } from "@/server/schemas/analytics";

function ageText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

export function FreshnessNote({ freshness, generatedAt }: { freshness: AnalyticsFreshness; generatedAt: string }) {
  const { updatedAt, pending } = freshness;
  const [received, setReceived] = useState<{ at: number; props: string } | null>(null);
  const [now, setNow] = useState(0);
  const props = `${generatedAt}|${updatedAt}`;
  useEffect(() => {
    setReceived({ at: performance.now(), props });
    setNow(performance.now());
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [props]);
  const elapsed = received && received.props === props ? Math.max(0, now - received.at) : 0;
  const age = updatedAt === null ? null : Math.max(0, Math.floor((Date.parse(generatedAt) - Date.parse(updatedAt) + elapsed) / 1000));
  return (
    <p className="text-xs text-slate-500" data-testid="analytics-freshness" aria-live="off">
      {age === null ? "not counted yet" : `updated ${ageText(age)} ago`}
      {pending > 0 && ` · ${integer(pending)} judgement${pending === 1 ? "" : "s"} still being counted`}
    </p>
  );
}
