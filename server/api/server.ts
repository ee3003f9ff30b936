// Calling procedures from Server Components (create-t3-app's `trpc/server.ts` pattern): pages ask the same
// procedures the browser does, with the same access checks, instead of reaching for the database. The context is
// built once per request (React cache). `page()` turns the errors a page can meet into what a page does about them,
// in one place: not found → 404, signed out → the sign-in page, not allowed → the 403 page.
import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { createCaller } from "@/server/api/root";
import { currentUser } from "@/server/auth/session";

// the same user the tRPC context would have (currentUser runs the same session check), read once per request
const caller = cache(async () => createCaller({ user: await currentUser() }));

export type ServerCaller = Awaited<ReturnType<typeof caller>>;

/** Runs `fn` with the request's caller; `here` is where sign-in sends the visitor back to. */
export async function page<T>(here: string, fn: (api: ServerCaller) => Promise<T>): Promise<T> {
  try {
    return await fn(await caller());
  } catch (err) {
    if (err instanceof TRPCError) {
      if (err.code === "NOT_FOUND") notFound();
      if (err.code === "UNAUTHORIZED") redirect(`/signin?callbackUrl=${encodeURIComponent(here)}`);
      if (err.code === "FORBIDDEN") redirect("/forbidden");
    }
    throw err;
  }
}
