#!/usr/bin/env bash
# End-to-end test of the offline .deb on a STOCK Debian 12 desktop, as root:
#
#   installers/linux/test-deb-in-debootstrap.sh [PATH.deb]
#
# 1. builds the .deb (installers/linux/build-deb.sh) unless a path is given or KIOSK_SKIP_BUILD=1,
#    then builds it a second time from scratch (PyInstaller work folder and bundle deleted) and
#    compares: two builds of one commit must be byte-identical (KIOSK_SKIP_REPRO=1 skips this);
# 2. takes a stock desktop root from make-stock-root.sh (KIOSK_STOCK_DESKTOP=xfce|gnome|kde,
#    default xfce: debootstrap bookworm + task-<desktop>-desktop with Recommends; it downloads
#    Debian packages once, to make the *machine*, cached under installers/build/stock/). The
#    package's own Depends: are NOT pre-installed: dpkg -i must work with what the desktop has;
# 3. copies it into a throw-away root and, in new network + mount + PID namespaces with only a
#    loopback interface (no route anywhere: `unshare --net`), chroots into it and runs
#    test-inside-root.sh: dpkg -i (no apt, no network), user, permissions, autostart, menu entry,
#    `kiosk selftest` as the kiosk user, a rehearsal as root (emulator, specimen, kiosk verify,
#    audit export) followed by `kiosk run` as the kiosk user, doctor, the demo, the supervisor,
#    `systemd-analyze verify` of the user unit, reinstall and upgrade keeping edited conffiles
#    (selftest again), remove and purge.
#
# Output: a log per step in installers/build/debootstrap/logs/ and a summary on stdout.
# Environment: KIOSK_SKIP_BUILD=1, KIOSK_SKIP_REPRO=1, KIOSK_STOCK_DESKTOP, KIOSK_KEEP_ROOT=1
# (leave the throw-away root for inspection), KIOSK_DEBIAN_MIRROR (for make-stock-root.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$repo/installers/build/debootstrap"
troot="$work/root"
logs="$work/logs"
say() { printf '[test-deb] %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "run as root (debootstrap, chroot, namespaces)"; exit 2; }
for tool in debootstrap unshare chroot ip dpkg-deb cmp; do
    command -v "$tool" >/dev/null || { say "missing $tool (apt-get install debootstrap iproute2 util-linux)"; exit 2; }
done
mkdir -p "$work" "$logs"

# --- 1. the package, built twice -------------------------------------------------------------------
repro_status=0
deb="${1:-}"
if [ -z "$deb" ]; then
    if [ "${KIOSK_SKIP_BUILD:-0}" = 1 ]; then
        deb="$(ls -t "$repo"/installers/dist/idv-kiosk_*_amd64.deb | head -1)"
    else
        t0=$(date +%s)
        deb="$("$here/build-deb.sh" | tail -1)"
        say "build 1: $(( $(date +%s) - t0 )) s"
        if [ "${KIOSK_SKIP_REPRO:-0}" != 1 ]; then
            cp "$deb" "$work/build1.deb"
            rm -rf "$repo/installers/dist/kiosk" "$repo/installers/build/pyi" "$repo/installers/build/deb"
            t0=$(date +%s)
            deb="$("$here/build-deb.sh" | tail -1)"
            say "build 2 (from scratch): $(( $(date +%s) - t0 )) s"
            if cmp -s "$work/build1.deb" "$deb"; then
                say "reproducible: two builds are byte-identical (sha256 $(sha256sum < "$deb" | cut -c1-16))"
            else
                repro_status=1
                say "NOT reproducible: the two builds differ; differing files:"
                for b in "$work/build1.deb" "$deb"; do
                    rm -rf "$b.x"; mkdir -p "$b.x"; dpkg-deb -R "$b" "$b.x"
                done
                diff -rq "$work/build1.deb.x" "$deb.x" | head -30 >&2 || true
                rm -rf "$work/build1.deb.x" "$deb.x"
            fi
        fi
    fi
fi
[ -f "$deb" ] || { say "no package: $deb"; exit 2; }
deb="$(readlink -f "$deb")"
say "package: $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"
say "Depends: $(dpkg-deb -f "$deb" Depends)"

# --- 2. the stock desktop root (cached; never the package's Depends) -----------------------------
desktop="${KIOSK_STOCK_DESKTOP:-xfce}"
base_tar="$("$here/make-stock-root.sh" "$desktop" | tail -1)"
[ -f "$base_tar" ] || { say "no stock root"; exit 2; }
say "stock $desktop root: $base_tar ($(wc -l < "${base_tar%.tar}.packages") packages)"

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
cp "$repo/resources/demo_people/portraits/astronaut_eileen_collins.png" "$troot/tmp/face-1.png"
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
[ "$repro_status" = 0 ] || { say "FAIL: the two builds differ (see above)"; status=1; }
if [ "$status" = 0 ]; then say "PASS (logs in $logs)"; else say "FAIL: status $status (logs in $logs)"; fi
exit "$status"
