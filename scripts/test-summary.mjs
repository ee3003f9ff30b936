// Sums the JUnit reports of Vitest, pytest and Playwright into the one closing line CI reads:
// "N passed, N failed" (", N skipped" when any). Steps that failed without a report (typecheck, lint, a crash)
// count as one failure each so the line can never read green over a red step.
import fs from "node:fs";
import path from "node:path";

const [dir, failedStepsArg] = process.argv.slice(2);
let tests = 0;
let failures = 0;
let skipped = 0;
for (const name of ["vitest.xml", "pytest.xml", "playwright.xml"]) {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) continue;
  const xml = fs.readFileSync(file, "utf8");
  // Count <testcase> elements directly: suite-level attributes differ between the three reporters.
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
  for (const c of cases) {
    tests++;
    if (/<(failure|error)\b/.test(c)) failures++;
    else if (/<skipped\b/.test(c)) skipped++;
  }
}
const stepFailures = Number(failedStepsArg || 0);
const failed = Math.max(failures, stepFailures > 0 && failures === 0 ? stepFailures : failures);
const passed = tests - failures - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(stepFailures > 0 || failures > 0 ? 1 : 0);
