#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the tests (Debian's postgresql package), print its URL.
# Usage: eval "$(scripts/postgres_for_tests.sh start)"   ...   scripts/postgres_for_tests.sh stop
set -euo pipefail
DIR=${PG_TEST_DIR:-/tmp/meldhulp-pg}
PORT=${PG_TEST_PORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
run() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }
case "${1:-start}" in
  start)
    rm -rf "$DIR" && mkdir -p "$DIR" && [ "$(id -u)" != 0 ] || chown postgres "$DIR"
    run "$BIN/initdb -D $DIR/data -U meldhulp --auth=trust -E UTF8 >/dev/null"
    run "$BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1' -l $DIR/log -w start >/dev/null"
    run "$BIN/createdb -h 127.0.0.1 -p $PORT -U meldhulp meldhulp_test"
    echo "export TEST_POSTGRES_URL=postgresql://meldhulp@127.0.0.1:$PORT/meldhulp_test"
    ;;
  stop)
    run "$BIN/pg_ctl -D $DIR/data -m fast stop >/dev/null" || true
    ;;
esac
