// The demo's sign-in accounts, public by design (README, start-up output). In a module of their own, without the
// database, so that `npm start` can check for them before anything connects.
export const DEMO_ADMIN = { email: "admin@demo.local", password: "demo-admin-pass", name: "Demo Admin" } as const;
export const DEMO_ANNOTATOR = { email: "annotator@demo.local", password: "demo-annotator-pass", name: "Demo Annotator" } as const;
