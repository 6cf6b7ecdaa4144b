"""Getting the photo to the attendee's phone: the download server and the share links.

Owns: ``server`` (the phone's page and the original file, over the booth's network), ``links``
(the booth's address, QR codes of links and of the Wi-Fi to join), ``portal`` (the sign-in sheet
for phones on the booth's own Wi-Fi), ``on_screen`` (what the booth's screen shows: the booth
writes it, the server reads it).
May import: ``kiosk.photos``, ``kiosk.camera``, ``kiosk.hotspot`` and the foundation.
"""
