// Calling procedures from Server Components (create-t3-app's `trpc/server.ts` pattern): pages ask the same
// procedures the browser does, with the same access checks, instead of reaching for the database. The context is
// built once per request (React cache). What a page does about an error is decided here, in one place: `page()`
// turns not found → 404, signed out → the sign-in page, not allowed → the 403 page; `orNull` lets a page show a
// deleted input as such; `orRefusal` lets a public page explain a refused link.
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

/** A lookup a page can do without (an input that was deleted since): null when it is not found. */
export async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") return null;
    throw err;
  }
}

/**
 * For a public page that explains a refusal instead of failing (an expired invite, a used link): the
 * refusal's message. What the server could not do (a database away, a bug) still fails the page.
 */
export async function orRefusal<T>(call: Promise<T>): Promise<T | { refused: string }> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof TRPCError && err.code !== "INTERNAL_SERVER_ERROR" && err.code !== "SERVICE_UNAVAILABLE") return { refused: err.message };
    throw err;
  }
}
