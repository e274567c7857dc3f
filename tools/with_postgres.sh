#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server (make test runs the web tests on it):
# a cluster in a temporary folder, listening only on a Unix socket there, started before the
# command and stopped (and removed) after it whatever happens. DATABASE_URL points at it.
# Needs PostgreSQL's server binaries (Debian: postgresql; make web-system-packages installs them).
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BIN/initdb" ] || { echo "PostgreSQL không có (apt-get install postgresql)" >&2; exit 2; }
DIR=$(mktemp -d /tmp/cchc-pg.XXXXXX)
AS=()
if [ "$(id -u)" = 0 ]; then  # the server refuses to run as root: run it as postgres
  chown postgres "$DIR"; AS=(runuser -u postgres --)
fi
cleanup() { "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U cchc --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/log" \
  -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -c fsync=off -c full_page_writes=off" start >/dev/null
"${AS[@]}" "$BIN/createdb" -h "$DIR" -U cchc cchc
export DATABASE_URL="postgres://cchc@/cchc?host=$DIR"
"$@"
