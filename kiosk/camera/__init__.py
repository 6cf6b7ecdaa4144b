"""The camera edge: the interface every camera backend delivers, the Pi camera through
picamera2, the still-image camera with its pictured person, and crops of the sensor image.

Owns: ``frames`` (the interface, stills, pixel layouts), ``crop`` (rectangles of the sensor
image), ``image_camera`` (with the demo portrait, package data: ``demo-portrait.jpg``),
``picam``, ``pictured_person``.
May import: the foundation (``kiosk.config``, ``kiosk.texts``, ``kiosk.files``).
"""
