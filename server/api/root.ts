import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { analyticsRouter } from "@/server/api/routers/analytics";
import { accountRouter } from "@/server/api/routers/account";
import { annotationRouter } from "@/server/api/routers/annotation";
import { projectRouter } from "@/server/api/routers/project";
import { userRouter } from "@/server/api/routers/user";
import { inviteRouter } from "@/server/api/routers/invite";
import { auditRouter } from "@/server/api/routers/audit";
import { importJobRouter } from "@/server/api/routers/import-job";
import { tokenRouter } from "@/server/api/routers/token";
import { runRouter } from "@/server/api/routers/run";
import { modelRouter } from "@/server/api/routers/model";
import { loopRouter } from "@/server/api/routers/loop";
import { endpointRouter } from "@/server/api/routers/endpoint";
import { exportRouter } from "@/server/api/routers/export";
import { reviewRouter } from "@/server/api/routers/review";
import { webhookRouter } from "@/server/api/routers/webhook";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  annotation: annotationRouter,
  project: projectRouter,
  user: userRouter,
  invite: inviteRouter,
  audit: auditRouter,
  importJob: importJobRouter,
  token: tokenRouter,
  run: runRouter,
  model: modelRouter,
  loop: loopRouter,
  endpoint: endpointRouter,
  export: exportRouter,
  analytics: analyticsRouter,
  review: reviewRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
/** What each procedure answers, as the browser receives it: client components type their props with these. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
