#!/usr/bin/env bash
# Set up everything the kiosk needs on a Debian/Ubuntu machine, then run the demo or the tests.
#
#   bash scripts/bootstrap.sh demo [kiosk demo options]   # set up, then run the demo
#   bash scripts/bootstrap.sh test [pytest options]       # set up, then run the test suite
#
# Idempotent: a second run only checks. Installs Debian packages Qt needs when they are missing
# and we are root (otherwise prints the apt-get line to run), creates .venv with Python 3.11,
# and installs the project with its test extra. Nothing is downloaded at run time afterwards.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-}"
[ $# -gt 0 ] && shift
case "$mode" in
  demo|test|setup) ;;
  *) echo "usage: bash scripts/bootstrap.sh demo|test|setup [args...]" >&2; exit 2 ;;
esac

say() { printf '[bootstrap] %s\n' "$*" >&2; }

# --- Debian packages: the libraries Qt's xcb/offscreen plugins load (libgssapi-krb5-2: QtNetwork,
# for the single-instance lock, links it), and Python 3.11 with venv unless a Python 3.11 with
# venv is already there (pyenv, a PPA build). The test suite needs nothing more.
debs=(libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libxkbcommon0
      libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libgssapi-krb5-2)
has_py311() {
  for cand in python3.11 python3; do
    command -v "$cand" >/dev/null 2>&1 &&
      "$cand" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null &&
      return 0
  done
  return 1
}
has_py311 || debs+=(python3 python3-venv)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      say "missing Debian packages (run as root): apt-get install ${missing[*]}"
    fi
  fi
fi

# --- Python 3.11 virtual environment with the project and its test extra.
py=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    py="$(command -v "$cand")"; break
  fi
done
[ -n "$py" ] || { say "Python 3.11 is required"; exit 2; }

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $py"
  "$py" -m venv .venv
fi
stamp=".venv/.kiosk-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing Python packages (first run takes a minute)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
  echo "$want" > "$stamp"
fi

case "$mode" in
  setup) say "ready: .venv/bin/kiosk" ;;
  demo)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      say "no display: running the demo on autopilot, offscreen"
      export QT_QPA_PLATFORM=offscreen
      exec .venv/bin/kiosk demo --autopilot "$@"
    fi
    exec .venv/bin/kiosk demo "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    say "ruff"
    .venv/bin/ruff check kiosk tests tools
    say "pytest"
    exec .venv/bin/python -m pytest "$@"
    ;;
esac
