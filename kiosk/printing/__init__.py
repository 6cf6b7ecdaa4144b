"""Prints through CUPS, when the operator wants them: the print file (the photo's JPEG placed
unchanged in a PDF page, the event's strip), what the printer can do now, which jobs to send or
cancel, the journal that sends no job twice, and the worker that does it off the UI thread.

Imports only from the layers below it (``kiosk``, ``texts``, ``files``, ``config``).
"""
