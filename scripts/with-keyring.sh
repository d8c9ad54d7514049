#!/usr/bin/env bash
# Runs a command inside a real, unlocked Secret Service (gnome-keyring) on a private D-Bus
# session, as the keychain tests need:   scripts/with-keyring.sh CMD ARGS...
# Everything lives in a temp folder removed on exit; the keyring daemon is stopped by its PID.
# DISPLAY is unset on purpose: with a display, a locked keyring waits for an unlock prompt and
# keychain calls hang instead of failing.
set -euo pipefail
[[ $# -gt 0 ]] || { echo "usage: $0 CMD ARGS..." >&2; exit 2; }

if [[ -z "${QUIRE_KEYRING_SESSION:-}" ]]; then
  export QUIRE_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

unset DISPLAY WAYLAND_DISPLAY
home="$(mktemp -d)"
export XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/runtime"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

keyring_pid=""
cleanup() {
  [[ -n "$keyring_pid" ]] && kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT

# In the foreground the daemon stays our child, so it is stopped by the PID we started; --unlock
# reads the new keyring's password from stdin.
printf 'quire-test-keyring' >"$home/password"
gnome-keyring-daemon --foreground --unlock --components=secrets <"$home/password" >"$home/keyring.log" 2>&1 &
keyring_pid=$!
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  kill -0 "$keyring_pid" 2>/dev/null || { echo "with-keyring: gnome-keyring-daemon exited:" >&2; cat "$home/keyring.log" >&2; exit 1; }
  sleep 0.1
done

status=0
"$@" || status=$?
exit "$status"
