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
slow_report="$work/vitest-slow-report.json"
browser_report="$work/playwright-report.json"   # where playwright.config.ts writes it
rm -f "$vitest_report" "$slow_report" "$browser_report"
# Arguments (a test file, -t NAME) narrow the vitest run, and then the browser specs are left out.
full=1
[[ $# -gt 0 ]] && full=0

# Everything inside one Secret Service session: the browser specs' `quire serve` keeps the
# connections' secrets in it. A full run works in two lanes: the fault tests (ten of their
# eleven minutes are an upload waiting, offline, for its endpoint: the machine is idle) beside
# the rest of vitest followed by the browser specs; each lane's tests still run one at a time.
# Each runner's status is kept; any failing fails the run.
status=0
bash scripts/with-keyring.sh bash -c '
  work="$1" vitest_report="$2" slow_report="$3" full="$4"; shift 4
  slow_status=0 vitest_status=0 browser_status=0
  if [[ "$full" == 1 ]]; then
    npx --no-install vitest run test/faults.test.ts --reporter=default --reporter=json --outputFile="$slow_report" >"$work/faults.log" 2>&1 &
    slow_pid=$!
    npx --no-install vitest run --exclude test/faults.test.ts --reporter=default --reporter=json --outputFile="$vitest_report" || vitest_status=$?
    echo "Browser specs (Playwright, Chromium against quire serve)..." >&2
    npx --no-install playwright test || browser_status=$?
    echo "Waiting for the fault tests (test/faults.test.ts)..." >&2
    wait "$slow_pid" || slow_status=$?
    cat "$work/faults.log"
  else
    npx --no-install vitest run --reporter=default --reporter=json --outputFile="$vitest_report" "$@" || vitest_status=$?
    echo "Browser specs left out: arguments narrow the run to vitest." >&2
  fi
  [[ $slow_status -eq 0 && $vitest_status -eq 0 && $browser_status -eq 0 ]]
' quire-tests "$work" "$vitest_report" "$slow_report" "$full" "$@" || status=$?

# One closing line in the plain "N passed, N failed" form that any CI reader understands, over
# every runner. A runner that wrote no report (it could not start) counts as one failure.
node_modules/node/bin/node -e '
  const fs = require("fs");
  const read = (path) => (fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) : null);
  const full = process.argv[4] === "1";
  let passed = 0, failed = 0, skipped = 0;
  for (const [path, expected] of [[process.argv[1], true], [process.argv[2], full]]) {
    if (!expected) continue;
    const vitest = read(path);
    if (!vitest) { failed += 1; continue; }
    passed += vitest.numPassedTests;
    failed += vitest.numFailedTests;
    skipped += vitest.numPendingTests + vitest.numTodoTests;
  }
  if (full) {
    const browser = read(process.argv[3]);
    if (browser) {
      passed += browser.stats.expected + browser.stats.flaky;
      failed += browser.stats.unexpected;
      skipped += browser.stats.skipped;
    } else failed += 1;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$vitest_report" "$slow_report" "$browser_report" "$full"
exit "$status"
