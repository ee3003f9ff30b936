import { WebhooksAdmin } from "@/components/admin/webhooks-admin";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function WebhooksPage() {
  const projects = await page("/admin/webhooks", (api) => api.project.list({ includeArchived: false }));
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Webhooks</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          We POST a signed JSON event to your URL when an item is complete, an import finishes, a snapshot is ready or a run ends. Deliveries are
          retried with backoff for a day; a receiver should answer 2xx quickly and ignore an event id it has seen (an event may arrive twice).
        </p>
      </div>
      <WebhooksAdmin projects={projects.map((p) => ({ id: p.id, name: p.name }))} />
    </div>
  );
}
