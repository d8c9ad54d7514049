#!/usr/bin/env bash
# `npm start -- ARGS`: sets the project up on first use, then runs the `quire` CLI with ARGS.
# (The desktop app needs Electron's own binary, which `npm run app` starts on a desktop machine.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/ensure-deps.sh"
exec "$root/bin/quire" "$@"
