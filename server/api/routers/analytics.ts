// Project analytics for the admin's analytics page: progress, annotators, agreement, the model leaderboard and
// win rates, computed on request (the page refreshes every 30 seconds). The CSV downloads of the same tables are
// an HTTP route (app/api/projects/[projectId]/analytics.csv).
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { projectAnalyticsInput } from "@/server/schemas/analytics";
import { projectAnalytics } from "@/server/services/analytics";

export const analyticsRouter = createTRPCRouter({
  project: adminProcedure.input(projectAnalyticsInput).query(({ input }) => projectAnalytics(input)),
});
