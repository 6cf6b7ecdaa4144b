"""Real people beyond the astronaut (tests/portraits/SOURCES.md) in every framing situation of
issue 11 on a 4608 x 2592 sensor: the engine names the right fix (bench/real_faces.py prints the
table)."""

from __future__ import annotations

from real_faces import SITUATIONS, markdown, outcomes, people, share_right


def test_the_portraits_are_real_and_enough_people() -> None:
    assert len(people()) >= 8
    assert len(SITUATIONS) == 11


def test_the_right_cue_for_real_people_in_every_situation(face_analyser) -> None:
    table = outcomes(face_analyser)
    assert share_right(table) >= 0.97, markdown(table)
