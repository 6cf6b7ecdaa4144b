"""Photos to S3-compatible object storage, tested against a real store: OpenStack Swift with its
S3 API, one node on loopback (tests/swift_store.py). Links are fetched over HTTP as a phone
would; the upload queue is driven with an injected clock."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import decode_qr, full_visit, screenshots
from swift_store import ACCESS_KEY, REGION, SECRET_KEY, SwiftStore, swift_installed

from kiosk.booth.events import MainButton, SecondButton
from kiosk.camera.image_camera import ImageCamera
from kiosk.cli import main
from kiosk.config import Config, StorageLayout
from kiosk.share.cloud import CloudStore, load_credentials
from kiosk.share.links import ShareLinks
from kiosk.share.publish import CloudParts, open_cloud
from kiosk.share.uploads import UploadJournal, counts_of
from kiosk.status import collect


@pytest.fixture(scope="module")
def swift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwiftStore]:
    if not swift_installed():
        if os.environ.get("CI"):
            pytest.fail("Swift is not installed: .ci/run installs swift-proxy and friends")
        pytest.skip("needs Debian's swift-proxy, swift-object, swift-container, swift-account")
    store = SwiftStore(tmp_path_factory.mktemp("swift")).start()
    yield store
    store.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def credentials_file(folder: Path, secret: str = SECRET_KEY) -> Path:
    path = folder / "cloud.toml"
    path.write_text(f'access_key = "{ACCESS_KEY}"\nsecret_key = "{secret}"\n')
    path.chmod(0o600)
    return path


bucket_numbers = iter(range(1000))


def cloud_config(
    config: Config, swift: SwiftStore, tmp_path: Path, links: str = "cloud", **changes: object
) -> Config:
    """``config`` with [cloud] pointing at the test store, in a bucket of its own."""
    bucket = f"event-{os.getpid()}-{next(bucket_numbers)}"
    cloud = config.cloud.model_copy(
        update={
            "enabled": True,
            "endpoint": swift.endpoint,
            "region": REGION,
            "bucket": bucket,
            "addressing": "path",
            "links": links,
            "credentials_file": credentials_file(tmp_path),
            **changes,
        }
    )
    updated = config.model_copy(update={"cloud": cloud})
    store = CloudStore(cloud, load_credentials(cloud.credentials_file))
    store.make_bucket_if_missing()
    return updated


def config_file(path: Path, cloud: Config, storage: Path, credentials: Path | None = None) -> Path:
    """A config file as staff write it, for the store and bucket of ``cloud``."""
    path.write_text(
        f'[storage]\ndir = "{storage}"\n[event]\nname = "Sommerfest 2026"\n'
        f'[cloud]\nenabled = true\nendpoint = "{cloud.cloud.endpoint}"\nregion = "{REGION}"\n'
        f'bucket = "{cloud.cloud.bucket}"\naddressing = "path"\n'
        f'credentials_file = "{credentials or cloud.cloud.credentials_file}"\n'
    )
    return path


def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read(), dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def booth_with_cloud(make_app, config: Config, clock: Clock) -> tuple[object, CloudParts]:
    from conftest import make_store

    parts = open_cloud(config, "booth-7", clock)
    store = make_store(config, mirror=parts.queue)
    links = ShareLinks(
        store.share_url, config.cloud.links, parts.publisher.page_link, parts.queue.uploaded
    )
    # Presigned links are signed as of the photo's moment: the camera's clock is the real one.
    camera = ImageCamera(config.camera.image, config.camera.sensor_size)
    return make_app(config=config, camera=camera, store=store, links=links), parts


def work_until_done(parts: CloudParts, clock: Clock, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not parts.queue.work_once():
            due = parts.queue.next_due()
            if due is None:
                return
            clock.now = max(clock.now, due)
    raise AssertionError("the queue did not empty")


def test_a_photo_and_its_page_open_through_the_qr_code_byte_for_byte(
    make_app, config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path, links="cloud")
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    full_visit(app)
    photo = app.machine.photo
    assert parts.queue.counts().queued == 1, "queued as soon as it was saved"
    work_until_done(parts, clock)
    assert parts.queue.uploaded(photo.token)
    [link] = decode_qr(screenshots(app)["share"])
    assert link.startswith(f"{swift.endpoint}/{config.cloud.bucket}/sommerfest-2026/booth-7/")
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=604800" in link
    status, page, headers = fetch(link)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    text = page.decode()
    assert "Fotoclub Müller" in text and "Content-Security-Policy" in text
    assert "Auf dem iPhone" in text, "the same page as the booth's, save hints included"
    shown, download = re.findall(r'(?:src|href)="([^"]+)"', text)
    status, data, headers = fetch(shown.replace("&amp;", "&"))
    assert status == 200 and data == Path(photo.path).read_bytes(), "the original, byte for byte"
    assert headers["Content-Type"] == "image/jpeg"
    status, data, headers = fetch(download.replace("&amp;", "&"))
    assert status == 200 and data == Path(photo.path).read_bytes()
    assert headers["Content-Disposition"].startswith('attachment; filename="sommerfest-2026-')


def test_an_expired_link_is_refused_by_the_store(config, swift, tmp_path) -> None:
    config = cloud_config(config, swift, tmp_path)
    parts = open_cloud(config, "booth-7")
    parts.store.put("sommerfest-2026/booth-7/x.jpg", b"jpeg", "image/jpeg", "no-store")
    signed_long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=7, seconds=10)
    expired = parts.store.presigned("sommerfest-2026/booth-7/x.jpg", signed_long_ago, 7 * 86400)
    status, body, _ = fetch(expired)
    assert status == 403 and b"Request has expired" in body
    fresh = parts.store.presigned("sommerfest-2026/booth-7/x.jpg", dt.datetime.now(dt.UTC), 60)
    assert fetch(fresh)[:2] == (200, b"jpeg")


def test_a_wrong_secret_is_named_and_the_queue_keeps_the_photos(
    make_app, config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path)
    (tmp_path / "wrong").mkdir()
    wrong = credentials_file(tmp_path / "wrong", "not-the-secret")
    config = config.model_copy(
        update={"cloud": config.cloud.model_copy(update={"credentials_file": wrong})}
    )
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    full_visit(app)
    assert parts.queue.work_once()
    counts = parts.queue.counts()
    assert counts.queued == 1 and counts.uploaded == 0 and counts.failed_tries == 1
    assert "SignatureDoesNotMatch: the store refused the secret key" in counts.last_error
    assert "not-the-secret" not in counts.last_error
    line = {check.name: check for check in collect(config)}["cloud"]
    assert line.warning and "1 waiting, 0 uploaded" in line.text
    assert "the store refused the secret key" in line.text


def test_the_store_gone_mid_queue_and_back_every_photo_arrives_once(
    make_app, config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path)
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    now = 0.0
    app.start(now)
    for _ in range(3):
        now = _visit(app, now)
    assert parts.queue.counts().queued == 3
    assert parts.queue.work_once() and parts.queue.counts().uploaded == 1
    swift.stop_proxy()
    try:
        assert parts.queue.work_once()
        counts = parts.queue.counts()
        assert counts.uploaded == 1 and counts.queued == 2
        assert "cannot reach" in counts.last_error
        assert not parts.queue.work_once(), "it waits before trying again"
    finally:
        swift.start_proxy()
    work_until_done(parts, clock)
    keys = sorted(key for key, _ in parts.store.keys("sommerfest-2026/"))
    assert len(keys) == 6 and len(set(keys)) == 6, "three photos and three pages, each once"
    assert parts.queue.counts().uploaded == 3


def _visit(app, now: float) -> float:
    from helpers import advance, press

    now = press(app, MainButton(), now + 0.1)
    now = press(app, MainButton(), now + 0.1)
    now = advance(app, now, app.config.timing.countdown + 0.4)
    now = press(app, MainButton(), now + 0.1)
    # The share screen ignores presses for its first seconds.
    now = press(app, MainButton(), now + app.config.timing.share_guard + 0.1)
    return now


KILLED_BOOTH = """
import os, signal, sys
from pathlib import Path
from kiosk.config import load_config
from kiosk.share.publish import open_cloud
config = load_config(Path(sys.argv[1]))
parts = open_cloud(config, "booth-7")
photos = Path(sys.argv[2])
for number in range(3):
    parts.queue.add(f"token-{number}", f"photos/{number}.jpg", 1767225600.0 + number)
