import type { ReactNode } from "react";

/** A key hint. Hidden on touch screens, where there is no keyboard to press it on. */
export function Kbd({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <kbd className={`rounded border border-slate-300 bg-slate-50 px-1 font-mono text-xs text-slate-600 pointer-coarse:hidden ${className}`}>{children}</kbd>;
}
