# Sourced by scripts/test and scripts/run: installs the Debian packages Liaise needs when any is
# missing. Needs root (or sudo) the first time on a fresh machine; a no-op afterwards.
LIAISE_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsqlitecpp-dev libsqlite3-dev libsodium-dev libicu-dev libssl-dev
  catch2 libcli11-dev libtomlplusplus-dev libspdlog-dev libbenchmark-dev
  libncurses-dev tmux python3-websockets python3-nacl openssl libqrencode-dev libzxcvbn-dev
  tzdata  # zones named in TZ (Europe/London, Asia/Tokyo in the tests)
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
