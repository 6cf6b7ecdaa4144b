"""The booth itself: the state machine of a visit, the loop that runs it, and what it shows.

Owns: ``machine`` and ``events`` (the pure, clock-injected state machine), ``loop`` (wires the
parts and runs a frame), ``guidance`` (the crop's one owner, framing advice for the machine),
``capture`` (burst, choice, save), ``health`` (camera and disk checks), ``housekeeping``
(retention while idle), ``heartbeat`` (systemd), ``lighting`` (what each screen asks of the
lights), ``keyboard``, ``visit_log``, and ``screens`` (one class per screen).
May import: ``kiosk.share``, ``kiosk.photos``, ``kiosk.vision``, ``kiosk.camera``,
``kiosk.hardware`` and the foundation.
"""
