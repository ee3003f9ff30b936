#!/usr/bin/env bash
# Runs the trainer's Python tests. When no Python here can import torch and we are root on Debian/Ubuntu, installs
# Debian's python3-torch with OpenBLAS (the default reference BLAS is ~30x slower) and pytest; elsewhere prints how.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for py in "${TRAINER_PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 && "$py" -c "import torch, pytest" 2>/dev/null && { echo "$py"; return 0; }
  done
  return 1
}

if ! PY=$(pick_python); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "torch/pytest missing: installing python3-torch libopenblas0-pthread python3-pytest from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread python3-pytest >&2
    PY=/usr/bin/python3
  else
    echo "No Python with torch and pytest found. On Debian/Ubuntu (as root):" >&2
    echo "  apt-get install python3-torch libopenblas0-pthread python3-pytest" >&2
    echo "Elsewhere: pip install -r trainer/requirements.txt, or set TRAINER_PYTHON." >&2
    exit 1
  fi
fi
exec "$PY" -m pytest -q tests "$@"
