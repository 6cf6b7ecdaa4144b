"""The staff commands for the object store several booths share (``[cloud]``): check it, make
a gallery link for the whole event, export every photo. Each returns an exit code of
``kiosk.exits``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from kiosk.config import PRESIGNED_LIMIT, Config, parse_duration
from kiosk.exits import EXIT_BAD_CONFIG, EXIT_FAILURE, EXIT_OK, counted, fail
from kiosk.photos.credentials import default_booth_id
from kiosk.share.archive import export, gallery, round_trip
from kiosk.share.cloud import CloudError, CloudStore, event_prefix, load_credentials, object_prefix


def _cloud_store(config: Config) -> CloudStore | None:
    """The configured object store, or a line saying why not (and None)."""
    if not config.cloud.enabled or config.cloud.credentials_file is None:
        print("cloud.enabled: the object store is not switched on in this config", file=sys.stderr)
        return None
    try:
        return CloudStore(config.cloud, load_credentials(config.cloud.credentials_file))
    except CloudError as error:
        print(error, file=sys.stderr)
        return None


def check_cloud(config: Config) -> int:
    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    booth = config.credentials.booth_id or default_booth_id()
    prefix = object_prefix(config.cloud, config.event.name, booth)
    try:
        for step in round_trip(store, prefix, dt.datetime.now().astimezone()):
            print(f"ok    {step}")
    except CloudError as error:
        return fail(f"FAIL  {error}")
    print(f"the object store works for this booth: {store.bucket}/{prefix}")
    return EXIT_OK


def gallery_link(config: Config, valid_for_text: str) -> int:
    try:
        valid_for = parse_duration(valid_for_text)
    except ValueError as error:
        print(f"--valid-for: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not 0 < valid_for <= PRESIGNED_LIMIT:
        print(
            "--valid-for: between 1 second and 7 days (a presigned link's limit)", file=sys.stderr
        )
        return EXIT_BAD_CONFIG
    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    prefix = event_prefix(config.cloud, config.event.name)
    try:
        link, count = gallery(
            store, prefix, config.event.name, dt.datetime.now().astimezone(), valid_for
        )
    except CloudError as error:
        return fail(f"cloud: {error}")
    print(f"{counted(count, 'photo')} of {config.event.name}; the gallery works until it expires:")
    print(link)
    return EXIT_OK


def export_event(config: Config, folder: Path) -> int:
    store = _cloud_store(config)
    if store is None:
        return EXIT_BAD_CONFIG
    try:
        result = export(store, event_prefix(config.cloud, config.event.name), folder)
    except CloudError as error:
        return fail(f"cloud: {error}")
    for failure in result.failed:
        print(f"not fetched: {failure}", file=sys.stderr)
    print(
        f"{counted(result.fetched, 'photo')} fetched, {result.already_there} already in {folder}"
        + (f", {len(result.failed)} failed: run it again" if result.failed else "")
    )
    return EXIT_FAILURE if result.failed else EXIT_OK
