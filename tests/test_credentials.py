"""Content Credentials on booth photos: signed off the UI thread, checked by the C2PA library."""

from __future__ import annotations

import io
import json
import logging
import stat
from pathlib import Path

import pytest
from helpers import full_visit
from PIL import ExifTags, Image

from kiosk.cli import main
from kiosk.photos.credentials import (
    CA_CERT,
    CA_KEY,
    DIGITAL_CAPTURE,
    SIGNER_CHAIN,
    SIGNER_KEY,
    CredentialsError,
    PhotoSigner,
    init_keys,
    load_signer,
    verify,
)
from kiosk.readiness import booth_problems


@pytest.fixture
def keys(config) -> Path:
    init_keys(config.storage.layout.keys_dir, "booth-7")
    return config.storage.layout.keys_dir


@pytest.fixture
def signed_photo(make_app, config, keys) -> tuple[Path, bytes]:
    """A photo from a whole visit, signed by the booth's own key; and the booth CA."""
    app = make_app(signer=load_signer(config))
    full_visit(app)
    app.store.finish_signing()
    return Path(app.machine.photo.path), (keys / CA_CERT).read_bytes()


def test_keys_are_a_ca_and_a_signer_with_private_keys_kept_private(keys) -> None:
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for name, mode in ((CA_KEY, 0o600), (SIGNER_KEY, 0o600), (CA_CERT, 0o644)):
        assert stat.S_IMODE((keys / name).stat().st_mode) == mode, name
    assert (keys / SIGNER_CHAIN).read_text().count("BEGIN CERTIFICATE") == 2
    with pytest.raises(CredentialsError, match="--force"):
        init_keys(keys, "booth-7")
    init_keys(keys, "booth-7", force=True)


def test_an_operators_key_others_may_read_stops_the_booth(config, keys, tmp_path) -> None:
    """The download server runs in the booth's group: a key the group may read, it may read."""
    own = tmp_path / "operator"
    own.mkdir()
    chain, key = own / "chain.pem", own / "signer.key"
    chain.write_bytes((keys / SIGNER_CHAIN).read_bytes())
    key.write_bytes((keys / SIGNER_KEY).read_bytes())
    key.chmod(0o640)
    operator = config.credentials.model_copy(
        update={"certificate_chain": chain, "private_key": key}
    )
    signed = config.model_copy(update={"credentials": operator})
    said = [p for p in booth_problems(signed, demo=True) if p.startswith("credentials.private_key")]
    assert said == [
        f"credentials.private_key: {key} can be read by others (mode 640); "
        f"make it the booth user's alone: chmod 600 {key}"
    ]
    key.chmod(0o600)
    assert booth_problems(signed, demo=True) == []


def test_booth_photo_is_trusted_with_the_booth_ca_and_valid_without(signed_photo) -> None:
    path, ca = signed_photo
    data = path.read_bytes()
    trusted = verify(data, ca)
    assert trusted.state == "Trusted", trusted.reasons
    assert trusted.signer == "Echtbild booth booth-7"
    assert verify(data).state == "Valid"


def test_one_flipped_byte_of_image_data_is_invalid(signed_photo) -> None:
    path, ca = signed_photo
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0x01  # inside the compressed image
    verdict = verify(bytes(data), ca)
    assert verdict.state == "Invalid"
    assert any("mismatch" in reason or "hash" in reason for reason in verdict.reasons)


def test_unsigned_jpeg_has_no_credentials(portrait_file, tmp_path) -> None:
    buffer = io.BytesIO()
    Image.open(portrait_file).save(buffer, "JPEG")
    assert verify(buffer.getvalue()).state == "none"


def test_manifest_says_camera_capture_cropped_by_whom_for_what(signed_photo) -> None:
    path, _ = signed_photo
    manifest = verify(path.read_bytes()).manifest
    assert manifest["claim_generator_info"][0]["name"] == "Echtbild"
    assertions = {item["label"]: item["data"] for item in manifest["assertions"]}
    actions = assertions["c2pa.actions.v2"]["actions"]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"] == DIGITAL_CAPTURE
    assert actions[0]["when"] == "2026-07-04T15:30:12+02:00"
    assert actions[1]["action"] == "c2pa.cropped"
    assert actions[1]["parameters"]["width"] == 2074
    work = assertions["stds.schema-org.CreativeWork"]
    assert work["author"] == [{"@type": "Organization", "name": "Fotoclub Müller"}]
    assert work["about"]["name"] == "Sommerfest 2026"
    booth = assertions["org.echtbild.booth"]
    assert booth == {
        "booth": "booth-7",
        "event": "Sommerfest 2026",
        "operator": "Fotoclub Müller",
        "captured": "2026-07-04T15:30:12+02:00",
    }
    assert "thumbnail" not in json.dumps(manifest), "no scaled copy of the person"


