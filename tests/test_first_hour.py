"""The first hour of a new operator: the demo's default picture, the demo key, the visit line in
the system journal, check-config's one run, and progress of long jobs."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from helpers import pace_without_scoring_budget, patient

from kiosk.booth.events import MainButton
from kiosk.booth.machine import Phase
from kiosk.camera.image_camera import DEMO_PORTRAIT, demo_camera
from kiosk.cli import main
from kiosk.config import Config
from kiosk.photos.credentials import demo_keys, load_signer
from kiosk.progress import Progress
from kiosk.vision.analyser import AnalyserProcess
from kiosk.vision.session import FramingSession
from kiosk.vision.thresholds import PRESETS


def test_the_demo_portrait_ships_with_the_package() -> None:
    assert DEMO_PORTRAIT.is_file() and DEMO_PORTRAIT.parent.name == "camera"
    assert DEMO_PORTRAIT.read_bytes().startswith(b"\xff\xd8\xff")


def test_the_default_demo_reaches_the_share_screen_after_one_press(
    make_app, config: Config, models_dir: Path
) -> None:
    """`kiosk demo` with no options: the first button, then no key at all to the share screen."""
    camera = demo_camera(config.model_copy(update={"camera": Config().camera}), None)
    session = FramingSession(
        AnalyserProcess(models_dir, pace=pace_without_scoring_budget()),
        PRESETS["business"],
        config.camera.sensor_size,
        config.photo.aspect_ratio,
    )
    links: list[tuple[str, str]] = []
    app = make_app(camera=camera, session=session, announce=lambda *told: links.append(told))
    app.start(0.0)
    app.post(MainButton())
    now, phases = 0.0, []
    limit = 10.0 + config.timing.countdown + config.timing.review_timeout + 10.0
    while now < limit and app.machine.phase is not Phase.SHARE:
        now += 0.1
        app.step(now)
        if not phases or phases[-1] is not app.machine.phase:
            phases.append(app.machine.phase)
        analyser = app.guidance.session.analyser
        waiting = analyser.busy or not analyser.working
        if app.machine.phase is Phase.FRAMING and analyser.running and waiting:
            assert analyser.wait(patient(60)), "the analyser did not answer"
    assert app.machine.phase is Phase.SHARE, f"stopped at {phases}"
    assert Phase.FRAMING in phases and Phase.REVIEW in phases
    advice = app.machine.advice
    assert advice is None or advice.cue is None, "the still picture needs no cue"
    told = [(app.machine.photo.url, app.machine.photo.path)]
    assert links == told, "the demo is told the link once, as the screen shows"


def test_the_system_journal_never_sees_a_token(make_app, config: Config, caplog) -> None:
    from helpers import full_visit, press

    app = make_app()
    with caplog.at_level(logging.INFO, logger="kiosk.booth.visit_log"):
        now = full_visit(app)
        token = app.machine.photo.token
        press(app, MainButton(), now + 0.1)
    [line] = config.storage.layout.visits_path.read_text().splitlines()
    record = json.loads(line)
    assert record["token"] == token, "the visit log's own file keeps the token"
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("visit ")]
    assert logged and record["token"] not in "\n".join(logged)
    assert json.loads(logged[0].removeprefix("visit "))["outcome"] == record["outcome"]


def test_the_demo_key_signs_but_is_never_trusted(
    make_app, config: Config, tmp_path: Path, capsys
) -> None:
    from helpers import full_visit

    chain, key = demo_keys(config.storage.layout.demo_keys_dir, "desk")
    demo = config.credentials.model_copy(update={"certificate_chain": chain, "private_key": key})
    signed = config.model_copy(update={"credentials": demo})
    app = make_app(signed, signer=load_signer(signed))
    full_visit(app)
    app.store.finish_signing()
    photo = app.machine.photo.path
    assert main(["verify", photo]) == 0
    out = capsys.readouterr().out
    assert "demo key" in out and "proves nothing" in out and "Valid" in out
    ca = config.storage.layout.demo_keys_dir / "ca.pem"
    assert main(["verify", photo, "--trust", str(ca)]) == 5
    captured = capsys.readouterr()
    assert "Trusted" not in captured.out
    assert "the demo key's CA" in captured.err and "kiosk keys init" in captured.err
    assert not config.storage.layout.keys_dir.exists(), "'kiosk keys init' still finds no keys"


@pytest.mark.parametrize(
    ("key_made", "said"),
    [
        (3600.0, "signed 1 photo taken before the signing key existed"),
        (-3600.0, "signed 1 photo an earlier run had left unsigned"),
    ],
    ids=["key made after the photo", "key there, signing cut short"],
)
def test_start_up_signing_says_what_happened_and_never_blames_a_crash(
    key_made: float, said: str, make_app, config: Config, tmp_path: Path, caplog
) -> None:
    import os

    from conftest import FIXED_TIME
    from helpers import full_visit

    from kiosk.assembly import photo_store
    from kiosk.photos.credentials import signing_key_paths

    full_visit(make_app())  # unsigned: no key yet, or (as far as the journal says) cut short
    assert main(["--config", str(_config_file(config, tmp_path)), "keys", "init"]) == 0
    made = FIXED_TIME.timestamp() + key_made
    os.utime(signing_key_paths(config)[1], (made, made))
    store = photo_store(config)
    with caplog.at_level(logging.INFO):
        assert store.sign_unsigned() == 1
    store.close()
    assert said in caplog.text
    assert "crash" not in caplog.text


def test_check_config_lists_every_problem_in_one_run(tmp_path: Path, capsys) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "[share]\nport = 80808\n"  # a schema problem ...
        "[camera]\nbackend = 'picamera2'\n"  # ... and start checks of other sections
        "[storage]\ndir = '/proc/nope'\n"
        "[branding]\nlogo = '/etc/hostname'\n"
    )
    assert main(["check-config", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    keys = sorted(line.split(":")[0].split(" ")[0] for line in lines[:-1])
    assert keys == ["branding.logo", "camera.backend", "share.port", "storage.dir"], lines
    assert lines[-1].startswith("4 problems; ")


def test_a_section_with_a_wrong_key_is_not_start_checked_as_defaults(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[storage]\ndir = '/proc/nope'\nretention = 'soon'\n")
    assert main(["check-config", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["storage.retention"]
    assert lines[-1].startswith("1 problem; ")


def test_progress_counts_on_a_log_and_rewrites_a_terminal() -> None:
    log = io.StringIO()
    progress = Progress("writing every screen", 20, "sets", stream=log)
    for _ in range(20):
        progress.advance()
    progress.done()
    lines = log.getvalue().splitlines()
    assert lines[0].startswith("writing every screen: 0 of 20 sets")
    assert lines[-1].startswith("writing every screen: 20 of 20 sets")
    assert len(lines) == 11, "a line at each tenth, the last not repeated"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = Progress("models", 3, stream=terminal)
    progress.advance()
    progress.done()
    assert terminal.getvalue().count("\r") == 3 and terminal.getvalue().endswith("\n")


def _config_file(config: Config, tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[storage]\ndir = "{config.storage.dir}"\n')
    return path


@pytest.fixture(autouse=True)
def _no_system_config(monkeypatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)


def test_the_demo_takes_the_german_form_of_address(monkeypatch, tmp_path: Path) -> None:
    import kiosk.assembly

    chosen: list[Config] = []
    monkeypatch.setattr(kiosk.assembly, "run_demo", lambda config, *_: chosen.append(config) or 0)
    config = tmp_path / "kiosk.toml"
    config.write_text("[event]\naddress = 'du'\n")
    assert main(["--config", str(config), "demo", "--language", "de", "--address", "Sie"]) == 0
    assert main(["--config", str(config), "demo", "--language", "de"]) == 0
    assert [c.event.address for c in chosen] == ["Sie", "du"]
    assert chosen[0].texts_for().get("cue_come_closer") != chosen[1].texts_for().get(
        "cue_come_closer"
    )
