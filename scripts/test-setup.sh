#!/usr/bin/env bash
# What `npm test` needs, made ready on a Debian machine (run as `pretest`, before the build):
#   PostgreSQL on 127.0.0.1:5432 (unless TEST_DATABASE_URL points elsewhere), started when down;
#   Redis on 127.0.0.1:6379 (unless REDIS_URL is set), started when down;
#   Debian's chromium at /usr/bin/chromium for the browser tests, installed when missing.
# When all three are there it costs two probes (well under a second) and prints nothing.
# Starting and installing need root (or sudo without a password); otherwise it says what to run.
set -euo pipefail

PG_PORT="${LIANXIN_TEST_PG_PORT:-5432}"
REDIS_PORT="${LIANXIN_TEST_REDIS_PORT:-6379}"
CHROMIUM="${LIANXIN_TEST_CHROMIUM:-/usr/bin/chromium}"

say() { echo "test set-up: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif have sudo && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  local what="$1"
  shift
  for _ in $(seq 1 60); do
    "$@" && return 0
    sleep 0.5
  done
  fail "$what did not come up within 30 s"
}

pg_up() {
  if have pg_isready; then pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; else port_open "$PG_PORT"; fi
}
redis_up() {
  if have redis-cli; then
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
  else
    port_open "$REDIS_PORT"
  fi
}

if [ -z "${TEST_DATABASE_URL:-}" ] && ! pg_up; then
  # The installed cluster that listens on that port (pg_lsclusters: version, name, port, …).
  cluster="$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }' || true)"
  [ -n "$cluster" ] ||
    fail "PostgreSQL is not running on 127.0.0.1:$PG_PORT and no cluster is installed for that port: apt-get install -y postgresql, or set TEST_DATABASE_URL"
  say "starting PostgreSQL $cluster"
  # shellcheck disable=SC2086 # "version name" are two arguments
  as_root pg_ctlcluster --skip-systemctl-redirect $cluster start ||
    fail "could not start PostgreSQL: run as root: pg_ctlcluster $cluster start"
  wait_for PostgreSQL pg_up
fi

if [ -z "${REDIS_URL:-}" ] && ! redis_up; then
  have redis-server ||
    fail "Redis is not running on 127.0.0.1:$REDIS_PORT and redis-server is not installed: apt-get install -y redis-server, or set REDIS_URL"
  say "starting Redis on 127.0.0.1:$REDIS_PORT (nothing kept on disk)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile "" >/dev/null
  wait_for Redis redis_up
fi

if [ ! -x "$CHROMIUM" ]; then
  say "installing Debian's chromium for the browser tests (once; about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  { as_root apt-get update -qq &&
    as_root apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium; } >"$log" 2>&1 || {
    tail -n 20 "$log" >&2
    fail "could not install chromium: run as root: apt-get update && apt-get install -y chromium"
  }
  rm -f "$log"
  [ -x "$CHROMIUM" ] || fail "apt-get installed chromium, but $CHROMIUM is not there"
  say "$("$CHROMIUM" --version 2>/dev/null)"
fi
