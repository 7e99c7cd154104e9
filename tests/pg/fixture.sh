#!/usr/bin/env bash
# The ctest fixture around throwaway.sh: one PostgreSQL cluster for all the PostgreSQL tests of a
# ctest run (each test makes its own database in it).
#   fixture.sh start STATE   starts a cluster in a new temporary directory; writes the directory
#                            to STATE.dir and the connection URL to STATE.url
#   fixture.sh stop STATE    stops it and removes the directory and STATE.*
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="$2"
case "$1" in
start)
  [ -f "$state.dir" ] && "$here/throwaway.sh" stop "$(cat "$state.dir")" || true
  dir="$(mktemp -d /tmp/liaise-pg.XXXXXX)"
  echo "$dir" >"$state.dir"
  "$here/throwaway.sh" start "$dir" >"$state.url"
  echo "PostgreSQL for the tests: $(cat "$state.url")"
  ;;
stop)
  [ -f "$state.dir" ] && "$here/throwaway.sh" stop "$(cat "$state.dir")"
  rm -f "$state.dir" "$state.url"
  ;;
esac
