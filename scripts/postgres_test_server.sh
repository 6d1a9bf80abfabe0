#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (the shared catalogue's real peer):
#
#   bash scripts/postgres_test_server.sh start    prints "URL FOLDER": initdb into a new temporary
#                                                 folder, a free port on 127.0.0.1, user and
#                                                 database "aula", trust for local connections only
#   bash scripts/postgres_test_server.sh stop FOLDER
#   bash scripts/postgres_test_server.sh pause FOLDER     stops the server, keeping its data (an outage)
#   bash scripts/postgres_test_server.sh resume FOLDER    starts it again on the same port
#
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user that Debian's
# package creates. scripts/setup.sh installs the package (AULA_WITH_TEST_PEERS=1).
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; fi
AS=()
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); fi
case "${1:-start}" in
  start)
    DIR=$(mktemp -d /tmp/aula-pg.XXXXXX)
    chmod 755 "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
    "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U aula --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    # A free port: the kernel picks one, and the server takes it at once (a retry covers the
    # rare case of another process taking it in between).
    for attempt in 1 2 3 4 5; do
      PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 \
           -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null 2>&1; then
        break
      fi
      PORT=""
    done
    if [ -z "$PORT" ]; then cat "$DIR/server.log" >&2; exit 1; fi
    echo "$PORT" >"$DIR/port"
    "${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U aula aula
    echo "postgres://aula@127.0.0.1:$PORT/aula?sslmode=disable $DIR"
    ;;
  stop)
    DIR="${2:?stop needs the folder that start printed}"
    case "$DIR" in /tmp/aula-pg.*) ;; *) echo "not a test server folder: $DIR" >&2; exit 1 ;; esac
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  pause)
    DIR="${2:?pause needs the folder that start printed}"
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
    ;;
  resume)
    DIR="${2:?resume needs the folder that start printed}"
    PORT=$(cat "$DIR/port")
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400" start >/dev/null
    ;;
  *) echo "usage: $0 start | stop FOLDER | pause FOLDER | resume FOLDER" >&2; exit 2 ;;
esac
