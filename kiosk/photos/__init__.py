"""The attendee's photos on disk: saving a crop safely, the share index, retention, and
Content Credentials.

Owns: ``store`` (crop of one still to JPEG, written atomically, indexed, signed beside the
booth), ``index`` (which token names which photo), ``retention`` (deleting what has expired),
``credentials`` (C2PA signing and verifying).
May import: ``kiosk.camera`` and the foundation.
"""
