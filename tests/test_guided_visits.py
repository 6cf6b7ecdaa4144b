"""A few simulated guided visits of the honest simulated person (bench/guided_visits.py runs a
hundred and more): too far, too close and half out of view, each ends in a good automatic photo."""

from __future__ import annotations

import pytest
from guided_visits import Start, run_visits


@pytest.mark.many_analyses
def test_people_starting_too_far_too_close_and_half_out_of_view_get_a_good_photo(
    tmp_path, models_dir, face_analyser
) -> None:
    starts = [
        Start(eye_x=0.5, eye_y=0.4, zoom=0.5, roll=5.0, seed=101),  # too far
        Start(eye_x=0.45, eye_y=0.35, zoom=2.5, roll=-6.0, seed=102),  # too close
        Start(eye_x=0.985, eye_y=0.45, zoom=1.3, roll=0.0, seed=103),  # half out of view
    ]
    outcomes = run_visits(starts, tmp_path / "booth", models_dir, face_analyser)
    for outcome in outcomes:
        assert outcome.good, outcome
    first_cues = [outcome.cues[0][0] for outcome in outcomes]
    assert first_cues[0] == "cue_come_closer" and first_cues[1] == "cue_step_back"
    assert first_cues[2] in ("cue_move_right", "cue_step_in")


@pytest.mark.many_analyses
def test_other_real_people_far_too_close_and_half_out_of_view_get_a_good_photo(
    tmp_path, models_dir, face_analyser
) -> None:
    """Beyond the astronaut: a person far too close with low eyes is told to step back first,
    and a person half out of view at the left is told which way to move; both end in a good
    photo, and no blink on the way brings a cue."""
    starts = [
        Start(eye_x=0.5, eye_y=0.7, zoom=2.5, roll=3.0, seed=201, person="obama"),
        Start(eye_x=0.012, eye_y=0.4, zoom=1.2, roll=-4.0, seed=202, person="giunchedi"),
    ]
    outcomes = run_visits(starts, tmp_path / "booth", models_dir, face_analyser)
    for outcome in outcomes:
        assert outcome.good, outcome
        assert outcome.blink_flashes == (), outcome
    assert outcomes[0].cues[0][0] == "cue_step_back", outcomes[0].cues
    assert outcomes[1].cues[0][0] == "cue_move_left", outcomes[1].cues
