// Sorting for the analytics tables, kept apart from the React component so it can be tested on its own.

export type SortValue = string | number | null | undefined;
export type SortDirection = "ascending" | "descending";

/** Missing values go last in either direction: a blank cell is never "the best" or "the worst". */
export function sortRows<Row>(rows: readonly Row[], value: (row: Row) => SortValue, direction: SortDirection): Row[] {
  const sign = direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((a, b) => {
      const aMissing = a.key === null || a.key === undefined || (typeof a.key === "number" && Number.isNaN(a.key));
      const bMissing = b.key === null || b.key === undefined || (typeof b.key === "number" && Number.isNaN(b.key));
      if (aMissing || bMissing) return aMissing === bMissing ? a.index - b.index : aMissing ? 1 : -1;
      const order =
        typeof a.key === "number" && typeof b.key === "number"
          ? a.key - b.key
          : String(a.key).localeCompare(String(b.key), undefined, { numeric: true, sensitivity: "base" });
      // stable: equal keys keep their incoming order
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map(({ row }) => row);
}
