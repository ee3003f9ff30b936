#!/usr/bin/env bash
# `npm test`: everything a change must pass, on a real PostgreSQL, a real Chromium and a real PyTorch.
#   prerequisites → typecheck → lint → Vitest (unit + integration) → pytest (trainer) → Playwright (e2e)
# Every step runs even when an earlier one fails; the last line sums the test cases: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
OUT=.data/test-results
rm -rf "$OUT" && mkdir -p "$OUT"

# ---- prerequisites: Debian's Chromium (Playwright cannot download browsers offline) and PyTorch --------------
python_with_torch() {
  for py in ${TRAINER_PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c "import torch, pytest" >/dev/null 2>&1; then echo "$py"; return 0; fi
  done
  return 1
}
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
python_with_torch >/dev/null || missing+=(python3-torch libopenblas0-pthread python3-pytest)
# the Python client's e2e installs it with Debian's pip, offline, as a user of this machine would
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "[test] installing from Debian's packages: ${missing[*]}"
    # libopenblas0-pthread: Debian's torch otherwise uses the reference BLAS, ~30x slower.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
      echo "[test] apt-get install failed"; exit 1; }
  else
    echo "[test] missing: ${missing[*]}"
    echo "[test] install them first, e.g. on Debian/Ubuntu: sudo apt-get install ${missing[*]}"
    echo "[test] (or set TRAINER_PYTHON to a Python with torch and pytest)"
    exit 1
  fi
fi
export TRAINER_PYTHON="$(python_with_torch)"

declare -A status
step() {
  local name="$1"; shift
  local start=$SECONDS
  echo "[test] ==> $name"
  if "$@"; then status[$name]="ok ($((SECONDS - start))s)"; else status[$name]="FAILED ($((SECONDS - start))s)"; fi
}

step typecheck npx tsc --noEmit -p .
step lint npx eslint --max-warnings 0 .
step vitest npx vitest run --reporter=default --reporter=junit --outputFile.junit="$OUT/vitest.xml"
step pytest bash -c "cd trainer && \"$TRAINER_PYTHON\" -m pytest -q -p no:cacheprovider --junitxml=../$OUT/pytest.xml tests"
step playwright env PLAYWRIGHT_JUNIT_OUTPUT_NAME="$OUT/playwright.xml" npx playwright test --reporter=list,junit

echo
echo "[test] summary:"
failed_steps=0
for name in typecheck lint vitest pytest playwright; do
  echo "  $name: ${status[$name]:-not run}"
  case "${status[$name]:-}" in ok*) ;; *) failed_steps=$((failed_steps + 1)) ;; esac
done
node scripts/test-summary.mjs "$OUT" "$failed_steps"
