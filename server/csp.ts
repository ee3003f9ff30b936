// Content-Security-Policy for pages: defence in depth for model text, which the markdown renderer already renders
// inert. A script runs only if it carries this response's nonce (Next.js puts it on its own scripts and inline
// payloads, reading it from the request's policy) or was loaded by one that does ('strict-dynamic'): no inline
// handlers, no injected inline scripts, no foreign scripts. No frames, no plugins. Responses that are not pages get
// the stricter policy in next.config.js.

/**
 * Styles may be inline: React's `style` attributes are, and a style cannot run code. 'self' in script-src only
 * serves browsers too old for 'strict-dynamic' (newer ones ignore it beside a nonce). 'unsafe-eval' in development
 * only, for React's debugging.
 */
export function pageCsp(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}
