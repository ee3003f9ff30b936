"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const links = [
  { href: "/admin", label: "Projects", match: (p: string) => p === "/admin" || p.startsWith("/admin/projects") },
  { href: "/admin/people", label: "People" },
  { href: "/admin/tokens", label: "Tokens" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/exports", label: "Exports" },
  { href: "/admin/runs", label: "Runs" },
  { href: "/admin/models", label: "Models" },
  { href: "/admin/endpoints", label: "Endpoints" },
  { href: "/admin/webhooks", label: "Webhooks" },
];

export function AdminNav() {
  const pathname = usePathname() ?? "";
  return (
    <nav aria-label="Admin" className="flex flex-wrap gap-1 border-b border-slate-200 pb-2 text-sm">
      {links.map((l) => {
        const active = l.match ? l.match(pathname) : pathname.startsWith(l.href);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 ${active ? "bg-indigo-50 font-medium text-indigo-800" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"}`}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
