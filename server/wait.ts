// "Try again in …" wording for a wait, shared by the services that refuse with a delay and the sign-in form.

/** 1 → "1 second", 90 → "2 minutes" (rounded up: waiting a little longer than said always works). */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 90) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.ceil(s / 60);
  return `${m} minutes`;
}
