"use client";
// Skipping is final for this annotator, so it asks why, in a modal dialog (the page behind takes no keys): 1–4 pick
// the reason, Esc cancels. A native <dialog> opened with showModal traps focus and makes the rest inert.
import { useEffect, useRef } from "react";
import { SKIP_REASONS } from "@/components/annotate/keymap";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";

export function SkipDialog({ open, onSkip, onClose }: { open: boolean; onSkip: (reason: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby="skip-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-4 text-slate-900 shadow-xl backdrop:bg-slate-900/40"
    >
      <h2 id="skip-title" className="mb-3 font-semibold">Why skip this item?</h2>
      <div className="flex flex-col gap-2">
        {SKIP_REASONS.map((r, i) => (
          <Button key={r} variant="secondary" className="justify-start" onClick={() => onSkip(r)}>
            <Kbd>{i + 1}</Kbd> {r}
          </Button>
        ))}
      </div>
      <div className="mt-3 flex justify-end">
        <Button variant="ghost" onClick={onClose}>Cancel <Kbd>Esc</Kbd></Button>
      </div>
    </dialog>
  );
}
