"""The README's desktop recipes, followed as a newcomer follows them: from a fresh checkout (the
tracked files only), with a home of their own and no display, every command the README names.
Any step that exits non-zero where the README does not say so fails the test.

Installing is not repeated (the test runs the checkout's package with this interpreter, as `pip
install -e` would), and the face models are put where `kiosk models install` puts them, from
the tests' own copy: the tests talk to no network but loopback."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from helpers import patient

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fresh_checkout(folder: Path) -> Path:
    """The files git tracks, as a clone has them (nothing of this working copy's runs); without
    git, the tree without what runs and builds leave behind."""
    checkout = folder / "echtbild"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        leftovers = shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", "*.egg-info", ".*_cache", "build", "dist", "out"
        )
        shutil.copytree(ROOT, checkout, ignore=leftovers)
        return checkout
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():  # a file deleted but not yet committed is not in a clone either
            target = checkout / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return checkout


class Newcomer:
    """A shell in the checkout: a home of their own, no display, no config of the system's."""

    def __init__(self, checkout: Path, home: Path):
        self.checkout = checkout
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "KIOSK_CONFIG"}
            and not key.startswith("XDG_")
        }
        self.env.update(HOME=str(home), SDL_AUDIODRIVER="dummy", PYTHONPATH=str(checkout))

    def command(self, line: str) -> list[str]:
        """A `kiosk ...` line of the README, as this interpreter runs it from the checkout."""
        assert line in README, f"the README no longer says {line!r}"
        words = line.split()
        assert words[0] == "kiosk"
        return [sys.executable, "-m", "kiosk", *words[1:]]

    def environment(self, offscreen: bool) -> dict[str, str]:
        return {**self.env, **({"SDL_VIDEODRIVER": "dummy"} if offscreen else {})}

    def run(self, line: str, *extra: str, offscreen: bool = False, code: int = 0):
        result = subprocess.run(
            [*self.command(line), *extra],
            cwd=self.checkout,
            env=self.environment(offscreen),
            capture_output=True,
            text=True,
            timeout=patient(600),
            check=False,
        )
        assert result.returncode == code, f"{line}: exit {result.returncode}\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        return result


def test_the_readme_desktop_recipes_work_from_a_fresh_checkout(
    tmp_path: Path, models_dir: Path
) -> None:
    checkout = fresh_checkout(tmp_path)
    home = tmp_path / "home"
    data = home / ".local" / "share" / "echtbild"
    shutil.copytree(models_dir, data / "models")  # as `kiosk models install` left them
    newcomer = Newcomer(checkout, home)

    # Quick start on a machine without a display: one line saying so, exit 2.
    answer = newcomer.run("kiosk demo", code=2)
    assert answer.stderr.count("\n") == 1 and "no display" in answer.stderr
    assert "SDL_VIDEODRIVER=dummy" in answer.stderr, "it says how to run it offscreen"

    # The same offscreen: the guided visit takes its photo, the demo prints its link, signs it
    # with its demo key, and the link opens the phone page.
    log = tmp_path / "demo.log"
    with log.open("w") as errors_file:
        demo = subprocess.Popen(
            newcomer.command("kiosk demo --subject guided"),
            cwd=checkout,
            env=newcomer.environment(offscreen=True),
            stdout=subprocess.PIPE,
            stderr=errors_file,
            text=True,
        )
        try:
            told = _first_photo_line(demo, patient(300))
            link, file = re.fullmatch(r"photo: (\S+) \(saved as (.+)\)", told).groups()
            with urllib.request.urlopen(link, timeout=patient(10)) as page:
                assert page.status == 200 and b"photo.jpg" in page.read()
        finally:
            demo.send_signal(signal.SIGTERM)
            demo.communicate(timeout=patient(60))
    errors = log.read_text()
    assert demo.returncode == 0, errors
    assert "made a demo signing key" in errors
    assert (data / "keys-demo").is_dir() and not (data / "keys").exists()

    verified = newcomer.run("kiosk verify", file)
    assert "Valid" in verified.stdout and "demo key" in verified.stdout

    # The example, as shipped, passes its own check; so does the copy the README makes.
    assert newcomer.run("kiosk check-config config/kiosk.toml").stdout.startswith("config OK")
    shutil.copy(checkout / "config" / "kiosk.toml", checkout / "my-booth.toml")
    sed = re.search(r"^(sed -i .+ my-booth\.toml)$", README, re.MULTILINE)
    assert sed, "the README's recipe edits the copy"
    subprocess.run(sed.group(1), shell=True, cwd=checkout, check=True)
    assert 'dir = "booth-data"' in (checkout / "my-booth.toml").read_text()
    checked = newcomer.run("kiosk check-config my-booth.toml")
    assert checked.stdout.startswith("config OK: my-booth.toml")
    shutil.copytree(models_dir, checkout / "booth-data" / "models")  # no download in a test
    newcomer.run("kiosk demo --config my-booth.toml", "--quit-after", "2", offscreen=True)
    assert (checkout / "booth-data" / "index" / "photos.sqlite3").is_file()

    # Status says which display it would really use: none here, one offscreen when asked.
    status = newcomer.run("kiosk status", code=1)
    assert re.search(r"^FAIL\s+display\s+no display", status.stdout, re.MULTILINE)
    offscreen = newcomer.run("kiosk status", offscreen=True)
    assert re.search(r"^warn\s+display\s+video driver dummy", offscreen.stdout, re.MULTILINE)

    # Every screen, with progress while it works.
    shots = newcomer.run("kiosk demo --screenshots shots", "--quit-after", "2", offscreen=True)
    assert "writing every screen: 0 of" in shots.stderr
    assert re.search(r"writing every screen: (\d+) of \1 sets", shots.stderr)
    every = {path.name for path in (checkout / "shots" / "every-screen").iterdir()}
    for language in ("de", "de-sie", "en"):
        for size in ("1920x1080", "1080x1920", "1280x720"):
            for screen in ("attract", "framing-chin_up", "countdown-1", "review", "share"):
                assert f"{language}-{size}-{screen}.png" in every
            assert f"{language}-wifi-{size}-share.png" in every
    # The set the screen tests check, and the first screen as it was entered.
    assert sorted(path.name for path in (checkout / "shots").iterdir()) == [
        "001-attract.png",
        "every-screen",
    ]

    # What the recipes made is what .gitignore keeps out of a commit.
    if shutil.which("git") is None:
        return
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "booth-data", "my-booth.toml", "shots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == ["booth-data", "my-booth.toml", "shots"]


def _first_photo_line(demo: subprocess.Popen, within: float) -> str:
    """The demo's first `photo:` line (a guided visit takes about a minute of real time)."""
    assert demo.stdout is not None
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([demo.stdout], [], [], 1.0)
        if not ready:
            continue
        line = demo.stdout.readline()
        if not line:
            raise AssertionError(f"the demo ended without a photo: exit {demo.wait()}")
        if line.startswith("photo: "):
            return line.strip()
    raise AssertionError(f"no photo within {within:.0f} s")


def test_the_package_carries_the_demo_portrait() -> None:
    """Installed as install.sh installs it (not editable), the portrait is package data."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["setuptools"]["package-data"]["kiosk.camera"]
    assert "demo-portrait.jpg" in shipped
    assert (ROOT / "kiosk" / "camera" / "demo-portrait.jpg").is_file()
    assert "scikit-image" not in " ".join(project["project"]["dependencies"])


def test_pytest_shows_its_summary_line_with_q() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "-q" not in project["tool"]["pytest"]["ini_options"].get("addopts", "")
