#!/usr/bin/env bash
# Proves installers/windows/kiosk.nsi compiles, on Linux (apt-get install nsis), against a
# placeholder bundle: dummy kiosk.exe / kioskw.exe plus the real resources/ folder. The output
# installer is NOT usable (the .exe files are text); building the real one needs Windows
# (installers/windows/build.ps1), because PyInstaller cannot cross-compile.
#
#   installers/windows/compile-stub.sh   -> installers/build/windows/idv-kiosk-<v>-STUB-setup.exe
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/installers/build/windows"
py="${KIOSK_BUILD_PYTHON:-$root/installers/build/venv/bin/python}"
[ -x "$py" ] || py="$(command -v python3)"
command -v makensis >/dev/null || { echo "makensis missing: apt-get install nsis" >&2; exit 2; }
version="$(cd "$root" && "$py" -c 'import kiosk; print(kiosk.__version__)')"

stub="$out/stub/kiosk"
rm -rf "$out/stub"; mkdir -p "$stub/_internal"
printf 'placeholder, not a Windows program\r\n' > "$stub/kiosk.exe"
printf 'placeholder, not a Windows program\r\n' > "$stub/kioskw.exe"
cp -a "$root/resources" "$stub/_internal/resources"
"$py" "$root/installers/make_config.py" --platform windows --out "$out/kiosk.toml"
makensis -V2 -DVERSION="$version" -DDIST_DIR="$stub" -DCONFIG_TOML="$out/kiosk.toml" \
    -DOUT_FILE="$out/idv-kiosk-$version-STUB-setup.exe" "$here/kiosk.nsi"
ls -la "$out/idv-kiosk-$version-STUB-setup.exe"
