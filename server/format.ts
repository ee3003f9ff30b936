// Figures written for people, the same in the server's messages and on the pages (pure: the browser imports it too).

/** 1536 → "1.5 KiB"; binary units, at most two decimals, "bytes" below 1 KiB. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(2)} KiB`;
  return `${n} bytes`;
}
