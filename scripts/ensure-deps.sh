#!/usr/bin/env bash
# Installs the npm dependencies when package-lock.json changed since the last install, and builds
# the app when a source file is newer than the build. Idempotent and quiet when nothing changed,
# so `npm start` and `npm test` can call it every time on a fresh clone or a warm one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp=node_modules/.quire-lock-stamp
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  echo "Installing npm dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi

if [[ ! -f out/main/cli.js ]] || [[ -n "$(find src resources electron.vite.config.ts package.json -newer out/main/cli.js -print -quit)" ]]; then
  echo "Building..." >&2
  npx --no-install electron-vite build --logLevel warn >&2
fi
