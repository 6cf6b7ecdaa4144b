"""Seeing the person: faces on a frame, the framing rules that judge them, and the burst's choice.

Owns: ``faces`` (MediaPipe's models on LiteRT), ``analyser`` (the models in a process of their
own), ``thresholds`` (the rules' numbers and presets), ``cropping`` (crop first, ask last),
``framing`` (the pure framing engine: one cue at a time), ``burst`` (the best real frame),
``session`` (live frames to verdicts for each visit), ``model_files`` (fetching and checking the
model files). The rules themselves: docs/framing.md.
May import: ``kiosk.camera`` and the foundation.
"""
