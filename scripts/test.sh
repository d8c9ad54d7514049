#!/usr/bin/env bash
# `npm test`: everything the suite needs, from a fresh clone on a fresh Debian machine:
# Debian packages, npm packages and a build, a real Ceph radosgw on loopback, a real Secret
# Service session; then every test; then it stops what it started (a trap, by recorded PID).
# QUIRE_S3_ENDPOINT (+ QUIRE_S3_ACCESS_KEY_ID, QUIRE_S3_SECRET_ACCESS_KEY, QUIRE_S3_REGION) points
# the suite at another S3 server instead (MinIO, a Spaces bucket) on machines without Ceph.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "$(uname -s)" == "Linux" ]] && command -v apt-get >/dev/null; then
  bash scripts/install-system-deps.sh
fi
bash scripts/ensure-deps.sh
# The layers' compiler checks first: a type error fails in seconds, before any server starts.
npm run --silent typecheck

work="$root/.quire-test"
mkdir -p "$work"
export QUIRE_TEST_TMP="$work/tmp"
rm -rf "$QUIRE_TEST_TMP" && mkdir -p "$QUIRE_TEST_TMP"

if [[ -z "${QUIRE_S3_ENDPOINT:-}" ]]; then
  s3dir="$work/s3"
  trap 'bash "$root/scripts/s3-server.sh" down "$s3dir" >/dev/null 2>&1 || true' EXIT
  bash scripts/s3-server.sh up "$s3dir"
  eval "$(bash scripts/s3-server.sh env "$s3dir")"
  export QUIRE_S3_ENDPOINT QUIRE_S3_REGION QUIRE_S3_ACCESS_KEY_ID QUIRE_S3_SECRET_ACCESS_KEY QUIRE_S3_OTHER_ACCESS_KEY_ID QUIRE_S3_OTHER_SECRET_ACCESS_KEY
fi

report="$work/vitest-report.json"
rm -f "$report"
status=0
bash scripts/with-keyring.sh npx --no-install vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?

# One closing line in the plain "N passed, N failed" form that any CI reader understands.
if [[ -f "$report" ]]; then
  node_modules/node/bin/node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$report"
fi
exit "$status"
