"use client";

// A table whose column headers sort it: click (or Enter/Space on the focused header button) to sort by that
// column, again to reverse. The sorted column carries aria-sort for screen readers.
import { useMemo, useState, type ReactNode } from "react";
import { sortRows, type SortDirection, type SortValue } from "@/components/analytics/sort-rows";

export interface Column<Row> {
  key: string;
  header: ReactNode;
  /** what the column sorts by; without it the column is not sortable */
  sortValue?: (row: Row) => SortValue;
  cell: (row: Row) => ReactNode;
  align?: "left" | "right";
  /** direction of the first click: descending suits "more is notable" figures */
  firstDirection?: SortDirection;
  /** a short explanation shown as the header's tooltip */
  title?: string;
}

export function SortableTable<Row>({
  rows,
  columns,
  rowKey,
  caption,
  initialSort,
  emptyText = "No data yet.",
}: {
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row>>;
  rowKey: (row: Row) => string;
  caption: string;
  initialSort?: { key: string; direction: SortDirection };
  emptyText?: string;
}) {
  const [sort, setSort] = useState(initialSort);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort?.key);
    return column?.sortValue && sort ? sortRows(rows, column.sortValue, sort.direction) : [...rows];
  }, [rows, columns, sort]);

  const toggle = (column: Column<Row>) =>
    setSort((current) =>
      current?.key === column.key
        ? { key: column.key, direction: current.direction === "ascending" ? "descending" : "ascending" }
        : { key: column.key, direction: column.firstDirection ?? "descending" },
    );

  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key;
              const align = column.align === "right" ? "text-right" : "text-left";
              return (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={active ? sort.direction : column.sortValue ? "none" : undefined}
                  title={column.title}
                  className={`px-3 py-2 font-medium whitespace-nowrap text-slate-600 ${align}`}
                >
                  {column.sortValue ? (
                    <button
                      type="button"
                      onClick={() => toggle(column)}
                      className="inline-flex items-center gap-1 rounded hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                    >
                      {column.header}
                      <span aria-hidden="true" className={active ? "text-slate-900" : "text-slate-300"}>
                        {active && sort.direction === "ascending" ? "▲" : "▼"}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {sorted.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                {emptyText}
              </td>
            </tr>
          ) : (
            sorted.map((row) => (
              <tr key={rowKey(row)} className="hover:bg-slate-50">
                {columns.map((column) => (
                  <td key={column.key} className={`px-3 py-2 whitespace-nowrap ${column.align === "right" ? "text-right tabular-nums" : ""}`}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
