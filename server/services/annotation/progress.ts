// The annotation page's counters, true after every judgement: the caller's judgements today (in their own time zone)
// and in the project, and the project's non-gold items still open for them. One query (./sql.ts PROGRESS_SQL); the
// project's open items are read from counts the database keeps exact (ProjectItemCount), not counted.
import { pool } from "@/server/pg";
import { projectForAnnotator } from "@/server/services/annotation/context";
import { PROGRESS_SQL } from "@/server/services/annotation/sql";

export interface Progress {
  doneToday: number;
  doneInProject: number;
  /** open items the caller has not judged, skipped or let lapse, including those on loan to them or to others now */
  leftForYou: number;
}

/** `dayStart`: the start of the caller's day (the page sends its local midnight); UTC midnight when not given. */
export async function progress(opts: { slug: string; userId: string; isAdmin: boolean; dayStart?: Date }): Promise<Progress> {
  const project = await projectForAnnotator(opts);
  const dayStart = opts.dayStart ?? new Date(new Date().setUTCHours(0, 0, 0, 0));
  const { rows } = await pool().query<{ today: string; mine: string; left_for_you: string }>({
    name: "annotator-progress",
    text: PROGRESS_SQL,
    values: [opts.userId, project.id, dayStart],
  });
  const r = rows[0];
  return { doneToday: Number(r.today), doneInProject: Number(r.mine), leftForYou: Number(r.left_for_you) };
}
