"""Getting the photo to the attendee's phone: the download server and the share links.

Owns: ``server`` (the phone's page and the original file, over the booth's network), ``links``
(the booth's address, QR codes of links and of the Wi-Fi to join).
May import: ``kiosk.photos``, ``kiosk.camera`` and the foundation.
"""
