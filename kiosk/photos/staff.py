"""The staff commands that work on the photos: purge, the index's check and rebuild, the
signing keys, and checking a photo's Content Credentials. Each prints what it did in one line
(problems on stderr) and returns an exit code of ``kiosk.exits``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from kiosk.config import Config
from kiosk.exits import (
    EXIT_BAD_CONFIG,
    EXIT_BAD_TRUST,
    EXIT_INVALID,
    EXIT_NO_CREDENTIALS,
    EXIT_OK,
    EXIT_UNTRUSTED,
    counted,
    fail,
)
from kiosk.photos.credentials import (
    CredentialsError,
    default_booth_id,
    init_keys,
    is_demo_signer,
    trust_anchor_problem,
    verify,
)
from kiosk.photos.journal import PhotoJournal
from kiosk.photos.repair import check_index, rebuild_index
from kiosk.photos.retention import purge_files


def purge_now(config: Config) -> int:
    storage = config.storage
    layout = storage.layout
    try:
        result = purge_files(layout, storage.retention)
    except sqlite3.Error as error:
        print(f"purge: photo index {layout.index_path}: {error}", file=sys.stderr)
        return fail("purge: run 'kiosk index rebuild' (the booth rebuilds it at start)")
    except OSError as error:
        return fail(f"storage.dir: cannot use {storage.dir}: {error}")
    print(f"deleted {counted(result.records, 'link')} and {counted(result.files, 'photo file')}")
    return EXIT_OK


def check_the_index(config: Config) -> int:
    layout = config.storage.layout
    verdict = check_index(layout.index_path, PhotoJournal(layout.journal_path))
    print(verdict.describe())
    if not verdict.ok:
        return fail("run 'kiosk index rebuild' (the booth does it at start)")
    if not verdict.journal_ok:
        return fail("the booth writes the index's links back into the journal at start")
    return EXIT_OK


def rebuild_the_index(config: Config) -> int:
    layout = config.storage.layout
    try:
        rows = rebuild_index(layout, PhotoJournal(layout.journal_path))
    except (OSError, sqlite3.Error) as error:
        return fail(f"index rebuild: {error}")
    print(f"index rebuilt from the journal: {counted(rows, 'link')}")
    return EXIT_OK


def make_keys(config: Config, force: bool) -> int:
    booth_id = config.credentials.booth_id or default_booth_id()
    keys_dir = config.storage.layout.keys_dir
    try:
        paths = init_keys(keys_dir, booth_id, force=force)
    except CredentialsError as error:
        return fail(f"keys: {error}")
    except OSError as error:
        return fail(f"keys: cannot write {keys_dir}: {error}")
    print(f"signing keys for booth {booth_id!r} in {paths[0].parent}")
    print(f"share {paths[0]} with anyone who should see this booth's photos as Trusted")
    return EXIT_OK


JPEG_START = b"\xff\xd8\xff"  # every JPEG file begins so


def verify_photo(file: Path, trust_file: Path | None) -> int:
    try:
        data = file.read_bytes()
    except OSError as error:
        reason = error.strerror or error
        print(f"{file}: cannot read it ({reason}); give the path of a JPEG file", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not data.startswith(JPEG_START):
        print(
            f"{file}: not a JPEG photo; give kiosk verify a photo the booth took "
            "(photos/YYYY-MM-DD/*.jpg under storage.dir, or the phone's download)",
            file=sys.stderr,
        )
        return EXIT_BAD_CONFIG
    trust = None
    if trust_file is not None:
        try:
            trust = trust_file.read_bytes()
        except OSError as error:
            print(f"--trust {trust_file}: cannot read: {error.strerror or error}", file=sys.stderr)
            return EXIT_BAD_TRUST
        problem = trust_anchor_problem(trust)
        if problem:
            print(f"--trust {trust_file}: {problem}", file=sys.stderr)
            return EXIT_BAD_TRUST
    verdict = verify(data, trust)
    if verdict.state == "none":
        print(f"{file}: no Content Credentials")
        return EXIT_NO_CREDENTIALS
    if verdict.state == "Invalid":
        print(f"{file}: Invalid: the credentials are broken or the photo was changed")
        for reason in verdict.reasons:
            print(f"  {reason}")
        return EXIT_INVALID
    if verdict.signer:
        print(f"  signed by: {verdict.signer}")
        if is_demo_signer(verdict.signer):
            print("  with the demo key of 'kiosk demo': it proves nothing about who took it")
    if verdict.captured_by_camera:
        print("  captured by a camera; changed only by cropping")
    if verdict.state == "Trusted":
        print(f"{file}: Trusted: intact, signed under {trust_file}")
        return EXIT_OK
    if trust_file is not None:
        for reason in verdict.reasons:
            print(f"  {reason}")
        print(f"{file}: Valid but not trusted: intact, but not signed under {trust_file}")
        return EXIT_UNTRUSTED
    print(f"{file}: Valid: intact since signing (use --trust CA.pem to check the signer)")
    return EXIT_OK
