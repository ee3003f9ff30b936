import { EndpointsAdmin } from "@/components/runs/endpoints-admin";
import { page } from "@/server/api/server";

export const dynamic = "force-dynamic";

export default async function EndpointsPage() {
  const endpoints = await page("/admin/endpoints", (api) => api.endpoint.list());
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Endpoints</h1>
        <p className="text-sm text-slate-600">
          OpenAI-compatible <code>/v1/chat/completions</code> servers that generation runs can sample new candidates from, with retries and at most
          “concurrency” requests at a time.
        </p>
      </div>
      <EndpointsAdmin initialEndpoints={endpoints} />
    </div>
  );
}
