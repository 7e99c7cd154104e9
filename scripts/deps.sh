# Sourced by scripts/test and scripts/run: installs the Debian packages Liaise needs when any is
# missing. Needs root (or sudo) the first time on a fresh machine; a no-op afterwards.
LIAISE_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsqlitecpp-dev libsqlite3-dev libsodium-dev libicu-dev libssl-dev
  sqlite3  # the browser continuity test changes a stopped server's database as an attacker would
  catch2 libcli11-dev libtomlplusplus-dev libspdlog-dev libbenchmark-dev
  libncurses-dev tmux python3-websockets python3-nacl openssl libqrencode-dev libzxcvbn-dev
  emscripten chromium
  tzdata  # zones named in TZ (Europe/London, Asia/Tokyo in the tests)
  python3-aiosmtpd  # the SMTP server the mail tests send to
  postgresql libpq-dev  # the PostgreSQL store (several nodes) and its throwaway test clusters
)

liaise_install_deps() {
  local missing=()
  local p
  for p in "${LIAISE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# The browser client (web/) is built with Node.js 20 or later and the npm packages pinned in
# web/package-lock.json. Debian 12's own nodejs is 18, too old: this checks the version and
# says what to do, then runs `npm ci` when web/node_modules is missing or older than the lock.
# Without a suitable node, Liaise is built without the web client (CMake says so).
liaise_web_deps() {
  local root="$1"
  local web="$root/web"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Note: Node.js 20 or later is not installed, so liaise-server is built without the" >&2
    echo "browser client and its tests. Install Node.js 20 (for example from NodeSource:" >&2
    echo "https://github.com/nodesource/distributions), then run this script again." >&2
    return 0
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    echo "Note: node is version $(node --version); the browser client needs Node.js 20 or later" >&2
    echo "(Debian 12's nodejs package is 18). Install Node.js 20, e.g. from NodeSource" >&2
    echo "(https://github.com/nodesource/distributions); until then liaise-server is built" >&2
    echo "without the browser client." >&2
    return 0
  fi
  if [ ! -f "$web/node_modules/.package-lock.json" ] ||
    [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    echo "Installing the browser client's npm packages (npm ci in web/)"
    # --ignore-scripts: no package runs code at install; esbuild's binary comes as a package.
    (cd "$web" && npm ci --ignore-scripts --no-audit --no-fund)
  fi
}

# Where scripts build: $LIAISE_BUILD_DIR if set (e.g. a ctest build tree), else ROOT/build.
liaise_build_dir() {
  echo "${LIAISE_BUILD_DIR:-$1/build}"
}

# Configures (once) and builds into liaise_build_dir with Ninja: every target, or those named.
# An already configured tree is not configured again (Ninja re-runs CMake itself when a
# CMakeLists.txt changes), so a ctest tree keeps its own options.
liaise_build() {
  local root="$1"
  shift
  local build
  build="$(liaise_build_dir "$root")"
  [ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build "$build" -j "$(nproc)" --target "$@"
  else
    cmake --build "$build" -j "$(nproc)"
  fi
}
