// The users service's SQL, in a module without side effects: every request runs the session check, and
// `npm run bench:annotate` replays it with pgbench beside the annotation statements (./annotation/sql.ts).

/**
 * The signed-in user, if they still exist, are active and the session is not older than their last password change
 * or sign-out: $1 user id, $2 the session's version.
 */
export const ACTIVE_USER_SQL = `SELECT id, email, name, role FROM "User" WHERE id = $1 AND active AND "sessionVersion" = $2`;
