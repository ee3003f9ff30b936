// The users service's SQL, in a module without side effects: every request runs the session check, and
// `npm run bench:annotate` replays it with pgbench beside the annotation statements (./annotation/sql.ts).

/** The signed-in user, if they still exist and are active: $1 user id. */
export const ACTIVE_USER_SQL = `SELECT id, email, name, role FROM "User" WHERE id = $1 AND active`;
