#!/usr/bin/env python3
"""Forges an Aula evidence package with Python's tarfile, for the tests of `aula verify`.

    forge_evidence.py KIND PACKAGE FORGED_CLIP OUT   writes a forgery of PACKAGE to OUT
    forge_evidence.py extract PACKAGE FOLDER         extracts PACKAGE as `tarfile.extractall` does

Each KIND keeps the signed manifest, its signature and the genuine clip where an Aula reader that
takes the first member of a name would find them, and makes tar readers extract something else:

    duplicate      a second member with the clip's name, holding FORGED_CLIP
    pax            a member "notes.txt" whose pax header renames it to the clip's name
    prefix         the clip's name under a ustar prefix of "./" components (the same file on disk)
    gnu-longname   the same long name as a GNU long-name ('L') header
    extra          an unexpected member "notes.txt"
    traversal      a member "../escape.mp4", which Python before 3.12 extracts outside the folder
    symlink        a symbolic link with the clip's name, replacing the clip on extraction
    missing        the package without manifest.sig
"""

import io
import json
import sys
import tarfile

MTIME = 1_764_000_000


def info(name, size, fmt_type=tarfile.REGTYPE):
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.mtime = MTIME
    ti.mode = 0o644
    ti.type = fmt_type
    return ti


def archive(members, fmt):
    """A tar archive of (TarInfo, bytes) written by tarfile in format `fmt`, end marker included."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for ti, data in members:
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def without_end(package):
    """The package without its end-of-archive zero blocks, so that members can follow."""
    end = len(package)
    while end >= 512 and package[end - 512:end] == bytes(512):
        end -= 512
    return package[:end]


def forge(kind, package, forged):
    with tarfile.open(fileobj=io.BytesIO(package)) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    manifest = json.loads(dict((m.name, d) for m, d in members)["manifest.json"])
    clip = manifest["mediaFile"]
    long_name = "./" * 60 + clip
    head = without_end(package)
    if kind == "duplicate":
        return head + archive([(info(clip, len(forged)), forged)], tarfile.USTAR_FORMAT)
    if kind == "pax":
        ti = info("notes.txt", len(forged))
        ti.pax_headers = {"path": clip}
        return head + archive([(ti, forged)], tarfile.PAX_FORMAT)
    if kind == "prefix":
        return head + archive([(info(long_name, len(forged)), forged)], tarfile.USTAR_FORMAT)
    if kind == "gnu-longname":
        return head + archive([(info(long_name, len(forged)), forged)], tarfile.GNU_FORMAT)
    if kind == "extra":
        return head + archive([(info("notes.txt", len(forged)), forged)], tarfile.USTAR_FORMAT)
    if kind == "traversal":
        return head + archive([(info("../escape.mp4", len(forged)), forged)], tarfile.USTAR_FORMAT)
    if kind == "symlink":
        ti = info(clip, 0, tarfile.SYMTYPE)
        ti.linkname = "/dev/null"
        return head + archive([(ti, None)], tarfile.USTAR_FORMAT)
    if kind == "missing":
        kept = [(info(m.name, len(d)), d) for m, d in members if m.name != "manifest.sig"]
        return archive(kept, tarfile.USTAR_FORMAT)
    raise SystemExit(f"unknown forgery {kind!r}")


def main(argv):
    if len(argv) == 3 and argv[0] == "extract":
        with tarfile.open(argv[1]) as tar:
            if hasattr(tarfile, "fully_trusted_filter"):
                tar.extractall(argv[2], filter="fully_trusted")
            else:
                tar.extractall(argv[2])
        return
    if len(argv) != 4:
        raise SystemExit(__doc__)
    kind, package, forged, out = argv
    with open(package, "rb") as f:
        package_bytes = f.read()
    with open(forged, "rb") as f:
        forged_bytes = f.read()
    with open(out, "wb") as f:
        f.write(forge(kind, package_bytes, forged_bytes))


if __name__ == "__main__":
    main(sys.argv[1:])
