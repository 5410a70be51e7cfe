#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own browser download is not available here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: run 'apt-get install -y chromium' as root." >&2
  exit 1
fi
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
