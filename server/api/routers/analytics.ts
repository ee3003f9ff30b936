// Project analytics for the admin's analytics page: progress, annotators, agreement, the model leaderboard and
// win rates, and for rating and demonstration projects what they collected; computed on request (the page
// refreshes every 30 seconds). The CSV downloads of the same tables are
// an HTTP route (app/api/projects/[projectId]/analytics.csv).
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { projectAnalyticsInput } from "@/server/schemas/analytics";
import { projectAnalytics } from "@/server/services/analytics";
import { collectionAnalytics } from "@/server/services/analytics/collection";
import { reviewStats } from "@/server/services/review/stats";
import { judgeAnalyticsInput } from "@/server/schemas/judge-analytics";
import { judgeAnalytics } from "@/server/services/judge/analytics";

export const analyticsRouter = createTRPCRouter({
  project: adminProcedure.input(projectAnalyticsInput).query(({ input }) => projectAnalytics(input)),
  /** ratings and demonstrations; null for pairwise and ranking projects */
  collection: adminProcedure.input(projectAnalyticsInput).query(({ input }) => collectionAnalytics(input.projectId)),
  /** per annotator: how their reviewed judgements came out, and why they were rejected */
  reviews: adminProcedure.input(projectAnalyticsInput).query(({ input }) => reviewStats(input.projectId)),
  /** an AI judge's suggestions against the people: agreement, position bias, its leaderboard */
  judge: adminProcedure.input(judgeAnalyticsInput).query(({ input }) => judgeAnalytics(input)),
});
