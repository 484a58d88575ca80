#!/usr/bin/env bash
# The browser check of the built site (run by the site module's `verify`; skip it with
# -Dsite.browser.skip=true). Needs Debian's chromium (installed here with apt-get when missing) and
# Node.js 18+ with npm (playwright-core, pinned in package-lock.json, drives the system Chromium).
set -euo pipefail
cd "$(dirname "$0")"
site_dir="${1:-target/site}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

fail() {
  echo "ERROR: $*" >&2
  echo "       To build the site without the browser check: -Dsite.browser.skip=true" >&2
  exit 1
}

if [ ! -x "$chromium" ]; then
  command -v apt-get >/dev/null 2>&1 \
    || fail "no Chromium at $chromium and no apt-get to install it: install Chromium and set CHROMIUM=/path/to/chromium"
  echo "check-site: $chromium is missing; installing Debian's chromium with apt-get"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo="sudo -n" \
      || fail "not root and no sudo: run apt-get install -y chromium as root"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y chromium || { $sudo apt-get update && $sudo apt-get install -y chromium; } \
    || fail "apt-get install -y chromium failed"
  [ -x "$chromium" ] || fail "apt-get installed chromium but $chromium does not exist: set CHROMIUM=/path/to/chromium"
fi

command -v node >/dev/null 2>&1 || fail "Node.js (18+) is needed for the browser check"
command -v npm >/dev/null 2>&1 || fail "npm is needed for the browser check"

# npm ci only when the lock file changed since the last install (it wipes node_modules otherwise).
stamp=node_modules/.awp-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
  cp package-lock.json "$stamp"
fi

CHROMIUM="$chromium" node check-site.mjs "$site_dir" "$site_dir/../screenshots"
