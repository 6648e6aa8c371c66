"""Which files a package's descriptor names, each checked before a byte of it is parsed.

A package is exactly its folder: ``datapackage.json`` names every file in it, and every file it
names is a regular file inside the folder. So a file the descriptor does not name is refused (or,
when the caller asks, listed as ignored) rather than skipped in silence, and a symbolic link, or a
path that resolves outside the folder, is refused without being opened: an import must never read
what lies outside the package, nor echo it in an error.

The descriptor's ``bytes`` and ``hash`` (Frictionless Data Package, "Data Resource") are checked
when present: ``bytes`` must be a whole number and ``hash`` a string ``ALGORITHM:HEX`` (or bare
hex, which the specification reads as MD5) with one of the algorithms in ``HASH_ALGORITHMS``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from dostyk.interchange.datapackage.descriptor import FORMATS, field_type
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.store.tables import TABLES

DESCRIPTOR = "datapackage.json"
#: The hash algorithms a descriptor may name, with the length of their hex digests. MD5 is the
#: specification's default (a bare digest); SHA-1, SHA-256 and SHA-512 are the others Frictionless
#: tools write. Dostyk writes SHA-256.
HASH_ALGORITHMS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_READ_CHUNK = 1 << 20


@dataclass
class Resources:
    """The table files to read, by table name, and the files present but deliberately ignored."""

    files: dict[str, Path] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def package_resources(path: Path, log: ErrorLog, *, ignore_unlisted: bool = False) -> Resources:
    """The table files the descriptor names, after checking it against Dostyk's tables."""
    found = Resources()
    if path.is_symlink() or not path.is_dir():
        log.add(str(path), None, None, "is not a folder holding a data package")
        return found
    root = path.resolve()
    descriptor = _descriptor(root, log)
    if descriptor is None:
        return found
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        log.add(DESCRIPTOR, None, "resources", "must be a list of table resources")
        return found
    known = {table.name: table for table in TABLES}
    named = {Path(DESCRIPTOR)}
    for position, resource in enumerate(resources, start=1):
        where = f"{DESCRIPTOR} resource {position}"
        if not isinstance(resource, dict):
            log.add(where, None, None, "must be an object")
            continue
        name, relative = resource.get("name"), resource.get("path")
        if not isinstance(name, str) or name not in known:
            log.add(where, None, "name", f"{name!r} is not a Dostyk table ({sorted(known)})")
            continue
        if name in found.files:
            log.add(where, None, "name", f"{name!r} appears twice")
            continue
        if not isinstance(relative, str) or not _plain_relative(relative):
            log.add(where, None, "path", "must be a relative path inside the package")
            continue
        named.add(Path(relative))
        suffix = Path(relative).suffix.lstrip(".")
        if suffix not in FORMATS:
            log.add(where, None, "path", f"{relative!r}: a table is a .csv or .parquet file")
            continue
        file = root / relative
        if not os.path.lexists(file):
            log.add(relative, None, None, "the file named in datapackage.json is missing")
            continue
        if not _inside(root, relative):
            log.add(
                relative,
                None,
                None,
                "is a symbolic link or leads outside the package folder; "
                "a package holds its own files only",
            )
            continue
        if not file.is_file():
            log.add(relative, None, None, "is not a regular file")
            continue
        _check_declared_fields(where, resource, known[name], log)
        if _intact(relative, file, resource, log):
            found.files[name] = file
    _unlisted(root, named, log, found, ignore_unlisted)
    return found


