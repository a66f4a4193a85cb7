#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (tests/e2e).
# Playwright drives /usr/bin/chromium directly: never `playwright install`.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Chromium is missing: install it as root (apt-get install -y chromium)" >&2; exit 1; }
  SUDO="sudo"
fi
echo "Installing Debian's Chromium for the browser tests..."
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji
test -x "$CHROMIUM" || { echo "$CHROMIUM still missing after apt-get install" >&2; exit 1; }
"$CHROMIUM" --version
