// The assignment on screen, remembered in a cookie scoped to the project's page, so a reload renders the same item
// first (annotation.next's `prefer`) even when two page loads claimed an item each.
export const ON_SCREEN_COOKIE = "rlhf-on-screen";

export function rememberOnScreen(slug: string, assignmentId: string): void {
  document.cookie = `${ON_SCREEN_COOKIE}=${encodeURIComponent(assignmentId)}; path=/annotate/${encodeURIComponent(slug)}; max-age=86400; samesite=lax`;
}
