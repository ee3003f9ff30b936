import Link from "next/link";

export default function ForbiddenPage() {
  return (
    <div className="mx-auto mt-16 max-w-md text-center">
      <h1 className="text-xl font-semibold">403 — not allowed</h1>
      <p className="mt-2 text-slate-600">Your account does not have access to this page.</p>
      <Link href="/annotate" className="mt-4 inline-block text-indigo-700 underline">Back to annotating</Link>
    </div>
  );
}
