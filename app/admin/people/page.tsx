import { PeopleAdmin } from "@/components/admin/people-admin";
import { requireAdmin } from "@/server/auth/session";

export const dynamic = "force-dynamic";

export default async function PeoplePage() {
  const me = await requireAdmin("/admin/people");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">People</h1>
      <PeopleAdmin selfId={me.id} />
    </div>
  );
}
