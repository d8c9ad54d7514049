#!/usr/bin/env bash
# A real S3 server for the tests: a single-node Ceph cluster (one monitor, one OSD on a sparse
# file) and a RADOS Gateway on 127.0.0.1 — the same server software DigitalOcean Spaces runs.
#
#   scripts/s3-server.sh up DIR      start (or check) the server whose files live in DIR
#   scripts/s3-server.sh env DIR     print the QUIRE_S3_* variables the tests read
#   scripts/s3-server.sh status DIR  exit 0 when it answers
#   scripts/s3-server.sh down DIR    stop the daemons recorded in DIR and remove DIR
#
# Everything lives in DIR (config, keys, logs, PIDs, data); nothing touches /etc/ceph or systemd.
# Daemons are started with setsid and stopped by their recorded PIDs only, never by name.
# Ports: QUIRE_S3_PORT (default 7480) for S3, QUIRE_CEPH_MON_PORT (default 3301) for the monitor.
set -euo pipefail

action="${1:-}"
dir="${2:-}"
[[ -n "$action" && -n "$dir" ]] || { echo "usage: $0 up|env|status|down DIR" >&2; exit 2; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
s3_port="${QUIRE_S3_PORT:-7480}"
mon_port="${QUIRE_CEPH_MON_PORT:-3301}"
conf="$dir/ceph.conf"
run="$dir/run"
# Fixed, obviously fake test keys: the server only listens on loopback and lives for one test run.
access_key="QUIRETESTACCESSKEY01"
secret_key="quire-test-secret-key-not-a-real-one-0000"
# A second user that may not touch the first user's buckets (AccessDenied tests).
other_access_key="QUIRETESTOTHERUSER01"
other_secret_key="quire-test-other-secret-not-a-real-one-00"
region="nyc3"

ceph_cmd() { ceph -c "$conf" --connect-timeout 10 "$@"; }

answers() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$s3_port/"; }

pids_alive() {
  local f
  for f in mon osd rgw; do
    [[ -f "$run/$f.pid" ]] && kill -0 "$(cat "$run/$f.pid")" 2>/dev/null || return 1
  done
}

# Waits up to $1 seconds for command "$2..." to succeed; on timeout prints the log tail of $log.
wait_for() {
  local seconds="$1" what="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "s3-server: timed out after ${seconds}s waiting for $what; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

start_daemon() { # name, command...
  local name="$1"
  shift
  setsid "$@" >"$dir/log/$name.out" 2>&1 < /dev/null &
  echo $! >"$run/$name.pid"
}

down() {
  local f pid
  for f in rgw osd mon; do
    [[ -f "$run/$f.pid" ]] || continue
    pid="$(cat "$run/$f.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

up() {
  if pids_alive && answers; then return 0; fi
  # A stale folder (a crashed run, a rebooted machine): start clean.
  down
  mkdir -p "$dir" "$run" "$dir/log" "$dir/mon" "$dir/osd"
  local fsid
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$mon_port]
ms_bind_msgr1 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
keyring = $dir/\$cluster.\$name.keyring
log_file = $dir/log/\$name.log
run_dir = $run
admin_socket = $run/\$name.asok
pid_file = $run/\$name.daemon.pid
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_warn_on_pool_no_redundancy = false
paxos_propose_interval = 0.1
mon_memory_autotune = false
osd_scrub_min_interval = 31536000
osd_scrub_max_interval = 31536000
osd_deep_scrub_interval = 31536000
mon_data = $dir/mon/\$cluster-\$id
osd_data = $dir/osd/\$cluster-\$id
[osd]
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = 21474836480
bluestore_cache_autotune = false
bluestore_cache_size = 67108864
osd_memory_target = 536870912
[client.rgw.quire]
rgw_frontends = beast endpoint=127.0.0.1:$s3_port
rgw_thread_pool_size = 32
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
rgw_dns_name = 127.0.0.1
log_file = $dir/log/rgw.log
CONF

  # Monitor: its own key, the admin key, a one-monitor map.
  ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$dir/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring" >/dev/null 2>&1
  start_daemon mon ceph-mon -c "$conf" -f -i a
  wait_for 60 "the monitor" "$dir/log/mon.a.log" ceph_cmd mon stat

  # One OSD on a sparse 20 GiB file.
  local osd_uuid osd_secret
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd_secret="$(ceph-authtool --gen-print-key)"
  echo "{\"cephx_secret\": \"$osd_secret\"}" >"$dir/osd-secrets.json"
  ceph_cmd osd new "$osd_uuid" -i "$dir/osd-secrets.json" >/dev/null
  mkdir -p "$dir/osd/ceph-0"
  ceph-authtool --create-keyring "$dir/osd/ceph-0/keyring" --name osd.0 --add-key "$osd_secret" >/dev/null
  cp "$dir/osd/ceph-0/keyring" "$dir/ceph.osd.0.keyring"
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
  start_daemon osd ceph-osd -c "$conf" -f -i 0
  wait_for 90 "osd.0 to come up" "$dir/log/osd.0.log" bash -c "ceph -c '$conf' --connect-timeout 10 osd dump | grep -q '^osd.0 up'"

  # The gateway's own key.
  ceph_cmd auth get-or-create client.rgw.quire mon 'allow rw' osd 'allow rwx' >"$dir/ceph.client.rgw.quire.keyring"
  # radosgw-admin creates the default zone and zonegroup on its first call (the user creation);
  # then the zonegroup's API name is set to the region clients sign with, before radosgw starts,
  # or CreateBucket's LocationConstraint is refused.
  radosgw-admin -c "$conf" user create --uid=quire-test --display-name="Quire tests" \
    --access-key="$access_key" --secret-key="$secret_key" >/dev/null
  radosgw-admin -c "$conf" user create --uid=quire-other --display-name="Another account" \
    --access-key="$other_access_key" --secret-key="$other_secret_key" >/dev/null
  # The test user may read bucket statistics (the admin API's GET /admin/bucket?stats), as a
  # Ceph operator can grant theirs: a usage scan then takes its totals from them. The other
  # account may not, as on Spaces, and scans by listing.
  radosgw-admin -c "$conf" caps add --uid=quire-test --caps="buckets=read" >/dev/null
  radosgw-admin -c "$conf" zonegroup modify --rgw-zonegroup=default --api-name="$region" >/dev/null
  start_daemon rgw radosgw -c "$conf" -f -n client.rgw.quire
  wait_for 60 "radosgw on port $s3_port" "$dir/log/rgw.log" answers
}

case "$action" in
  up)
    started=$SECONDS
    up
    echo "s3-server: radosgw answers on http://127.0.0.1:$s3_port ($((SECONDS - started))s)" >&2
    ;;
  env)
    cat <<ENV
export QUIRE_S3_ENDPOINT=http://127.0.0.1:$s3_port
export QUIRE_S3_REGION=$region
export QUIRE_S3_ACCESS_KEY_ID=$access_key
export QUIRE_S3_SECRET_ACCESS_KEY=$secret_key
export QUIRE_S3_OTHER_ACCESS_KEY_ID=$other_access_key
export QUIRE_S3_OTHER_SECRET_ACCESS_KEY=$other_secret_key
ENV
    ;;
  status) pids_alive && answers ;;
  down) down ;;
  *) echo "usage: $0 up|env|status|down DIR" >&2; exit 2 ;;
esac
