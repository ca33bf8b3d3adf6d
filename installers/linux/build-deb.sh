#!/usr/bin/env bash
# Build the offline Linux package from a clean checkout:
#   installers/linux/build-deb.sh            -> installers/dist/idv-kiosk_<version>_amd64.deb
#   installers/linux/build-deb.sh --bundle-only   (steps 1-2: installers/dist/kiosk/ only)
#
# 1. a build venv (installers/build/venv, Python 3.11) with the project and PyInstaller
#    (the [build] extra; never the test extra: nothing test-only can leak into the bundle);
# 2. the PyInstaller one-folder bundle from installers/kiosk.spec -> installers/dist/kiosk/;
# 3. the package tree (/opt/kiosk, /usr/bin/kiosk, systemd user unit, desktop + autostart
#    entries, /etc/kiosk conffiles) and dpkg-deb --root-owner-group (no debhelper needed).
#
# Environment: KIOSK_PYTHON (a Python 3.11), KIOSK_BUILD_VENV, KIOSK_DEB_REVISION (default 1),
# KIOSK_SKIP_BUNDLE=1 (reuse installers/dist/kiosk), KIOSK_DEB_COMPRESS (xz|zstd|gzip, default xz),
# KIOSK_NO_CONSTRAINTS=1 (newest allowed versions instead of installers/constraints.txt).
# Needs: python3.11 + venv, binutils (PyInstaller), dpkg-deb. Network only for pip on first run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/installers/build"
dist="$root/installers/dist"
venv="${KIOSK_BUILD_VENV:-$build/venv}"
say() { printf '[build-deb] %s\n' "$*" >&2; }
cd "$root"

# --- 1. build venv ------------------------------------------------------------------------------
find_python() {
    for cand in "${KIOSK_PYTHON:-}" python3.11 "$HOME/.pyenv/versions/3.11"*/bin/python3.11 python3; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 &&
           "$cand" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$cand"; return 0
        fi
    done
    return 1
}
if [ ! -x "$venv/bin/python" ]; then
    py="$(find_python)" || { say "Python 3.11 with venv is required (set KIOSK_PYTHON)"; exit 2; }
    say "creating build venv $venv with $py"
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv "$venv"
fi
stamp="$venv/.kiosk-build-installed"
constraints=()
[ "${KIOSK_NO_CONSTRAINTS:-0}" = 1 ] || constraints=(-c installers/constraints.txt)
want="$(cat pyproject.toml installers/constraints.txt | sha256sum | cut -d' ' -f1)${constraints[*]:+c}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing the project and PyInstaller into the build venv"
    mkdir -p "$build"
    { "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip &&
      "$venv/bin/python" -m pip install -q --disable-pip-version-check "${constraints[@]}" -e ".[build]"; } > "$build/pip.log" 2>&1 ||
        { tail -20 "$build/pip.log" >&2; exit 1; }
    echo "$want" > "$stamp"
fi

version="$("$venv/bin/python" -c 'import kiosk; print(kiosk.__version__)')"
deb_version="${version}-${KIOSK_DEB_REVISION:-1}"

# --- 2. the bundle ----------------------------------------------------------------------------
if [ "${KIOSK_SKIP_BUNDLE:-0}" != 1 ] || [ ! -x "$dist/kiosk/kiosk" ]; then
    say "PyInstaller one-folder bundle (installers/kiosk.spec)"
    nice -n 10 "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$dist" --workpath "$build/pyi" installers/kiosk.spec 2>&1 |
        grep -v "Library not found" >&2 || true
    [ -x "$dist/kiosk/kiosk" ] || { say "PyInstaller did not produce $dist/kiosk/kiosk"; exit 1; }
fi
# the bundle must start before it is packaged
"$dist/kiosk/kiosk" --version >/dev/null
"$dist/kiosk/kiosk" doctor --json --no-network --cameras 0 >/dev/null || true
"$venv/bin/python" installers/make_config.py --platform linux --out "$build/linux/kiosk.toml"
if [ "${1:-}" = --bundle-only ]; then
    say "bundle $(du -sh "$dist/kiosk" | cut -f1): $dist/kiosk"
    exit 0
