// The analytics tables rendered to HTML (server render of the client components' first paint).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AnnotatorTable } from "@/components/analytics/annotator-table";
import { LeaderboardTable } from "@/components/analytics/leaderboard-table";
import { sortRows } from "@/components/analytics/sort-rows";
import { WinRateMatrix } from "@/components/analytics/win-rate-matrix";
import type { AnnotatorFigures, LeaderboardRow } from "@/server/schemas/analytics";
import { winRateMatrix } from "@/server/services/analytics/bradley-terry";

function annotator(name: string, over: Partial<AnnotatorFigures>): AnnotatorFigures {
  return {
    userId: name, name, email: `${name}@x.test`, annotations: 0, medianTimeMs: null, skips: 0, skipRate: null, goldAnswered: 0,
    goldAccuracy: null, majorityUnits: 0, majorityAgreement: null, positionJudgements: 0, firstPositionShare: null,
    firstPositionExpected: null, flagsRaised: 0, ...over,
  };
}

/** Text of each body row's first cell, in order. */
function firstCells(html: string): string[] {
  const body = html.slice(html.indexOf("<tbody"));
  return [...body.matchAll(/<tr[^>]*><td[^>]*>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, " ").trim());
}

describe("sortRows", () => {
  const rows = [{ v: 2 }, { v: null }, { v: 10 }, { v: 2 }, { v: -1 }];
  it("sorts numbers either way with missing values last and ties in their incoming order", () => {
    expect(sortRows(rows, (r) => r.v, "descending")).toEqual([rows[2], rows[0], rows[3], rows[4], rows[1]]);
    expect(sortRows(rows, (r) => r.v, "ascending")).toEqual([rows[4], rows[0], rows[3], rows[2], rows[1]]);
  });
  it("sorts text case-insensitively with numbers inside in numeric order", () => {
    const names = ["model-10", "Model-9", "alpha"].map((n) => ({ n }));
    expect(sortRows(names, (r) => r.n, "ascending").map((r) => r.n)).toEqual(["alpha", "Model-9", "model-10"]);
  });
});

describe("AnnotatorTable", () => {
  it("starts sorted by judgements, marks the sorted header, and shows missing figures as a dash", () => {
    const html = renderToStaticMarkup(
      createElement(AnnotatorTable, {
        annotators: [
          annotator("ann", { annotations: 3, goldAnswered: 1, goldAccuracy: 1, skipRate: 0 }),
          annotator("bob", { annotations: 12, skipRate: 0.25, skips: 4 }),
        ],
      }),
    );
    expect(firstCells(html).map((t) => t.split(/\s+/)[0])).toEqual(["bob", "ann"]);
    expect(html).toMatch(/<th[^>]*aria-sort="descending"[^>]*>.*?Judgements/);
    expect(html).toMatch(/<th[^>]*aria-sort="none"[^>]*>.*?Gold accuracy/);
    expect(html).toContain(">25%<");
    // bob answered no gold item: a dash, not 0%
    expect(html.slice(html.indexOf("bob"), html.indexOf("ann@"))).toMatch(/title="0 gold items">–</);
  });

  it("says so when there is nobody to show", () => {
    expect(renderToStaticMarkup(createElement(AnnotatorTable, { annotators: [] }))).toContain("Nobody has judged or skipped an item yet.");
  });
});

describe("LeaderboardTable", () => {
  const rows: LeaderboardRow[] = [
    { model: "big", rating: 1100, ciLow: 1080, ciHigh: 1125, comparisons: 50, wins: 30, losses: 15, ties: 5, bothBad: 1 },
    { model: "small", rating: 900, ciLow: 870, ciHigh: 920, comparisons: 50, wins: 15, losses: 30, ties: 5, bothBad: 7 },
  ];
  it("lists models by rank with their interval as text and as a labelled bar", () => {
    const html = renderToStaticMarkup(createElement(LeaderboardTable, { rows }));
    expect(firstCells(html)).toEqual(["1", "2"]);
    expect(html).toContain("-20 / +25");
    expect(html).toContain('aria-label="rating 1100, 95% interval 1080 to 1125"');
    expect(html).toContain("30 / 5 / 15");
  });

  it("has a both-bad column on a project's leaderboard, none on one without the counts (an AI judge's)", () => {
    expect(renderToStaticMarkup(createElement(LeaderboardTable, { rows }))).toMatch(/Both bad.*<td[^>]*>7<\/td><\/tr><\/tbody>/s);
    const judge = rows.map(({ bothBad: _, ...r }) => r);
    expect(renderToStaticMarkup(createElement(LeaderboardTable, { rows: judge }))).not.toContain("Both bad");
  });
});

describe("WinRateMatrix", () => {
  it("prints every head-to-head rate with its number of comparisons", () => {
    const winRates = winRateMatrix([{ a: "x", b: "y", aWins: 1, bWins: 0, ties: 1 }], ["x", "y"]);
    const html = renderToStaticMarkup(createElement(WinRateMatrix, { winRates }));
    expect(html).toContain('title="x vs y: 75% over 2 comparisons (1 won, 1 tied, 0 lost)"');
    expect(html).toContain('title="y vs x: 25% over 2 comparisons (0 won, 1 tied, 1 lost)"');
    expect(html).toContain('<th scope="row"');
  });

  it("explains an empty matrix", () => {
    const html = renderToStaticMarkup(createElement(WinRateMatrix, { winRates: { models: ["x"], cells: [[]] } }));
    expect(html).toContain("at least two models");
  });
});
