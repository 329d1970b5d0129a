#!/usr/bin/env bash
# Create .venv and install the project into it: torch (CPU build, pinned) first, then the package.
#   bash scripts/install.sh          # runtime
#   bash scripts/install.sh test     # plus test tools and the headless browser for report tests
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# Pin torch explicitly: an unpinned torch pulls a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m pip install -q -e ".[test,onnx]"
  bash scripts/install_chromium.sh || echo "chromium not installed: the browser test of the HTML report will be skipped"
else
  .venv/bin/python -m pip install -q -e ".[onnx]"
fi
# The shipped models' lists of the items they trained on (public benchmark items, which are read from ../shared/data
# and never committed): where that folder is beside the checkout, so that scores on them are warned of as in-sample.
if [ -d ../shared/data ]; then
  .venv/bin/python scripts/list_trained_items.py -q \
    || echo "the shipped models' trained-item lists were not built: evaluations on public sets are not checked"
fi
