#!/usr/bin/env bash
# `npm run bench:ui`: the queue view with 10,000 uploads in Chromium (bench/ui/main.ts).
# Needs Debian's chromium (installed here when missing and we are root) and a current build of
# the renderer; no S3 server: the engine is never started, the events are the bench's own.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
chromium="${CHROMIUM_PATH:-/usr/lib/chromium/chromium}"
if [[ ! -x "$chromium" ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium..." >&2
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium >&2 || { apt-get update >&2 && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium >&2; }
  else
    echo "The UI bench needs Chromium at $chromium (Debian: apt-get install --no-install-recommends chromium), or CHROMIUM_PATH." >&2
    exit 1
  fi
fi
bash scripts/ensure-deps.sh
# The renderer is always rebuilt: ensure-deps looks only at whether the CLI is current.
npx --no-install electron-vite build --logLevel warn >&2
# The project's Node 24 (node_modules/node), whatever node is first on PATH.
npx --no-install tsx bench/ui/main.ts "$@" </dev/null
