"""Every text the attendee reads, in German and English.

Texts may hold ``{placeholders}``; ``Texts.get`` fills them. Operators override single texts per
event in the config (``[texts.de]``, ``[texts.en]``).

Style guide (for every text added here, and for an event's own):
- One voice: the booth is a calm photographer. Speak to the person directly. German comes in
  two addresses: "du" (``TEXTS["de"]``) and "Sie" (``FORMAL_GERMAN``); every text that speaks
  to the person has both, and each uses its address throughout (du: "Schau", "Stell dich",
  "Drück"; Sie: "Schauen Sie", "Stellen Sie sich", "Drücken Sie"). Never an infinitive
  instruction ("Kinn heben"), never a mix. English: plain imperative ("Lift your chin").
- Cues and headlines: short imperatives, five words or fewer where German allows, no full stop,
  no "bitte"/"please" except to soften a refusal ("Bitte nur eine Person"). They are read at
  3 m in at most two lines.
- Sub-lines and body text: whole sentences with a full stop, one idea each.
- Numbered steps on the share screen are labels, the same for du and Sie ("WLAN verbinden",
  "Foto öffnen"): short enough for one line beside their number.
- Button labels name the action ("Behalten", "Keep it"), not the button; the button's name is
  ``{button_main}``/``{button_second}`` in running text.
- Numbers stay with their unit or word: write a no-break space (U+00A0) in "{seconds}\u00a0s",
  "{days}\u00a0Tage", "Schritt\u00a02", so no line holds a lone number. An ellipsis follows a
  no-break space too ("Still halten\u00a0…").
- Say what the booth does, not how: no technical words (no "Server", "Token", "C2PA" except
  where a person checks the proof). The phone page names the operator, never the machine.
- German typography: „…“ quotes, the en dash (U+2013) with spaces, "Fotobox" (not "Box",
  not "Booth"), "Handy", "WLAN", "Link". English: “…” quotes, the apostrophe U+2019 (never
  the straight one), en dash with spaces, "booth", "phone", "Wi-Fi".
- One moment, one phrase: the hold moment reads ``cue_hold_still`` wherever it shows; a
  headline asks for one thing only.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LANGUAGES = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "attract_tagline": "Ein echtes Porträt, angeleitet – gleich danach auf deinem Handy.",
        "attract_press": "Drück den {button_main}, um zu starten.",
        "attract_privacy": (
            "Gespeichert wird erst, wenn du drückst. Dein Link gilt {link_days}\u00a0Tage, "
            "nach {retention_days}\u00a0Tagen wird das Foto gelöscht."
        ),
        "button_main": "großen Knopf",
        "button_second": "kleinen Knopf",
        "step_pose": "Position",
        "step_photo": "Foto",
        "step_phone": "Handy",
        "band_button": "Sofort auslösen",
        "framing_press_title": "Stell dich ins Oval",
        "framing_press": "Dann drück den {button_main}.",
        "framing_timeout_title": "Passt es so?",
        "framing_timeout": "Drück den {button_main} für dein Foto.",
        "framing_hold_auto": "Das Foto kommt gleich von selbst.",
        "framing_hold_press": "Perfekt – drück jetzt",
        "cue_step_in": "Stell dich vor die Kamera",
        "cue_one_person": "Bitte nur eine Person",
        "cue_step_back": "Geh einen Schritt zurück",
        "cue_come_closer": "Komm etwas näher",
        "cue_move_left": "Geh ein Stück nach links",
        "cue_move_right": "Geh ein Stück nach rechts",
        "cue_lower": "Geh etwas in die Knie",
        "cue_higher": "Stell dich ganz gerade hin",
        "cue_tilt_left": "Neig den Kopf nach links",
        "cue_tilt_right": "Neig den Kopf nach rechts",
        "cue_turn_to_camera": "Dreh dein Gesicht zur Kamera",
        "cue_chin_up": "Heb das Kinn ein wenig",
        "cue_chin_down": "Senk das Kinn ein wenig",
        "cue_hold_still": "Perfekt – halt still",
        "cue_look_above": "Schau nach oben zur Kamera",
        "cue_look_below": "Schau nach unten zur Kamera",
        "cue_look_left": "Schau nach links zur Kamera",
        "cue_look_right": "Schau nach rechts zur Kamera",
        "countdown_breathe": "Ausatmen, Schultern locker",
        "countdown_lens": "Schau in die Kamera",
        "capture_hold": "Halt still\u00a0…",
        "capture_got_it": "Im Kasten!",
        "capture_choosing": "Das schärfste Bild wird ausgesucht.",
        "review_title": "Gefällt es dir?",
        "review_mirror": "Die Vorschau war gespiegelt. So sehen dich andere.",
        "review_keep": "Behalten",
        "review_retake": "Neu aufnehmen (noch\u00a0{retakes_left})",
        "review_no_retakes": "Keine weitere Aufnahme möglich",
        "review_suggest_retake": "Augen zu oder verwackelt? Du kannst es neu aufnehmen.",
        "review_auto_keep": "Automatisch in {seconds}\u00a0s",
        "share_title": "Dein Porträt",
        "share_scan": "Scanne den Code mit der Handykamera.",
        "share_scan_steps": "Scanne die zwei Codes der Reihe nach.",
        "share_wifi_step": "WLAN verbinden",
        "share_link_step": "Foto öffnen",
        "share_wifi_network": "WLAN: {ssid}",
        "share_wifi_password": "Passwort:",
        "share_expires": "Der Link gilt {days}\u00a0Tage.",
        "share_done": "Fertig",
        "share_next": "Weiter zu Schritt\u00a02",
        "share_closes": "Schließt in {seconds}\u00a0s",
        "share_next_in": "Weiter in {seconds}\u00a0s",
        "print_offer": "Ausdrucken",
        "print_on_its_way": "Dein Abzug ist unterwegs – warte kurz am Drucker.",
        "print_paused": "Drucken ist gerade pausiert – hol dir dein Foto aufs Handy.",
        "web_print_on_its_way": "Dein Abzug ist unterwegs: Hol ihn gleich am Drucker ab.",
        "web_print_paused": "Drucken ist gerade pausiert – dein Foto ist hier auf deinem Handy.",
        "share_hotspot_title": "Ins WLAN der Fotobox",
        "share_hotspot_scan": "Scanne den Code: Dein Foto öffnet sich dann von selbst.",
        "share_hotspot_other": "Oder gleich zum Foto",
        "sheet_hint_apple": (
            "Dieses Fenster kann keine Fotos sichern. Tippe unten auf „Fertig“, dann oben "
            "rechts auf „Fertig“, und öffne in Safari {address}."
        ),
        "sheet_hint_android": "Tippe auf „Foto herunterladen“ und danach unten auf „Fertig“.",
        "sheet_done": "Fertig",
        "sheet_done_title": "Alles erledigt",
        "sheet_done_body": (
            "Solange du im WLAN der Fotobox bist, findest du dein Foto unter {address}."
        ),
        "sheet_generic_title": "Mach dein Porträt an der Fotobox",
        "sheet_generic_body": (
            "Das ist das WLAN der Fotobox. Nach deinem Foto öffnet es sich hier von selbst: "
            "scanne dazu den Code auf dem Bildschirm."
        ),
        "out_of_order_title": "Gleich wieder da",
        "out_of_order_body": "Die Fotobox macht eine kurze Pause.",
        "web_title": "Dein Porträt – {event}",
        "web_photo_alt": "Dein Porträt",
        "web_download": "Foto herunterladen",
        "web_taken_by": "Fotografiert von {operator} · {event}",
        "web_taken_at_event": "Fotografiert bei {event}",
        "web_taken_at": "Aufgenommen am {time}.",
        "web_expires": "Dieser Link gilt bis {time}.",
        "web_original": "Die Originaldatei: nur zugeschnitten, nichts retuschiert.",
        "web_credentials": (
            "Inhaltsnachweise: mit einer Kamera aufgenommen und signiert von der Fotobox von "
            "{signer}."
        ),
        "web_credentials_how": (
            "Die heruntergeladene Datei trägt diesen Nachweis. Prüfen lässt er sich mit jedem "
            "C2PA-Werkzeug, etwa auf contentcredentials.org/verify."
        ),
        "web_not_found_title": "Nicht gefunden",
        "web_not_found_body": "Zu diesem Link gibt es kein Foto. Prüf, ob er vollständig ist.",
        "web_expired_title": "Dieser Link ist abgelaufen",
        "web_expired_body": "Fotos der Fotobox sind nur eine Weile abrufbar. Danke!",
        "desk_keys": (
            "Leertaste/Enter: großer Knopf · R/Rück: kleiner Knopf · Pfeile: Person bewegen · "
            "+/−: näher/weiter · Esc: Ende"
        ),
        "web_save_iphone": (
            "Auf dem iPhone: Halte das Foto gedrückt und tippe auf „In Fotos sichern“."
        ),
        "web_save_android": (
            "Auf Android: Tippe auf „Foto herunterladen“. Du findest es danach unter "
            "„Downloads“ und in deiner Galerie."
        ),
        "web_delete": "Mein Foto jetzt löschen",
        "web_delete_confirm": (
            "Dein Foto wird endgültig aus der Fotobox gelöscht, und dieser Link funktioniert "
            "dann nicht mehr. Schon heruntergeladene Fotos bleiben auf deinem Handy."
        ),
        "web_delete_yes": "Ja, endgültig löschen",
        "web_deleted_title": "Foto gelöscht",
        "web_deleted_body": (
            "Dieses Foto wurde auf deinen Wunsch gelöscht. Die Fotobox entfernt es innerhalb "
            "einer Minute."
        ),
        "web_delete_refused_title": "Das hat nicht geklappt",
        "web_delete_refused_body": (
            "Die Anfrage kam nicht von der Seite dieses Fotos. Öffne den Link bitte noch einmal "
            "und versuch es erneut."
        ),
        "web_delete_failed_title": "Löschen gerade nicht möglich",
        "web_delete_failed_body": (
            "Versuch es bitte gleich noch einmal, oder sag dem Team an der Fotobox Bescheid – "
            "es löscht das Foto für dich."
        ),
    },
    "en": {
        "attract_tagline": "A real portrait, guided – straight to your phone.",
        "attract_press": "Press the {button_main} to start.",
        "attract_privacy": (
            "Nothing is saved until you press. Your link works for {link_days}\u00a0days, "
            "the photo is deleted after {retention_days}\u00a0days."
        ),
        "button_main": "big button",
        "button_second": "small button",
        "step_pose": "Pose",
        "step_photo": "Photo",
        "step_phone": "Phone",
        "band_button": "Take it now",
        "framing_press_title": "Step into the oval",
        "framing_press": "Then press the {button_main}.",
        "framing_timeout_title": "Happy with it?",
        "framing_timeout": "Press the {button_main} to take your photo.",
        "framing_hold_auto": "The photo takes itself in a moment.",
        "framing_hold_press": "Perfect – press now",
        "cue_step_in": "Step in front of the camera",
        "cue_one_person": "One person at a time, please",
        "cue_step_back": "Take one step back",
        "cue_come_closer": "Come a little closer",
        "cue_move_left": "Move a little to your left",
        "cue_move_right": "Move a little to your right",
        "cue_lower": "Bend your knees a little",
        "cue_higher": "Stand up straight",
        "cue_tilt_left": "Tilt your head to your left",
        "cue_tilt_right": "Tilt your head to your right",
        "cue_turn_to_camera": "Turn your face to the camera",
        "cue_chin_up": "Lift your chin a little",
        "cue_chin_down": "Lower your chin a little",
        "cue_hold_still": "Perfect – hold still",
        "cue_look_above": "Look up into the lens",
        "cue_look_below": "Look down into the lens",
        "cue_look_left": "Look into the lens on your left",
        "cue_look_right": "Look into the lens on your right",
        "countdown_breathe": "Breathe out, relax your shoulders",
        "countdown_lens": "Look into the lens",
        "capture_hold": "Hold still\u00a0…",
        "capture_got_it": "Got it!",
        "capture_choosing": "Picking the sharpest frame.",
        "review_title": "Do you like it?",
        "review_mirror": "The preview was mirrored. This is how others see you.",
        "review_keep": "Keep it",
        "review_retake": "Take it again ({retakes_left}\u00a0left)",
        "review_no_retakes": "No more retakes",
        "review_suggest_retake": "Eyes closed or blurred? You can take it again.",
        "review_auto_keep": "Automatically in {seconds}\u00a0s",
        "share_title": "Your portrait",
        "share_scan": "Scan the code with your phone’s camera.",
        "share_scan_steps": "Scan the two codes in order.",
        "share_wifi_step": "Join the Wi-Fi",
        "share_link_step": "Open your photo",
        "share_wifi_network": "Wi-Fi: {ssid}",
        "share_wifi_password": "Password:",
        "share_expires": "The link works for {days}\u00a0days.",
        "share_done": "Done",
        "share_next": "On to step\u00a02",
        "share_closes": "Closes in {seconds}\u00a0s",
        "share_next_in": "Next in {seconds}\u00a0s",
        "print_offer": "Print it",
        "print_on_its_way": "Your print is on its way – wait a moment at the printer.",
        "print_paused": "Printing is paused – scan to get your photo.",
        "web_print_on_its_way": "Your print is on its way: pick it up at the booth’s printer.",
        "web_print_paused": "Prints are paused right now – your photo is here on your phone.",
        "share_hotspot_title": "Join the booth’s Wi-Fi",
        "share_hotspot_scan": "Scan the code: your photo then opens by itself.",
        "share_hotspot_other": "Or straight to the photo",
        "sheet_hint_apple": (
            "This window cannot save photos. Tap “Done” below, then “Done” at the top right, "
            "and open {address} in Safari."
        ),
        "sheet_hint_android": "Tap “Download photo”, then “Done” below.",
        "sheet_done": "Done",
        "sheet_done_title": "All set",
        "sheet_done_body": "While you are on the booth’s Wi-Fi, your photo is at {address}.",
        "sheet_generic_title": "Take your portrait at the booth",
        "sheet_generic_body": (
            "This is the booth’s Wi-Fi. After your photo, it opens here by itself: scan the "
            "code on the booth’s screen."
        ),
        "out_of_order_title": "Back in a moment",
        "out_of_order_body": "The booth is taking a short break.",
        "web_title": "Your portrait – {event}",
        "web_photo_alt": "Your portrait",
        "web_download": "Download photo",
        "web_taken_by": "Photographed by {operator} · {event}",
        "web_taken_at_event": "Photographed at {event}",
        "web_taken_at": "Taken on {time}.",
        "web_expires": "This link works until {time}.",
        "web_original": "The original file: only cropped, nothing retouched.",
        "web_credentials": (
            "Content Credentials: captured by a camera and signed by {signer}’s booth."
        ),
        "web_credentials_how": (
            "The downloaded file carries this proof. Any C2PA tool checks it, for example "
            "contentcredentials.org/verify."
        ),
        "web_not_found_title": "Not found",
        "web_not_found_body": "There is no photo for this link. Check that it is complete.",
        "web_expired_title": "This link has expired",
        "web_expired_body": "The booth’s photos can be fetched for a while only. Thank you!",
        "desk_keys": (
            "Space/Enter: big button · R/Backspace: small button · arrows: move the person · "
            "+/−: closer/further · Esc: quit"
        ),
        "web_save_iphone": "On an iPhone: touch and hold the photo, then tap “Save to Photos”.",
        "web_save_android": (
            "On Android: tap “Download photo”. You will then find it in your Downloads and "
            "your gallery."
        ),
        "web_delete": "Delete my photo now",
        "web_delete_confirm": (
            "Your photo will be deleted from the booth for good, and this link will stop "
            "working. Copies you have already downloaded stay on your phone."
        ),
        "web_delete_yes": "Yes, delete it for good",
        "web_deleted_title": "Photo deleted",
        "web_deleted_body": (
            "This photo has been deleted at your request. The booth removes it within a minute."
        ),
        "web_delete_refused_title": "That did not work",
        "web_delete_refused_body": (
            "The request did not come from this photo’s page. Please open the link again and "
            "try once more."
        ),
        "web_delete_failed_title": "Cannot delete right now",
        "web_delete_failed_body": (
            "Please try again in a moment, or ask the booth’s staff: they will delete it for you."
        ),
    },
}

# German for the formal address (``event.address = "Sie"``): every text that speaks to the
# attendee as "du". The others read the same either way.
FORMAL_GERMAN: dict[str, str] = {
    "share_hotspot_scan": "Scannen Sie den Code: Ihr Foto öffnet sich dann von selbst.",
    "sheet_hint_apple": (
        "Dieses Fenster kann keine Fotos sichern. Tippen Sie unten auf „Fertig“, dann oben "
        "rechts auf „Fertig“, und öffnen Sie in Safari {address}."
    ),
    "sheet_hint_android": ("Tippen Sie auf „Foto herunterladen“ und danach unten auf „Fertig“."),
    "sheet_done_body": (
        "Solange Sie im WLAN der Fotobox sind, finden Sie Ihr Foto unter {address}."
    ),
    "sheet_generic_title": "Machen Sie Ihr Porträt an der Fotobox",
    "sheet_generic_body": (
        "Das ist das WLAN der Fotobox. Nach Ihrem Foto öffnet es sich hier von selbst: "
        "scannen Sie dazu den Code auf dem Bildschirm."
    ),
    "attract_tagline": "Ein echtes Porträt, angeleitet – gleich danach auf Ihrem Handy.",
    "attract_press": "Drücken Sie den {button_main}, um zu starten.",
    "attract_privacy": (
        "Gespeichert wird erst, wenn Sie drücken. Ihr Link gilt {link_days}\u00a0Tage, "
        "nach {retention_days}\u00a0Tagen wird das Foto gelöscht."
    ),
    "framing_press_title": "Stellen Sie sich ins Oval",
    "framing_press": "Dann drücken Sie den {button_main}.",
    "framing_timeout": "Drücken Sie den {button_main} für Ihr Foto.",
    "framing_hold_press": "Perfekt – drücken Sie jetzt",
    "cue_step_in": "Stellen Sie sich vor die Kamera",
    "cue_step_back": "Gehen Sie einen Schritt zurück",
    "cue_come_closer": "Kommen Sie etwas näher",
    "cue_move_left": "Gehen Sie etwas nach links",
    "cue_move_right": "Gehen Sie etwas nach rechts",
    "cue_lower": "Gehen Sie etwas in die Knie",
    "cue_higher": "Stehen Sie ganz gerade",
    "cue_tilt_left": "Neigen Sie den Kopf nach links",
    "cue_tilt_right": "Neigen Sie den Kopf nach rechts",
    "cue_turn_to_camera": "Drehen Sie sich zur Kamera",
    "cue_chin_up": "Heben Sie das Kinn etwas",
    "cue_chin_down": "Senken Sie das Kinn etwas",
    "cue_hold_still": "Perfekt – halten Sie still",
    "cue_look_above": "Schauen Sie nach oben zur Kamera",
    "cue_look_below": "Schauen Sie nach unten zur Kamera",
    "cue_look_left": "Schauen Sie nach links zur Kamera",
    "cue_look_right": "Schauen Sie nach rechts zur Kamera",
    "countdown_lens": "Schauen Sie in die Kamera",
    "capture_hold": "Halten Sie still\u00a0…",
    "review_title": "Gefällt es Ihnen?",
    "review_mirror": "Die Vorschau war gespiegelt. So sehen andere Sie.",
    "review_suggest_retake": "Augen zu oder verwackelt? Sie können es neu aufnehmen.",
    "share_title": "Ihr Porträt",
    "share_scan": "Scannen Sie den Code mit der Handykamera.",
    "share_scan_steps": "Scannen Sie die zwei Codes der Reihe nach.",
    "print_on_its_way": "Ihr Abzug ist unterwegs – warten Sie kurz am Drucker.",
    "print_paused": "Drucken ist gerade pausiert – holen Sie sich Ihr Foto aufs Handy.",
    "web_print_on_its_way": "Ihr Abzug ist unterwegs: Holen Sie ihn gleich am Drucker ab.",
    "web_print_paused": "Drucken ist gerade pausiert – Ihr Foto ist hier auf Ihrem Handy.",
    "web_title": "Ihr Porträt – {event}",
    "web_photo_alt": "Ihr Porträt",
    "web_not_found_body": "Zu diesem Link gibt es kein Foto. Prüfen Sie, ob er vollständig ist.",
    "web_save_iphone": (
        "Auf dem iPhone: Halten Sie das Foto gedrückt und tippen Sie auf „In Fotos sichern“."
    ),
    "web_save_android": (
        "Auf Android: Tippen Sie auf „Foto herunterladen“. Sie finden es danach unter "
        "„Downloads“ und in Ihrer Galerie."
    ),
    "web_delete_confirm": (
        "Ihr Foto wird endgültig aus der Fotobox gelöscht, und dieser Link funktioniert dann "
        "nicht mehr. Schon heruntergeladene Fotos bleiben auf Ihrem Handy."
    ),
    "web_deleted_body": (
        "Dieses Foto wurde auf Ihren Wunsch gelöscht. Die Fotobox entfernt es innerhalb einer "
        "Minute."
    ),
    "web_delete_refused_body": (
        "Die Anfrage kam nicht von der Seite dieses Fotos. Öffnen Sie den Link bitte noch einmal "
        "und versuchen Sie es erneut."
    ),
    "web_delete_failed_body": (
        "Versuchen Sie es bitte gleich noch einmal, oder sagen Sie dem Team an der Fotobox "
        "Bescheid – es löscht das Foto für Sie."
    ),
}

TEXT_KEYS: frozenset[str] = frozenset(TEXTS["en"])
# Every text may name the buttons; other placeholders belong to the text they appear in.
BUTTON_PLACEHOLDERS = frozenset({"button_main", "button_second"})


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a text fills in. Raises ValueError for a stray brace."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def template_problem(language: str, key: str, template: str) -> str | None:
    """Why an event's own version of text ``key`` would not work, or None when it would."""
    try:
        names = placeholders(template)
    except ValueError as error:
        return f"{error} (write {{{{ and }}}} for a literal brace)"
    allowed = placeholders(TEXTS[language][key]) | BUTTON_PLACEHOLDERS
    unknown = sorted(name for name in names if name not in allowed)
    if unknown:
        offered = ", ".join(f"{{{name}}}" for name in sorted(allowed))
        return f"{{{unknown[0]}}} is not filled in here (this text can use {offered})"
    try:
        template.format(**{name: _Sample() for name in allowed})
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        return f"it cannot be filled in: {error}"
    return None


class _Sample(int):
    """A value that formats like a number or like text, to try a template's format specs."""

    def __format__(self, spec: str) -> str:
        try:
            return super().__format__(spec)
        except ValueError:
            return format("text", spec)


class Texts:
    """One language's texts with the event's overrides applied."""

    def __init__(
        self, language: str, overrides: Mapping[str, str] | None = None, address: str = "du"
    ):
        if language not in TEXTS:
            raise ValueError(f"no texts for language {language!r}")
        self.language = language
        formal = FORMAL_GERMAN if language == "de" and address == "Sie" else {}
        self._texts = {**TEXTS[language], **formal, **(overrides or {})}

    def get(self, key: str, **values: object) -> str:
        template = self._texts[key]
        buttons = {"button_main": self._texts["button_main"]}
        buttons["button_second"] = self._texts["button_second"]
        text = template.format(**buttons, **values)
        # A sentence that starts with a button name still starts with a capital letter.
        return text[:1].upper() + text[1:]
