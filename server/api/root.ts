import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { annotationRouter } from "@/server/api/routers/annotation";
import { projectRouter } from "@/server/api/routers/project";

export const appRouter = createTRPCRouter({
  annotation: annotationRouter,
  project: projectRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