fi

# --- 3. package tree --------------------------------------------------------------------------
pkg="$build/deb/idv-kiosk"
rm -rf "$pkg"
mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/lib/idv-kiosk" "$pkg/usr/lib/systemd/user" \
    "$pkg/usr/share/applications" "$pkg/usr/share/idv-kiosk" "$pkg/usr/share/doc/idv-kiosk" \
    "$pkg/etc/kiosk" "$pkg/etc/default"
cp -a "$dist/kiosk" "$pkg/opt/kiosk"
chmod -R u+rwX,go+rX,go-w "$pkg/opt/kiosk"
ln -s /opt/kiosk/kiosk "$pkg/usr/bin/kiosk"
f="$here/files"
install -m 0755 "$f/kiosk-session" "$f/kiosk-supervise" "$pkg/usr/lib/idv-kiosk/"
install -m 0644 "$f/idv-kiosk.service" "$pkg/usr/lib/systemd/user/idv-kiosk.service"
install -m 0644 "$f/idv-kiosk.desktop" "$pkg/usr/share/applications/idv-kiosk.desktop"
install -m 0644 "$f/idv-kiosk-autostart.desktop" "$pkg/usr/share/idv-kiosk/idv-kiosk-autostart.desktop"
install -m 0644 "$build/linux/kiosk.toml" "$pkg/etc/kiosk/kiosk.toml"
install -m 0640 "$f/secrets.env" "$pkg/etc/kiosk/secrets.env"
install -m 0644 "$f/default" "$pkg/etc/default/idv-kiosk"
[ -f docs/installing.md ] && install -m 0644 docs/installing.md "$pkg/usr/share/doc/idv-kiosk/installing.md"
cat > "$pkg/usr/share/doc/idv-kiosk/copyright" <<COPY
idv-kiosk: proprietary. Third-party components inside /opt/kiosk/_internal keep their own
licences: CPython (PSF), Qt 6 / PySide6 (LGPLv3), OpenCV (Apache-2.0), NumPy (BSD),
cryptography (Apache-2.0/BSD), requests/urllib3 (Apache-2.0/MIT), certifi (MPL-2.0),
YuNet model (MIT, resources/models/LICENSE.*), WenQuanYi Micro Hei (Apache-2.0/GPLv3,
resources/fonts/LICENSE.*).
COPY
install -D -m 0644 "$here/debian/lintian-overrides" "$pkg/usr/share/lintian/overrides/idv-kiosk"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$pkg/DEBIAN/"
install -m 0644 "$here/debian/conffiles" "$pkg/DEBIAN/conffiles"

# The bundle carries Python, Qt, OpenCV and most libraries; these come from the system because
# they belong to the display stack (GL, xcb), need system data (fontconfig, xkb) or must match
# the GPU driver (the C++ runtime): the list scripts/bootstrap.sh installs + libc/libstdc++.
# glibc >= 2.36 (Debian 12, Ubuntu 24.04): the bundled libpython and libraries were built
# against it. installers/linux/check-bundle.sh shows what is linked from the system.
depends="libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libgl1, libegl1, libxcb1, libglib2.0-0, libfontconfig1, libfreetype6, libdbus-1-3, \
libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, \
libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1, libx11-xcb1"
recommends="libwayland-client0, libwayland-cursor0, libwayland-egl1"
installed_kb="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
sed -e "s/@VERSION@/$deb_version/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
    -e "s/@DEPENDS@/$depends/" -e "s/@RECOMMENDS@/$recommends/" \
    -e "s/@MAINTAINER@/${KIOSK_DEB_MAINTAINER:-Kiosk team <kiosk@example.invalid>}/" \
    "$here/debian/control.in" > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
    LC_ALL=C sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"

out="$dist/idv-kiosk_${deb_version}_amd64.deb"
say "dpkg-deb -> $out"
nice -n 10 dpkg-deb --root-owner-group -Z"${KIOSK_DEB_COMPRESS:-xz}" --build "$pkg" "$out" >/dev/null
say "bundle $(du -sh "$dist/kiosk" | cut -f1), package $(du -h "$out" | cut -f1)"
echo "$out"
