#!/usr/bin/env bash
# `npm run bench`: everything the benchmark needs, from a fresh clone on a fresh Debian machine,
# then the benchmark itself (bench/main.ts), then it stops what it started.
#   - Debian packages: the Ceph server (scripts/install-system-deps.sh), the rival clients
#     rclone, awscli (v2, /usr/bin/aws), libvips-tools (vipsthumbnail, the images' rival) and
#     time (GNU time measures RSS and CPU);
#   - npm packages and a build (scripts/ensure-deps.sh), so bin/quire is current;
#   - its OWN radosgw, on ports other than the tests' (7480/3301), so a test run can go on beside
#     it; stopped by a trap, by the PIDs recorded in its own folder (BENCH_S3_PORT,
#     BENCH_CEPH_MON_PORT and BENCH_WORK move it, to run beside another bench); BENCH_ONLY=images
#     (or analytics) needs no server, so none is started (nor the Ceph packages checked); BENCH_KEEP_S3=1
#     leaves it running, so the next bench reuses it and what it holds (the usage scan's buckets).
# Non-interactive (CI=true, no stdin). Arguments are passed to bench/main.ts (`npm run bench -- --help`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CI=true DEBIAN_FRONTEND=noninteractive

only=",${BENCH_ONLY:-},"
only="${only// /}"
# The images and the analytics are the scenarios without S3: alone, they need neither radosgw nor its packages.
needs_s3=true
if [[ -n "${BENCH_ONLY:-}" && -z "$(tr ',' '\n' <<<"$only" | grep -vx -e images -e analytics -e '')" ]]; then needs_s3=false; fi
if [[ "$(uname -s)" == "Linux" ]] && command -v apt-get >/dev/null; then
  if $needs_s3; then bash scripts/install-system-deps.sh </dev/null; fi
  # The rivals are needed only to compare the tools, for the watch folder and the usage scan:
  # BENCH_ONLY=storm (or cap, or images) goes without them; vipsthumbnail only for the images.
  packages=(time)
  if [[ -z "${BENCH_ONLY:-}" || "$only" == *",tools,"* || "$only" == *",watch,"* || "$only" == *",usage,"* ]]; then packages+=(rclone awscli); fi
  if [[ -z "${BENCH_ONLY:-}" || "$only" == *",images,"* ]]; then packages+=(libvips-tools); fi
  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
      echo "The bench needs these Debian packages: ${missing[*]}. Install them (as root): apt-get install --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq </dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
fi
bash scripts/ensure-deps.sh </dev/null

# BENCH_WORK moves the bench's files and its server's (e.g. to run beside another bench in this clone).
work="${BENCH_WORK:-$root/bench/.work}"
s3dir="$work/s3"
mkdir -p "$work"
export BENCH_WORK="$work"
if $needs_s3; then
  export QUIRE_S3_PORT="${BENCH_S3_PORT:-7490}" QUIRE_CEPH_MON_PORT="${BENCH_CEPH_MON_PORT:-3311}"
  # BENCH_KEEP_S3=1 leaves the server (and what the bench stored in it: the usage scan's 110,000
  # objects) running for the next bench, which finds it answering and reuses it; stop it with
  # `bash scripts/s3-server.sh down bench/.work/s3`.
  if [[ "${BENCH_KEEP_S3:-0}" == 1 ]]; then
    trap 'echo "bench: the S3 server stays up (BENCH_KEEP_S3=1); stop it with: bash scripts/s3-server.sh down $s3dir" >&2' EXIT
  else
    trap 'bash "$root/scripts/s3-server.sh" down "$s3dir" >/dev/null 2>&1 || true' EXIT
  fi
  # An interrupt still goes through the EXIT trap, so the server never outlives the bench (unless kept).
  trap 'exit 130' INT TERM HUP
  bash scripts/s3-server.sh up "$s3dir" </dev/null
  eval "$(bash scripts/s3-server.sh env "$s3dir")"
  export QUIRE_S3_ENDPOINT QUIRE_S3_REGION QUIRE_S3_ACCESS_KEY_ID QUIRE_S3_SECRET_ACCESS_KEY
  export BENCH_S3_DIR="$s3dir"
fi
# The project's Node 24 (node_modules/node), whatever node is first on PATH.
export PATH="$root/node_modules/.bin:$PATH"
npx --no-install tsx bench/main.ts "$@" </dev/null
