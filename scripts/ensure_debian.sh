#!/usr/bin/env bash
# Install the Debian packages the tests and the production start need, when they are missing:
#   scripts/ensure_debian.sh chromium   Debian's Chromium for the browser tests (tests/e2e);
#                                       Playwright drives /usr/bin/chromium: never `playwright install`
#   scripts/ensure_debian.sh nginx      Debian's nginx, the reverse proxy (deploy/nginx/)
set -euo pipefail
missing=()
for name in "$@"; do
  case "$name" in
    chromium) command -v /usr/bin/chromium >/dev/null || missing+=(chromium fonts-liberation fonts-noto-color-emoji) ;;
    nginx) command -v /usr/sbin/nginx >/dev/null || missing+=(nginx) ;;
    *) echo "unknown package set: $name" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Missing: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "Installing Debian packages: ${missing[*]}"
# nginx's package starts a server on port 80 when installed: Debian's policy-rc.d hook stops that,
# our own configuration (var/nginx/) is started by scripts/run.sh or the tests.
policy=/usr/sbin/policy-rc.d
made_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && made_policy=true
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
if $made_policy; then $SUDO rm -f "$policy"; fi
for name in "$@"; do
  case "$name" in
    chromium) /usr/bin/chromium --version ;;
    nginx) /usr/sbin/nginx -v ;;
  esac
done
