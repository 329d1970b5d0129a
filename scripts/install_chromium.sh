#!/usr/bin/env bash
# Install Debian's headless-capable chromium for the HTML report browser test (tests/test_report_browser.py).
# Does nothing when /usr/bin/chromium exists; needs root (apt-get) otherwise, and says so when not root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and this is not root: run 'sudo apt-get install -y chromium' (the browser test is skipped meanwhile)" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and apt-get is not available: install chromium by hand (the browser test is skipped meanwhile)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
