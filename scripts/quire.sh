#!/usr/bin/env bash
# `npm start`: sets the project up on first use (npm packages, a build), then
#   npm start               the desktop window, where Electron can start; where it cannot (no
#                           Electron binary, as on machines that cannot reach GitHub, or no
#                           display), says why in one line and serves the same app to a browser
#                           instead: `quire serve --open`, which prints the address to open.
#   npm start -- ARGS       the `quire` CLI with ARGS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/ensure-deps.sh"

if [[ $# -gt 0 ]]; then
  exec "$root/bin/quire" "$@"
fi

# Where the electron package finds its binary (node_modules/electron/index.js): the name in
# path.txt under dist/, or under ELECTRON_OVERRIDE_DIST_PATH. Asking the package itself would
# start a download from GitHub when the binary is missing, so it is looked up here instead.
electron="$root/node_modules/electron"
binary=""
if [[ -f "$electron/path.txt" ]]; then
  name="$(cat "$electron/path.txt")"
  binary="${ELECTRON_OVERRIDE_DIST_PATH:+$ELECTRON_OVERRIDE_DIST_PATH/$name}"
  binary="${binary:-$electron/dist/$name}"
fi

why=""
if [[ -z "$binary" || ! -x "$binary" ]]; then
  why="The desktop window needs Electron's binary, which could not be downloaded here"
elif [[ "$(uname -s)" == "Linux" && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  why="The desktop window needs a display, and this session has none (DISPLAY is not set)"
fi

if [[ -z "$why" ]]; then
  # The app directory: Electron runs package.json's "main", out/main/index.js.
  exec "$binary" "$root"
fi
echo "$why; serving the same app to your browser instead." >&2
exec "$root/bin/quire" serve --open
