"""The kiosk command as a user runs it, in a separate process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import patient

KIOSK = [sys.executable, "-m", "kiosk"]


def run_kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    environment.pop("KIOSK_CONFIG", None)
    return subprocess.run(
        [*KIOSK, *args],
        capture_output=True,
        text=True,
        timeout=patient(360),
        env={**environment, **(env or {})},
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_runs_in_a_window_with_its_download_server(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    port = free_port()
    config.write_text(
        f'[storage]\ndir = "{tmp_path / "data"}"\n[share]\nhost = "127.0.0.1"\nport = {port}\n'
    )
    environment = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    demo = subprocess.Popen(
        [*KIOSK, "--config", str(config), "demo", "--quit-after", "6"],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    health = None
    # As long as the demo runs: its server comes up in a second here, in a minute or more in
    # an emulated arm64 chroot.
    deadline = time.monotonic() + patient(360)
    while health is None and demo.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                health = json.load(reply)
        except OSError:
            time.sleep(0.1)  # waiting for another process to come up, not for booth time
    # Every screen, written with --screenshots: tests/test_readme_recipes.py follows that recipe.
    _, errors = demo.communicate(timeout=max(1.0, deadline - time.monotonic()))
    assert demo.returncode == 0, errors
    assert health is not None and health["status"] == "ok", "demo starts the download server"
    assert (tmp_path / "data" / "index" / "photos.sqlite3").is_file()
    with pytest.raises(OSError):  # and stops it again
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)


def test_run_never_falls_back_to_the_demo_portrait_by_itself(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[camera]\nbackend = "auto"\n[storage]\ndir = "{tmp_path}"\n')
    result = run_kiosk("--config", str(config), "run", "--quit-after", "0.2")
    assert result.returncode == 2, "a Pi without its camera stack is a fault, never a picture"
    assert "camera.backend = 'auto'" in result.stderr


def test_demo_with_a_missing_image_is_refused(tmp_path: Path) -> None:
    result = run_kiosk("demo", "--image", str(tmp_path / "nope.jpg"))
    assert result.returncode == 2
    assert "--image" in result.stderr


def test_bad_config_stops_every_command(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[photo]\nburst_count = 50\n")
    result = run_kiosk("demo", env={"KIOSK_CONFIG": str(config)})
    assert result.returncode == 2
    assert result.stderr.startswith("photo.burst_count: 50 is out of range")


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip() == "" or result.stderr.strip().splitlines()[-1].strip()


GOOD_CONFIGS = {
    "a desk with a picture": "",
    "english, wifi and a text of the event's own": (
        "[event]\nlanguage = 'en'\nname = 'Gala 2026'\noperator = 'Studio Nord'\n"
        "[share.wifi]\nssid = 'Fotobox'\npassword = 'geheim123'\n"
        "[texts.en]\nattract_press = 'Press the {button_main} for your portrait'\n"
    ),
    "a logo, other colours, a tall window": (
        "[branding]\nlogo = 'portrait.png'\nbackground = '#000000'\naccent = '#00aa88'\n"
        "[display]\nsize = [720, 1280]\n"
    ),
    "guidance off, short timings, no retakes": (
        "[guidance]\nenabled = false\n[timing]\ncountdown = 1\nretakes = 0\nreview_timeout = '5s'\n"
    ),
    "share server on loopback only": "[share]\nhost = '127.0.0.1'\nport = 8099\n",
}


@pytest.mark.parametrize("case", GOOD_CONFIGS, ids=list(GOOD_CONFIGS))
def test_a_config_check_config_accepts_starts_the_booth(
    case: str, tmp_path: Path, portrait_file: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    (tmp_path / "portrait.png").write_bytes(portrait_file.read_bytes())
    window = "" if "[display]" in GOOD_CONFIGS[case] else "[display]\nfullscreen = false\n"
    config.write_text(
        f'[camera]\nimage = "{portrait_file}"\n[storage]\ndir = "{tmp_path / "data"}"\n'
        + window
        + GOOD_CONFIGS[case]
    )
    checked = run_kiosk("check-config", str(config))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("config OK")
    shots = tmp_path / "shots"
    ran = run_kiosk(
        "run", "--config", str(config), "--quit-after", "1", "--screenshots", str(shots)
    )
    assert ran.returncode == 0, ran.stderr
    assert_no_traceback(ran)
    assert (shots / "001-attract.png").is_file()


def test_global_options_work_after_the_command_and_are_in_its_help(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path}"\n[buttons]\nenabled = false\n')
    before = run_kiosk("--config", str(config), "status")
    after = run_kiosk("status", "--config", str(config), "-v")
    assert after.returncode == before.returncode == 0, after.stderr

    def marks(output: str) -> list[tuple[str, str]]:
        return [(line.split()[0], line.split()[1]) for line in output.splitlines()]

    assert marks(after.stdout) == marks(before.stdout)  # free space may change in between
    assert "disk" in after.stdout and str(tmp_path) in after.stdout
    for command in ("status", "purge", "serve", "demo", "run", "verify", "check-config"):
        helped = run_kiosk(command, "--help")
        assert "--config" in helped.stdout and "--verbose" in helped.stdout, command
    assert run_kiosk("models", "install", "--version").stdout.startswith("echtbild ")


def test_status_on_a_desk_is_fine_with_warnings(tmp_path: Path, portrait_file: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path}"\n[camera]\nimage = "{portrait_file}"\n')
    result = run_kiosk("--config", str(config), "status")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[1]: line.split()[0] for line in result.stdout.splitlines()}
    assert lines["camera"] == "ok" and lines["disk"] == "ok"
    assert lines["credentials"] == "warn"  # no keys yet: photos unsigned, the booth still works


def test_purge_and_serve_name_an_unusable_storage_folder() -> None:
    for command in ("purge", "serve"):
        result = run_kiosk(command, env={"KIOSK_CONFIG": "/dev/null", "XDG_DATA_HOME": "/proc/x"})
        assert result.returncode in (1, 2), command
        assert_no_traceback(result)
        assert result.stderr.strip().splitlines()[0].startswith("storage.dir: cannot use")
        assert "share.port" not in result.stderr


def test_serve_names_a_taken_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "kiosk.toml"
        config.write_text(f'[storage]\ndir = "{tmp_path}"\n[share]\nhost = "127.0.0.1"\n')
        result = run_kiosk("serve", "--config", str(config), "--port", str(port))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert f"share.port: cannot listen on 127.0.0.1:{port}" in result.stderr


def test_demo_refuses_a_file_that_is_no_picture(tmp_path: Path) -> None:
    text_file = tmp_path / "hostname"
    text_file.write_text("booth\n")
    result = run_kiosk("demo", "--image", str(text_file), env={"KIOSK_CONFIG": "/dev/null"})
    assert result.returncode == 2
    assert_no_traceback(result)
    assert f"--image: {text_file} is not a picture" in result.stderr


def test_models_install_says_the_models_are_already_there(models_dir: Path) -> None:
    result = run_kiosk("models", "install", env={"KIOSK_CONFIG": "/dev/null"})
    assert result.returncode == 0
    assert result.stdout.startswith("face models already present, checked")


def test_an_unexpected_error_is_one_line_unless_verbose(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    import kiosk.status
    from kiosk.cli import main

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the status file is haunted")

    monkeypatch.setattr(kiosk.status, "collect", broken)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndir = "{tmp_path}"\n')
    assert main(["status", "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert error == (
        "kiosk status: unexpected error: the status file is haunted (kiosk -v shows the details)\n"
    )
    assert "Traceback" not in caplog.text
    assert main(["status", "--config", str(config), "-v"]) == 1
    assert capsys.readouterr().err.endswith("the status file is haunted\n")
    assert "Traceback" in caplog.text and "haunted" in caplog.text


def test_no_command_prints_the_help() -> None:
    result = run_kiosk()
    assert result.returncode == 2
    assert "COMMAND" in result.stdout and "check-config" in result.stdout


def test_demo_on_a_taken_port_picks_another_and_starts_a_guided_visit_by_itself(
    tmp_path: Path, models_dir: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[storage]\ndir = "{tmp_path / "data"}"\n[share]\nport = {port}\n'
            f'[guidance]\nmodels_dir = "{models_dir}"\n'
        )
        shots = tmp_path / "shots"
        result = run_kiosk(
            "demo", "--config", str(config), "--subject", "guided", "--quit-after", "2",
            "--screenshots", str(shots),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert f"port {port} is taken; the demo's download server uses port" in result.stderr
    first = sorted(path.name for path in shots.iterdir())[0]
    assert first == "001-framing.png", "the visit started without a key press"


@pytest.mark.parametrize(
    ("language", "environment", "config_text", "expected"),
    [
        ("en", {"LANG": "de_DE.UTF-8"}, "", "en"),
        (None, {"LANG": "de_AT.UTF-8"}, "", "de"),
        (None, {"LANG": "en_GB.UTF-8"}, "", "en"),
        (None, {"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "", "en"),
        (None, {"LANG": "en_GB.UTF-8"}, "[event]\nlanguage = 'de'\n", "de"),
    ],
)
def test_demo_language_follows_option_then_config_then_system(
    language: str | None,
    environment: dict[str, str],
    config_text: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import argparse

    from kiosk.cli import _demo_language
    from kiosk.config import load_config

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    path = tmp_path / "kiosk.toml"
    path.write_text(config_text)
    args = argparse.Namespace(language=language)
    assert _demo_language(args, load_config(path)) == expected
