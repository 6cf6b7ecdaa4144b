"""The booth's body besides the camera: buttons, lights, the display, systemd's notify socket.

Owns: ``buttons`` (arcade buttons and keys as presses), ``lights`` (button LEDs and the face
light), ``gpio`` (what GPIO devices share), ``display`` (opening the screen), ``sdnotify``.
Knows nothing of the booth's states: the booth says what to show, these modules show it.
May import: the foundation.
"""
