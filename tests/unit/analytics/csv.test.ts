import { describe, expect, it } from "vitest";
import { toCsv } from "@/server/services/analytics/csv";

describe("toCsv", () => {
  it("quotes separators, quotes and line breaks, and leaves empty cells for null", () => {
    expect(toCsv(["a", "b"], [["x,y", 'say "hi"'], ["line\nbreak", null], [1.5, true]])).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n1.5,true\r\n',
    );
  });

  it("defuses text a spreadsheet would run as a formula, but not negative numbers", () => {
    expect(toCsv(["name", "n"], [["=HYPERLINK(\"x\")", -3], ["@me", 0]])).toBe('name,n\r\n"\'=HYPERLINK(""x"")",-3\r\n\'@me,0\r\n');
  });
});
