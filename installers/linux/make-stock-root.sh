#!/usr/bin/env bash
# A stock Debian 12 desktop root for the install test, as a branch PC would have it:
#
#   installers/linux/make-stock-root.sh [xfce|gnome|kde]      (default xfce; as root)
#
# 1. debootstrap bookworm, default variant (Priority required + important: the base the Debian
#    installer lays down), sources.list with bookworm, bookworm-updates and bookworm-security;
# 2. records the package set of that base and what `apt-get -s install task-<desktop>-desktop`
#    would add for GNOME, XFCE and KDE (installers/build/stock/sets/*.txt: the data the .deb's
#    Depends: line is checked against, see check-depends.sh);
# 3. installs task-<desktop>-desktop with its Recommends (what tasksel does), nothing else;
# 4. caches the result as installers/build/stock/<desktop>.tar (+ .packages, the dpkg list).
#
# This script downloads Debian packages (it makes the *machine*); the install test itself runs
# with no network. Re-runs reuse the cached tar; delete it to refresh.
# Environment: KIOSK_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

desktop="${1:-xfce}"
case "$desktop" in xfce|gnome|kde) ;; *) echo "usage: $0 [xfce|gnome|kde]" >&2; exit 2 ;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$repo/installers/build/stock"
tarball="$work/$desktop.tar"
sets="$work/sets"
mirror="${KIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { printf '[stock-root] %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "run as root (debootstrap, chroot)"; exit 2; }
if [ -f "$tarball" ]; then say "cached: $tarball"; echo "$tarball"; exit 0; fi
mkdir -p "$work" "$sets"
root="$work/$desktop.root"
rm -rf "$root"
t0=$(date +%s)

say "debootstrap bookworm (required + important) from $mirror"
nice -n 10 debootstrap bookworm "$root" "$mirror" > "$work/$desktop.debootstrap.log" 2>&1 ||
    { tail -20 "$work/$desktop.debootstrap.log" >&2; exit 1; }
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://security.debian.org/debian-security bookworm-security main
EOF
# no daemons start inside the chroot
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"

# run a command in the root with /proc, /sys and /dev mounted in a private mount namespace
in_root() {
    unshare --mount --fork /bin/sh -ec '
        r="$1"; shift
        mount -t proc proc "$r/proc"; mount --rbind /sys "$r/sys"; mount --rbind /dev "$r/dev"
        exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"
    ' sh "$root" "$@"
}

in_root apt-get -q update > "$work/$desktop.apt.log" 2>&1 || { tail -20 "$work/$desktop.apt.log" >&2; exit 1; }
in_root apt-get -q -y dist-upgrade >> "$work/$desktop.apt.log" 2>&1
in_root dpkg-query -W -f '${Package}\n' | sort -u > "$sets/base.txt"
for task in gnome xfce kde; do
    # base + what the task (with Recommends, as tasksel installs it) would add
    in_root apt-get -s install "task-$task-desktop" 2>/dev/null | sed -n 's/^Inst \([^ ]*\) .*/\1/p' |
        sed 's/:.*//' | sort -u | sort -u -m - "$sets/base.txt" > "$sets/$task.txt"
    say "task-$task-desktop: $(wc -l < "$sets/$task.txt") packages"
done

say "installing task-$desktop-desktop with Recommends (downloads)"
if ! in_root apt-get -q -y install "task-$desktop-desktop" >> "$work/$desktop.apt.log" 2>&1; then
    tail -30 "$work/$desktop.apt.log" >&2; exit 1
fi
in_root apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
in_root dpkg-query -W -f '${Package}\n' | sort -u > "$work/$desktop.packages"
tar -C "$root" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
rm -rf "$root"
say "$desktop root cached: $tarball ($(du -h "$tarball" | cut -f1), $(wc -l < "$work/$desktop.packages") packages, $(( $(date +%s) - t0 )) s)"
echo "$tarball"
