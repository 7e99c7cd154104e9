#!/usr/bin/env bash
# scripts/install into a temporary prefix, then the installed binaries run from another
# directory with the installed dictionaries; and scripts/run prints a client command that works
# from any directory. Usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1"
export LIAISE_BUILD_DIR="$2"
tmp="$(mktemp -d /tmp/liaise-install-test.XXXXXX)"
server_pid=""
cleanup() {
  # The server's own exit status (killed) is not the test's.
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Nothing from the environment may point the binaries at dictionaries or a profile.
unset LIAISE_DICTIONARIES
export HOME="$tmp/home" LIAISE_HOME="$tmp/home/liaise"
mkdir -p "$HOME" "$tmp/elsewhere"
# A PATH without the prefix, so the PATH advice must appear.
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

prefix="$tmp/prefix"
out="$("$src/scripts/install" --prefix "$prefix")" || fail "scripts/install failed: $out"
echo "$out"
[ -x "$prefix/bin/liaise" ] || fail "no $prefix/bin/liaise"
[ -x "$prefix/bin/liaise-server" ] || fail "no $prefix/bin/liaise-server"
[ -f "$prefix/share/liaise/dictionaries/general.tsv" ] || fail "dictionaries not installed"
grep -q "$prefix/bin is not on your PATH" <<<"$out" || fail "no PATH advice"
grep -qF "export PATH=\"$prefix/bin:" <<<"$out" || fail "PATH advice without the export line"

cd "$tmp/elsewhere"
version="$("$prefix/bin/liaise" --version)"
grep -q "^liaise [0-9]" <<<"$version" || fail "liaise --version said: $version"
"$prefix/bin/liaise-server" --help >/dev/null || fail "liaise-server --help failed"

# A term only the installed copy knows: found only if the binary reads the installed
# dictionaries (the build would otherwise fall back to the source tree's).
printf 'zorblatt\t\tplain word\tA made-up term that only the installed dictionary has.\tterm\t\n' \
  >>"$prefix/share/liaise/dictionaries/general.tsv"
set +e
check="$(echo "Please utilise the zorblatt today." | "$prefix/bin/liaise" check - 2>&1)"
rc=$?
set -e
echo "$check"
[ "$rc" -eq 1 ] || fail "liaise check exited $rc (expected 1: findings)"
grep -q "utilise (general) -> use" <<<"$check" || fail "shipped term not flagged"
grep -q "zorblatt (general) -> plain word" <<<"$check" || fail "installed dictionaries not used"

# With PATH now holding the prefix, the advice is not given.
out="$(PATH="$prefix/bin:$PATH" "$src/scripts/install" --prefix "$prefix")" || fail "re-install failed"
grep -q "not on your PATH" <<<"$out" && fail "PATH advice given although $prefix/bin is on PATH"

# scripts/run, from another directory: the enrolment command it prints runs from anywhere.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LIAISE_DATA="$tmp/data" "$src/scripts/run" --listen "127.0.0.1:$port" >"$tmp/run.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "enrol --server" "$tmp/run.out" && break
  sleep 0.1
done
line="$(grep "enrol --server" "$tmp/run.out")" || fail "scripts/run printed no enrol command: $(cat "$tmp/run.out")"
echo "$line"
client="$(awk '{print $1}' <<<"$line")"
# An absolute path, or the installed name when a liaise is on this PATH.
[[ "$client" == /* ]] || { [ "$client" = liaise ] && command -v liaise >/dev/null; } ||
  fail "scripts/run printed a client path that works only from one directory: $client"
grep -qF "ws://127.0.0.1:$port --code" <<<"$line" || fail "wrong server address in: $line"
cd "$tmp/elsewhere"
"$client" --version >/dev/null || fail "the printed client does not run from another directory"
echo "PASS"
exit 0
