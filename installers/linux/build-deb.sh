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
    # No pip or setuptools upgrade: the interpreter's own pip, and PIP_CONSTRAINT pins what pip's
    # isolated build environment fetches for the editable install (setuptools, wheel) too.
    if [ ${#constraints[@]} -gt 0 ]; then export PIP_CONSTRAINT="$root/installers/constraints.txt"; fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${constraints[@]}" -e ".[build]" \
        > "$build/pip.log" 2>&1 || { tail -20 "$build/pip.log" >&2; exit 1; }
    unset PIP_CONSTRAINT
    echo "$want" > "$stamp"
fi

version="$("$venv/bin/python" -c 'import kiosk; print(kiosk.__version__)')"
# Reproducible output: every timestamp (PyInstaller, dpkg-deb, file mtimes in the package) is the
# commit's time; two builds of one commit give a byte-identical .deb (test-deb-in-debootstrap.sh).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH="$(git -C "$root" log -1 --format=%ct 2>/dev/null || stat -c %Y pyproject.toml)"
fi
export SOURCE_DATE_EPOCH PYTHONHASHSEED=0 LC_ALL=C.UTF-8 TZ=UTC
umask 022
deb_version="${version}-${KIOSK_DEB_REVISION:-1}"

# --- 2. the bundle ----------------------------------------------------------------------------
if [ "${KIOSK_SKIP_BUNDLE:-0}" != 1 ] || [ ! -x "$dist/kiosk/kiosk" ]; then
    say "PyInstaller one-folder bundle (installers/kiosk.spec)"
    nice -n 10 "$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$dist" --workpath "$build/pyi" installers/kiosk.spec 2>&1 |
        grep -v "Library not found" >&2 || true
    [ -x "$dist/kiosk/kiosk" ] || { say "PyInstaller did not produce $dist/kiosk/kiosk"; exit 1; }
fi
# RUNPATHs pointing at the build machine (a local Python's lib folder, wheel build paths) are
# rewritten to stay inside the bundle; the check fails the build if any remain.
"$venv/bin/python" "$here/bundle_tools.py" runpath --fix "$dist/kiosk" >&2
# the bundle must start before it is packaged, and pass its own end-to-end self-test
"$dist/kiosk/kiosk" --version >/dev/null
"$dist/kiosk/kiosk" doctor --json --no-network --cameras 0 >/dev/null || true
QT_QPA_PLATFORM=offscreen "$dist/kiosk/kiosk" selftest >&2 || { say "the bundle fails kiosk selftest"; exit 1; }
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
install -m 0644 docs/installing.md docs/operator-guide.md "$pkg/usr/share/doc/idv-kiosk/"
# the software bill of materials: Python distributions (cyclonedx-py, filtered to what ships),
# CPython, the bootloader and every bundled shared library with its version and origin
"$venv/bin/cyclonedx-py" environment --of JSON --output-reproducible -o "$build/cyclonedx-env.json" \
    "$venv/bin/python" >/dev/null 2>&1 || { say "cyclonedx-py failed"; exit 1; }
"$venv/bin/python" "$here/bundle_tools.py" sbom "$dist/kiosk" --cyclonedx "$build/cyclonedx-env.json" \
    --version "$deb_version" --out "$pkg/usr/share/doc/idv-kiosk/sbom.cdx.json" >&2
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

# Depends: ONLY packages every stock desktop already has (Debian 12 GNOME, XFCE and KDE: the
# common set is installers/linux/stock-desktop-libs.txt, made by make-stock-root.sh; Ubuntu
# 24.04's t64 libraries Provide these names on amd64), so `dpkg -i` works offline on a branch PC.
# Whatever the bundle links that a stock desktop lacks is bundled instead (kiosk.spec
# FROM_BUILD_SYSTEM: libxcb-cursor, -icccm, -image, -keysyms, -render-util). The list must cover
# every soname the bundle's ELF files need from the system (bundle_tools.py depends checks both
# ways and fails the build). glibc >= 2.36: the bundled libpython was built against it.
# libssl3 is Debian's TLS for Python's _ssl and _hashlib (kiosk.spec SYSTEM_ONLY). The rest of
# the X/xcb/xkb/dbus/glib stack is bundled (as collected by PyInstaller from the build machine).
depends="libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libgl1, libegl1, libxcb1, libfontconfig1, \
libfreetype6, libssl3"
recommends="libwayland-client0, libwayland-cursor0, libwayland-egl1"
"$venv/bin/python" "$here/bundle_tools.py" depends "$dist/kiosk" --depends "$depends, $recommends" \
    --stock "$here/stock-desktop-libs.txt" >&2 || { say "Depends: does not match the bundle (see above)"; exit 1; }
# Installed-Size from the files' apparent sizes (KiB, rounded up per file, 1 per folder, as
# dpkg-gencontrol counts), not `du`: the blocks a folder takes depend on the build's file-system
# history and made two builds of one commit differ
installed_kb="$(cd "$pkg" && find . -path ./DEBIAN -prune -o -printf '%y %s\n' |
    awk '{ kb += ($1 == "d") ? 1 : int(($2 + 1023) / 1024) } END { print kb }')"
sed -e "s/@VERSION@/$deb_version/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
    -e "s/@DEPENDS@/$depends/" -e "s/@RECOMMENDS@/$recommends/" \
    -e "s/@MAINTAINER@/${KIOSK_DEB_MAINTAINER:-Kiosk team <kiosk@example.invalid>}/" \
    "$here/debian/control.in" > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
    LC_ALL=C sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
# reproducible: every file's mtime clamped to SOURCE_DATE_EPOCH (dpkg-deb sorts the members and
# uses SOURCE_DATE_EPOCH for the ar and control timestamps)
find "$pkg" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"

out="$dist/idv-kiosk_${deb_version}_amd64.deb"
say "dpkg-deb -> $out"
nice -n 10 dpkg-deb --root-owner-group -Z"${KIOSK_DEB_COMPRESS:-xz}" --build "$pkg" "$out" >/dev/null
say "bundle $(du -sh "$dist/kiosk" | cut -f1), package $(du -h "$out" | cut -f1)"
echo "$out"