def test_signing_keeps_the_exif_and_the_pixels(make_app, config, keys) -> None:
    unsigned_app = make_app()
    full_visit(unsigned_app)
    unsigned = Image.open(unsigned_app.machine.photo.path)
    signed_app = make_app(signer=load_signer(config))
    full_visit(signed_app)
    signed_app.store.finish_signing()
    signed = Image.open(signed_app.machine.photo.path)
    assert dict(signed.getexif()) == dict(unsigned.getexif())
    assert signed.getexif().get_ifd(ExifTags.IFD.Exif) == unsigned.getexif().get_ifd(
        ExifTags.IFD.Exif
    )
    assert signed.tobytes() == unsigned.tobytes(), "the same image, decoded"


def test_without_a_key_photos_are_saved_unsigned_with_a_warning(make_app, config, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        signer = load_signer(config)
    assert signer is None
    assert "photos are saved unsigned" in caplog.text and "kiosk keys init" in caplog.text
    app = make_app(signer=signer)
    full_visit(app)
    path = Path(app.machine.photo.path)
    assert path.is_file() and verify(path.read_bytes()).state == "none"


def test_a_broken_key_leaves_the_photo_unsigned_and_saved(make_app, config, keys, caplog) -> None:
    signer = load_signer(config)
    (keys / SIGNER_KEY).write_text("not a key")
    with pytest.raises(CredentialsError):
        PhotoSigner(keys / SIGNER_CHAIN, keys / SIGNER_KEY)

    def failing_sign(data: bytes, facts: object) -> bytes:
        raise CredentialsError("the signing device is gone")

    signer.sign = failing_sign
    app = make_app(signer=signer)
    with caplog.at_level(logging.WARNING):
        full_visit(app)
        app.store.finish_signing()
    path = Path(app.machine.photo.path)
    assert "stays unsigned: the signing device is gone" in caplog.text
    assert Image.open(path).size == (2074, 2592)


def test_kiosk_verify_exit_codes(signed_photo, portrait_file, tmp_path, capsys) -> None:
    path, ca = signed_photo
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca)
    assert main(["verify", str(path), "--trust", str(ca_file)]) == 0
    assert "Trusted" in capsys.readouterr().out
    assert main(["verify", str(path)]) == 0
    assert "Valid" in capsys.readouterr().out
    broken = tmp_path / "broken.jpg"
    data = bytearray(path.read_bytes())
    data[len(data) * 2 // 3] ^= 0x01
    broken.write_bytes(bytes(data))
    assert main(["verify", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "Invalid" in out
    assert "captured by a camera" not in out, "a broken claim is never repeated"
    plain = tmp_path / "plain.jpg"
    Image.open(portrait_file).save(plain, "JPEG")
    assert main(["verify", str(plain)]) == 3
    assert "no Content Credentials" in capsys.readouterr().out


def test_kiosk_verify_tells_another_ca_and_a_bad_trust_file_apart(
    signed_photo, tmp_path, capsys
) -> None:
    path, _ = signed_photo
    other = init_keys(tmp_path / "other-booth", "booth-9")[0]
    assert main(["verify", str(path), "--trust", str(other)]) == 4
    out = capsys.readouterr().out
    assert "Valid but not trusted" in out and str(other) in out
    not_a_certificate = tmp_path / "hostname"
    not_a_certificate.write_text("booth\n")
    assert main(["verify", str(path), "--trust", str(not_a_certificate)]) == 5
    captured = capsys.readouterr()
    assert captured.err.startswith(f"--trust {not_a_certificate}: not a CA certificate")
    assert "Invalid" not in captured.out, "the photo is not blamed for the trust file"
    signer = tmp_path / "other-booth" / SIGNER_CHAIN
    assert main(["verify", str(path), "--trust", str(signer)]) == 5
    assert "not a CA's" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.jpg")]) == 2
    assert "cannot read it (No such file or directory)" in capsys.readouterr().err


def test_kiosk_keys_init_writes_where_the_booth_looks(config, tmp_path, capsys) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    assert main(["--config", str(path), "keys", "init"]) == 0
    assert load_signer(config) is not None
    assert main(["--config", str(path), "keys", "init"]) == 1
