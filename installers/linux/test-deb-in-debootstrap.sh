#!/usr/bin/env bash
# End-to-end test of the offline .deb on a clean Debian 12 (bookworm) root, as root:
#
#   installers/linux/test-deb-in-debootstrap.sh [PATH.deb]
#
# 1. builds the .deb (installers/linux/build-deb.sh) unless a path is given or KIOSK_SKIP_BUILD=1;
# 2. creates a minimal bookworm root with debootstrap (this step downloads Debian packages: it
#    makes the *machine*), cached in installers/build/debootstrap/base.tar (delete it to refresh);
#    the root has the package's Depends: preinstalled, as a Debian desktop would;
# 3. copies the base into a throw-away root and, in new network + mount + PID namespaces with
#    only a loopback interface (no route anywhere: `unshare --net`), chroots into it and:
#    dpkg -i the package (no apt, no network), checks the user, permissions and autostart,
#    runs `kiosk --help` (timed), `kiosk doctor --json` (as root and as the kiosk user),
#    `kiosk precheck`, `QT_QPA_PLATFORM=offscreen kiosk demo --autopilot --sessions 1` (as the
#    kiosk user), the heartbeat supervisor, `systemd-analyze verify` of the user unit, a reinstall
#    and an upgrade to a higher version keeping edited conffiles, remove and purge.
#
# Output: a log per step in installers/build/debootstrap/logs/ and a summary on stdout.
# Environment: KIOSK_DEBIAN_MIRROR (default http://deb.debian.org/debian), KIOSK_SKIP_BUILD=1,
# KIOSK_KEEP_ROOT=1 (leave the throw-away root for inspection).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$repo/installers/build/debootstrap"
base_tar="$work/base.tar"
troot="$work/root"
logs="$work/logs"
mirror="${KIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { printf '[test-deb] %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "run as root (debootstrap, chroot, namespaces)"; exit 2; }
for tool in debootstrap unshare chroot ip dpkg-deb; do
    command -v "$tool" >/dev/null || { say "missing $tool (apt-get install debootstrap iproute2 util-linux)"; exit 2; }
done
mkdir -p "$work" "$logs"

# --- 1. the package ---------------------------------------------------------------------------
deb="${1:-}"
if [ -z "$deb" ]; then
    if [ "${KIOSK_SKIP_BUILD:-0}" = 1 ]; then
        deb="$(ls -t "$repo"/installers/dist/idv-kiosk_*_amd64.deb | head -1)"
    else
        deb="$("$here/build-deb.sh" | tail -1)"
    fi
fi
[ -f "$deb" ] || { say "no package: $deb"; exit 2; }
deb="$(readlink -f "$deb")"
say "package: $deb ($(du -h "$deb" | cut -f1))"

# --- 2. the clean bookworm root (cached) ---------------------------------------------------------
# Depends: of the package (read from it, so the list cannot drift) + adduser (Pre-Depends) + procps.
depends="$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/[|].*//; s/ //g')"
# systemd only so that `systemd-analyze verify` can check the user unit inside the root (it is
# not running there: a chroot has no init)
include="adduser,procps,systemd,$depends"
if [ ! -f "$base_tar" ] || [ "$(cat "$base_tar.include" 2>/dev/null)" != "$include" ]; then
    say "debootstrap bookworm (minbase + $include) from $mirror (downloads Debian packages)"
    rm -rf "$work/base"
    t0=$(date +%s)
    nice -n 10 debootstrap --variant=minbase --include="$include" bookworm "$work/base" "$mirror" \
        > "$logs/debootstrap.log" 2>&1 || { tail -20 "$logs/debootstrap.log" >&2; exit 1; }
    rm -rf "$work/base/var/cache/apt/archives/"*.deb
    tar -C "$work/base" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    echo "$include" > "$base_tar.include"
    rm -rf "$work/base"
    say "base root cached: $base_tar ($(du -h "$base_tar" | cut -f1), $(( $(date +%s) - t0 )) s)"
fi

# --- 3. throw-away root, no network --------------------------------------------------------------
rm -rf "$troot"; mkdir -p "$troot"
tar -C "$troot" -xf "$base_tar"
cp "$deb" "$troot/tmp/idv-kiosk.deb"
# an "upgrade": the same package with a higher version (repacked uncompressed: quick)
rm -rf "$work/upgrade"; mkdir -p "$work/upgrade"
dpkg-deb -R "$deb" "$work/upgrade/pkg"
sed -i 's/^Version: \(.*\)$/Version: \1+upgradetest1/' "$work/upgrade/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/upgrade/pkg" "$troot/tmp/idv-kiosk-upgrade.deb" >/dev/null
rm -rf "$work/upgrade"
cp "$repo/resources/demo_people/portraits/grace_hopper.jpg" "$troot/tmp/face.jpg"
cp "$here/test-inside-root.sh" "$troot/tmp/test-inside-root.sh"
chmod 0755 "$troot/tmp/test-inside-root.sh"

say "running the checks in the root (unshare --net: loopback only)"
set +e
unshare --net --mount --pid --fork --mount-proc="$troot/proc" /bin/sh -euc '
    troot="$1"
    ip link set lo up                      # loopback only (the demo emulator listens on 127.0.0.1)
    mount -t tmpfs -o mode=1777 tmpfs "$troot/dev/shm" 2>/dev/null || true
    for d in null zero random urandom tty; do
        [ -e "$troot/dev/$d" ] || { touch "$troot/dev/$d"; mount --bind "/dev/$d" "$troot/dev/$d"; }
    done
    exec chroot "$troot" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        /bin/bash /tmp/test-inside-root.sh
' sh "$troot" 2>&1 | tee "$logs/inside.log"
status=${PIPESTATUS[0]}
set -e
cp "$troot"/tmp/kiosk-test-*.log "$logs/" 2>/dev/null || true
[ "${KIOSK_KEEP_ROOT:-0}" = 1 ] || rm -rf "$troot"
if [ "$status" = 0 ]; then say "PASS (logs in $logs)"; else say "FAIL: status $status (logs in $logs)"; fi
exit "$status"
