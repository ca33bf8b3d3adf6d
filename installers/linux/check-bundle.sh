#!/usr/bin/env bash
# List what the PyInstaller bundle needs from the system: every shared library that some
# binary in the bundle links to and that is not inside the bundle, with the Debian package that
# provides it (dpkg -S). Also fails on libraries that resolve nowhere (except the ones only
# optional plugins need). Used to keep the .deb Depends: line honest.
#
#   installers/linux/check-bundle.sh [BUNDLE_DIR]     (default installers/dist/kiosk)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bundle="$(cd "${1:-$here/../dist/kiosk}" && pwd)"
internal="$bundle/_internal"
[ -d "$internal" ] || { echo "no bundle at $bundle" >&2; exit 2; }

tmp="$(mktemp)"; trap 'rm -f "$tmp"' EXIT
# every ELF file in the bundle
find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -print0 |
  while IFS= read -r -d '' f; do
    head -c4 "$f" 2>/dev/null | grep -q 'ELF' || continue
    # search inside the bundle like the running program does (RPATH $ORIGIN + bundle dirs)
    LD_LIBRARY_PATH="$internal:$internal/PySide6/Qt/lib:$internal/numpy.libs:$internal/opencv_python_headless.libs" \
      ldd "$f" 2>/dev/null | sed -n 's/^\s*\(\S\+\) => \(.*\) (0x.*$/\1 \2/p; s/^\s*\(\S\+\) => not found$/\1 NOTFOUND/p' |
      sed "s|^|${f#"$bundle"/} |"
  done > "$tmp"

echo "== resolved outside the bundle (system libraries) =="
awk '$3 != "NOTFOUND" && index($3, "'"$bundle"'") != 1 {print $3}' "$tmp" | sort -u | while read -r lib; do
  pkg="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1 || true)"
  [ -n "$pkg" ] || pkg="$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1 || true)"
  printf '%-45s %s\n' "$lib" "${pkg:-?}"
done
echo "== not found anywhere (library <- needed by) =="
awk '$3 == "NOTFOUND" {print $2 " <- " $1}' "$tmp" | sort -u | head -40