os.kill(os.getpid(), signal.SIGKILL)  # before any upload
"""


def test_a_booth_killed_with_uploads_queued_uploads_them_after_its_restart(
    config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path)
    storage = config.storage.dir
    (storage / "photos").mkdir(parents=True)
    for number in range(3):
        (storage / "photos" / f"{number}.jpg").write_bytes(b"\xff\xd8 photo %d" % number)
    file = config_file(tmp_path / "kiosk.toml", config, storage)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BOOTH, str(file), str(storage)], check=False, timeout=60
    )
    assert killed.returncode == -signal.SIGKILL
    clock = Clock()
    parts = open_cloud(config, "booth-7", clock)
    assert parts.queue.counts().queued == 3, "the journal kept them"
    work_until_done(parts, clock)
    for number in range(3):
        key = f"sommerfest-2026/booth-7/token-{number}.jpg"
        assert parts.store.get(key) == b"\xff\xd8 photo %d" % number


def test_two_booths_share_a_bucket_and_staff_see_and_export_both(
    make_app, config, swift, tmp_path, capsys
) -> None:
    shared = cloud_config(config, swift, tmp_path)
    clock = Clock()
    for booth in ("booth-a", "booth-b"):
        booth_config = shared.model_copy(
            update={"credentials": shared.credentials.model_copy(update={"booth_id": booth})}
        )
        parts = open_cloud(booth_config, booth, clock)
        layout = StorageLayout(tmp_path)
        photo = layout.photos_dir / f"{booth}.jpg"
        photo.parent.mkdir(parents=True, exist_ok=True)
        photo.write_bytes(f"photo of {booth}".encode())
        parts.queue.journal.path = tmp_path / f"{booth}-uploads.jsonl"
        parts.publisher.layout = layout
        parts.queue.add(f"token-{booth}", layout.photo_name(photo), 1767225600.0)
        work_until_done(parts, clock)
    file = config_file(tmp_path / "kiosk.toml", shared, tmp_path / "staff")
    assert main(["--config", str(file), "cloud", "gallery", "--valid-for", "2h"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2 photos of Sommerfest 2026")
    status, page, _ = fetch(out[1])
    assert status == 200 and b"booth-a (1)" in page and b"booth-b (1)" in page
    images = re.findall(r'<img src="([^"]+)"', page.decode())
    assert len(images) == 2 and fetch(images[0].replace("&amp;", "&"))[0] == 200
    export = tmp_path / "export"
    assert main(["--config", str(file), "cloud", "export", str(export)]) == 0
    assert capsys.readouterr().out.startswith("2 photos fetched, 0 already")
    assert (export / "booth-a" / "token-booth-a.jpg").read_bytes() == b"photo of booth-a"
    assert main(["--config", str(file), "cloud", "export", str(export)]) == 0
    assert capsys.readouterr().out.startswith("0 photos fetched, 2 already"), "resumable"


def test_a_retake_and_the_end_of_retention_delete_the_copies_in_the_store(
    make_app, config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path)
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    app.start(0.0)
    now = press_to_review(app)
    rejected = app.machine.photo
    work_until_done(parts, clock)
    assert parts.store.get(parts.publisher.photo_key(rejected.token))
    app.post(SecondButton())  # take it again
    app.step(now + 0.1)
    work_until_done(parts, clock)
    assert not [key for key, _ in parts.store.keys("") if rejected.token in key]
    from kiosk.photos.retention import purge

    _visit(app, now + 1)  # the next person keeps theirs
    work_until_done(parts, clock)
    assert parts.queue.counts().uploaded >= 1
    result = purge(app.store.index, config.storage.layout, dt.datetime.now().timestamp() + 1, 0.5)
    assert result.tokens
    for token in result.tokens:
        app.store.mirror.remove(token)
    work_until_done(parts, clock)
    assert not list(parts.store.keys("")), "nothing of the event is left in the store"


def press_to_review(app) -> float:
    from helpers import advance, press

    now = press(app, MainButton(), 0.2)
    now = press(app, MainButton(), now + 0.1)
    return advance(app, now, app.config.timing.countdown + 0.4)


def test_cloud_when_uploaded_shows_the_booth_link_until_the_photo_is_in_the_store(
    make_app, config, swift, tmp_path
) -> None:
    config = cloud_config(config, swift, tmp_path, links="cloud-when-uploaded")
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    app.start(0.0)
    now = press_to_review(app)
    photo = app.machine.photo
    booth_link = f"http://booth.test:8080/p/{photo.token}"
    assert app.capture.shown_for(photo).link == photo.url == booth_link
    work_until_done(parts, clock)
    shown = app.capture.shown_for(photo)
    assert shown.link.startswith(swift.endpoint) and "X-Amz-Signature" in shown.link
    assert fetch(shown.link)[0] == 200
    app.post(MainButton())
    app.step(now + 0.2)
    assert decode_qr(screenshots(app)["share"]) == [shown.link]


def test_kiosk_cloud_check_does_a_round_trip_and_names_a_wrong_secret(
    config, swift, tmp_path, capsys
) -> None:
    good = cloud_config(config, swift, tmp_path)
    file = config_file(tmp_path / "kiosk.toml", good, tmp_path / "data")
    assert main(["--config", str(file), "cloud", "check"]) == 0
    out = capsys.readouterr().out
    assert "fetched it back through a presigned link, byte for byte" in out
    (tmp_path / "wrong").mkdir()
    wrong = credentials_file(tmp_path / "wrong", "nope")
    config_file(file, good, tmp_path / "data", credentials=wrong)
    assert main(["--config", str(file), "cloud", "check"]) == 1
    assert "the store refused the secret key" in capsys.readouterr().err


def test_check_config_guards_the_credentials_file(tmp_path, portrait_file, capsys) -> None:
    secret = tmp_path / "cloud.toml"
    secret.write_text('access_key = "a"\nsecret_key = "b"\n')
    secret.chmod(0o644)
    file = tmp_path / "kiosk.toml"
    file.write_text(
        f'[camera]\nimage = "{portrait_file}"\n[storage]\ndir = "{tmp_path / "data"}"\n'
        f'[cloud]\nenabled = true\ncredentials_file = "{secret}"\n'
    )
    assert main(["check-config", str(file)]) == 2
    err = capsys.readouterr().err
    assert "can be read by others (mode 644)" in err and "chmod 600" in err
    secret.chmod(0o600)
    secret.write_text('access_key = "a"\n')
    assert main(["check-config", str(file)]) == 2
    assert "needs secret_key" in capsys.readouterr().err
    secret.write_text('access_key = "a"\nsecret_key = "b"\n')
    assert main(["check-config", str(file)]) == 0
    file.write_text(file.read_text() + 'links = "cloud"\n[share]\nlink_ttl = "8d"\n')
    assert main(["check-config", str(file)]) == 2
    assert "at most 7 days with cloud links" in capsys.readouterr().err


def test_the_journal_survives_a_torn_last_line(tmp_path) -> None:
    journal = UploadJournal(tmp_path / "uploads.jsonl")
    journal.append({"op": "upload", "token": "t1", "file": "photos/a.jpg", "created": 1.0})
    journal.append({"op": "upload", "token": "t2", "file": "photos/b.jpg", "created": 2.0})
    journal.append({"op": "uploaded", "token": "t1"})
    with journal.path.open("a") as file:
        file.write('{"op": "uploaded", "tok')  # the power went mid-line
    counts = counts_of(UploadJournal(journal.path).replay())
    assert (counts.queued, counts.uploaded) == (1, 1)


def test_a_photo_deleted_at_its_owners_request_leaves_the_store_too(
    make_app, config, swift, tmp_path
) -> None:
    from kiosk.share.state import ShareState

    config = cloud_config(config, swift, tmp_path)
    clock = Clock()
    app, parts = booth_with_cloud(make_app, config, clock)
    full_visit(app)
    photo = app.machine.photo
    work_until_done(parts, clock)
    assert [key for key, _ in parts.store.keys("") if photo.token in key]
    # The phone page's "Delete my photo now", as the download server records it.
    assert ShareState(config.storage.layout.share_state_dir).request_deletion(photo.token, 0.0)
    assert app.housekeeping.delete_requested() == 1  # the booth's next look, within a minute
    assert not Path(photo.path).exists()
    work_until_done(parts, clock)
    assert not [key for key, _ in parts.store.keys("") if photo.token in key]
