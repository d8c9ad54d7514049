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

vitest_report="$work/vitest-report.json"
browser_report="$work/playwright-report.json"   # where playwright.config.ts writes it
rm -f "$vitest_report" "$browser_report"
# Arguments (a test file, -t NAME) narrow the vitest run, and then the browser specs are left out.
browser=1
[[ $# -gt 0 ]] && browser=0

# Both runners inside one Secret Service session: the browser specs' `quire serve` keeps the
# connections' secrets in it. Each runner's status is kept; either failing fails the run.
status=0
bash scripts/with-keyring.sh bash -c '
  vitest_report="$1" browser="$2"; shift 2
  vitest_status=0 browser_status=0
  npx --no-install vitest run --reporter=default --reporter=json --outputFile="$vitest_report" "$@" || vitest_status=$?
  if [[ "$browser" == 1 ]]; then
    echo "Browser specs (Playwright, Chromium against quire serve)..." >&2
    npx --no-install playwright test || browser_status=$?
  else
    echo "Browser specs left out: arguments narrow the run to vitest." >&2
  fi
  [[ $vitest_status -eq 0 && $browser_status -eq 0 ]]
' quire-tests "$vitest_report" "$browser" "$@" || status=$?

# One closing line in the plain "N passed, N failed" form that any CI reader understands, over
# both runners. A runner that wrote no report (it could not start) counts as one failure.
node_modules/node/bin/node -e '
  const fs = require("fs");
  const read = (path) => (fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) : null);
  const vitest = read(process.argv[1]);
  const browser = process.argv[3] === "1" ? read(process.argv[2]) : undefined;
  let passed = 0, failed = 0, skipped = 0;
  if (vitest) {
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests;
    skipped += vitest.numPendingTests + vitest.numTodoTests;
  } else failed += 1;
  if (browser) {
    passed += browser.stats.expected + browser.stats.flaky;
    failed += browser.stats.unexpected;
    skipped += browser.stats.skipped;
  } else if (browser === null) failed += 1;
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$vitest_report" "$browser_report" "$browser"
exit "$status"