def _descriptor(root: Path, log: ErrorLog) -> Any:
    descriptor_path = root / DESCRIPTOR
    if not os.path.lexists(descriptor_path):
        log.add(DESCRIPTOR, None, None, f"not found in {root}")
        return None
    if not _inside(root, DESCRIPTOR) or not descriptor_path.is_file():
        log.add(DESCRIPTOR, None, None, "is a symbolic link or not a regular file")
        return None
    try:
        return json.loads(descriptor_path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        log.add(DESCRIPTOR, None, None, f"not valid JSON: {error}")
    except RecursionError:
        log.add(DESCRIPTOR, None, None, "not valid JSON: nested too deeply")
    return None


def _plain_relative(relative: str) -> bool:
    parts = Path(relative).parts
    return (
        bool(relative)
        and not Path(relative).is_absolute()
        and ".." not in parts
        and "\x00" not in relative
        and not relative.startswith("\\")
    )


def _inside(root: Path, relative: str) -> bool:
    """The path names a file in the folder directly: no component is a link, none leaves it."""
    current = root
    for part in Path(relative).parts:
        current = current / part
        if current.is_symlink():
            return False
    return current.resolve().is_relative_to(root)


def _unlisted(
    root: Path, named: set[Path], log: ErrorLog, found: Resources, ignore_unlisted: bool
) -> None:
    """Every entry in the folder that the descriptor does not name, refused or listed as ignored.

    Only folders on the way to a named file are entered; a link is never followed.
    """
    named_folders = {parent for p in named for parent in p.parents}
    pending = [Path()]
    while pending:
        here = pending.pop()
        try:
            entries = sorted(os.scandir(root / here), key=lambda e: e.name)
        except OSError as error:
            log.add(here.as_posix() + "/", None, None, f"cannot be listed: {error.strerror}")
            continue
        for entry in entries:
            relative = here / entry.name
            is_folder = entry.is_dir(follow_symlinks=False)
            if is_folder and relative in named_folders:
                pending.append(relative)
                continue
            if relative in named:
                continue
            shown = relative.as_posix() + ("/" if is_folder else "")
            if ignore_unlisted:
                found.ignored.append(shown)
            else:
                log.add(
                    shown,
                    None,
                    None,
                    "is not named in datapackage.json; remove it, or import with "
                    "--ignore-unlisted to leave it out",
                )


def _intact(relative: str, file: Path, resource: dict[str, Any], log: ErrorLog) -> bool:
    """The file has the size and hash the descriptor records, when it records them."""
    declared_bytes, declared_hash = resource.get("bytes"), resource.get("hash")
    if declared_bytes is None and declared_hash is None:
        return True
    ok = True
    whole = isinstance(declared_bytes, int) and not isinstance(declared_bytes, bool)
    if declared_bytes is not None and (not whole or declared_bytes < 0):
        log.add(
            DESCRIPTOR,
            None,
            f"{relative} bytes",
            f"{declared_bytes!r} is not a whole number of bytes",
        )
        ok = False
    algorithm, expected = "", ""
    if declared_hash is not None:
        if not isinstance(declared_hash, str):
            log.add(
                DESCRIPTOR,
                None,
                f"{relative} hash",
                f"{declared_hash!r} is not a hash; write ALGORITHM:HEX, e.g. sha256:…",
            )
            return False
        algorithm, _, expected = declared_hash.rpartition(":")
        algorithm = algorithm.lower() or "md5"
        expected = expected.lower()
        if algorithm not in HASH_ALGORITHMS:
            log.add(
                DESCRIPTOR,
                None,
                f"{relative} hash",
                f"unknown hash algorithm {algorithm!r}; use one of {sorted(HASH_ALGORITHMS)}",
            )
            return False
        if len(expected) != HASH_ALGORITHMS[algorithm] or not _is_hex(expected):
            log.add(
                DESCRIPTOR,
                None,
                f"{relative} hash",
                f"is not a {algorithm} digest ({HASH_ALGORITHMS[algorithm]} hex digits)",
            )
            return False
    if not ok:
        return False
    digest = hashlib.new(algorithm) if algorithm else None
    size = 0
    if digest is None:
        size = file.stat().st_size
    else:
        with file.open("rb") as handle:
            while chunk := handle.read(_READ_CHUNK):
                size += len(chunk)
                digest.update(chunk)
    if declared_bytes is not None and declared_bytes != size:
        log.add(
            relative,
            None,
            None,
            f"is {size:,} bytes where datapackage.json says {declared_bytes:,}: "
            "the file is truncated or was changed",
        )
        return False
    if digest is not None and digest.hexdigest() != expected:
        log.add(
            relative,
            None,
            None,
            f"its {algorithm} hash differs from datapackage.json: the file was changed",
        )
        return False
    return True


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _check_declared_fields(
    where: str, resource: dict[str, Any], table: Table, log: ErrorLog
) -> None:
    """A resource's declared schema, when given, must be the table's."""
    schema = resource.get("schema")
    if not isinstance(schema, dict):
        return
    fields = schema.get("fields", [])
    if not isinstance(fields, list):
        log.add(where, None, "schema", "fields must be a list")
        return
    declared = {f.get("name"): f.get("type") for f in fields if isinstance(f, dict)}
    for column in table.columns:
        expected = field_type(column)
        if column.name in declared and declared[column.name] not in (expected, None):
            log.add(
                where,
                None,
                column.name,
                f"declared as {declared[column.name]!r}; Dostyk reads it as {expected!r}",
            )
