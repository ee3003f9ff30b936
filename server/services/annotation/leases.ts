// Ending leases early, for whoever loses the right to judge (deactivated, or removed from a project): their live
// leases end now, so the items go back to the queue at once instead of when the leases would have run out.
import type { Tx } from "@/server/db";

export async function endLeases(tx: Tx, where: { userIds: string[]; projectIds?: string[] }): Promise<void> {
  if (!where.userIds.length || where.projectIds?.length === 0) return;
  const live = { userId: { in: where.userIds }, state: "ACTIVE" as const, expiresAt: { gt: new Date() }, ...(where.projectIds ? { projectId: { in: where.projectIds } } : {}) };
  // items before leases, the order claim and submit lock them in; the freed places must not look busy
  await tx.item.updateMany({ where: { assignments: { some: live } }, data: { busyUntil: null } });
  await tx.assignment.updateMany({ where: live, data: { expiresAt: new Date() } });
}
