#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and local trials: no systemd, nothing outside DIR.
#   throwaway.sh start DIR   initdb (no fsync of the new files) + pg_ctl start on a free loopback
#                            port, unix socket in DIR; prints the connection URL
#                            (postgresql://postgres@127.0.0.1:PORT/postgres) on stdout
#   throwaway.sh stop DIR    pg_ctl stop -m immediate, then removes DIR
# PostgreSQL refuses to run as root, so as root (CI) the cluster runs as the `postgres` system
# user, which Debian's postgresql package creates (this script creates it if it is missing);
# anyone else runs it as themselves. Authentication is `trust`, and the server listens on
# 127.0.0.1 and DIR only: for tests, never for data that matters.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "PostgreSQL 15 is not installed ($bin/initdb is missing): scripts/test installs it" \
       "(package postgresql), or run: apt-get install postgresql libpq-dev" >&2
  exit 3
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  # Another test may take the port between choosing it and binding it: try a few.
  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    as_owner tee "$dir/data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 60
fsync = on
synchronous_commit = on
EOF
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 20 start \
         >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  echo "PostgreSQL did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    # Immediate: no shutdown checkpoint (seconds of fsync after a test run) for a cluster whose
    # files are removed next anyway.
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
