"""Keys on a desk: the two buttons, and in the demo the pictured person's steps."""

from __future__ import annotations

import pygame

from kiosk.booth.events import MainButton, SecondButton
from kiosk.camera.pictured_person import PicturedPerson
from kiosk.hardware.buttons import Press

PERSON_STEP = 0.02
PERSON_ZOOM = 1.1
# A press's event, made with the moment it happened: BUTTON_EVENTS[press](at).
BUTTON_EVENTS = {Press.MAIN: MainButton, Press.SECOND: SecondButton}
PERSON_MOVES = {
    pygame.K_LEFT: (-PERSON_STEP, 0.0),
    pygame.K_RIGHT: (PERSON_STEP, 0.0),
    pygame.K_UP: (0.0, -PERSON_STEP),
    pygame.K_DOWN: (0.0, PERSON_STEP),
}


def move_person(person: PicturedPerson, key: int) -> None:
    """Arrow keys step the pictured person; + and - bring them closer or further."""
    if key in PERSON_MOVES:
        person.move(*PERSON_MOVES[key])
    elif key in (pygame.K_PLUS, pygame.K_KP_PLUS, pygame.K_EQUALS):
        person.scale(PERSON_ZOOM)
    elif key in (pygame.K_MINUS, pygame.K_KP_MINUS):
        person.scale(1 / PERSON_ZOOM)
