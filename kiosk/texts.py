"""Every text the attendee reads, in German and English.

Texts may hold ``{placeholders}``; ``Texts.get`` fills them. Operators override single texts per
event in the config (``[texts.de]``, ``[texts.en]``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

LANGUAGES = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "attract_tagline": "Ein echtes Porträt, angeleitet – in einer Minute auf deinem Handy.",
        "attract_press": "Drück den {button_main}, um zu starten.",
        "attract_privacy": (
            "Deine Fotos bleiben auf dieser Box. Links sind geheim und laufen ab; "
            "Fotos werden nach {retention_days} Tagen gelöscht."
        ),
        "button_main": "großen Knopf",
        "button_second": "kleinen Knopf",
        "framing_press_title": "Stell dich ins Oval",
        "framing_press": "Dann drück den {button_main}.",
        "framing_timeout_title": "Passt es so?",
        "framing_timeout": "Drück den {button_main} für dein Foto.",
        "framing_hold": "Perfekt – so bleiben",
        "framing_hold_auto": "Das Foto kommt gleich von selbst.",
        "framing_hold_press": "Drück jetzt den {button_main}.",
        "cue_step_in": "Stell dich vor die Kamera",
        "cue_one_person": "Bitte nur eine Person",
        "cue_step_back": "Einen Schritt zurück",
        "cue_come_closer": "Komm etwas näher",
        "cue_move_left": "Ein Stück nach links",
        "cue_move_right": "Ein Stück nach rechts",
        "cue_lower": "Etwas tiefer, bitte",
        "cue_higher": "Steh ganz gerade",
        "cue_tilt_left": "Kopf leicht nach links neigen",
        "cue_tilt_right": "Kopf leicht nach rechts neigen",
        "cue_turn_to_camera": "Gesicht zur Kamera drehen",
        "cue_chin_up": "Kinn etwas heben",
        "cue_chin_down": "Kinn etwas senken",
        "cue_hold_still": "Perfekt – jetzt stillhalten",
        "cue_look_above": "Schau in die Linse über dem Bildschirm",
        "cue_look_below": "Schau in die Linse unter dem Bildschirm",
        "cue_look_left": "Schau in die Linse links vom Bildschirm",
        "cue_look_right": "Schau in die Linse rechts vom Bildschirm",
        "countdown_breathe": "Ausatmen, Schultern locker.",
        "countdown_lens": "Schau in die Linse",
        "capture_hold": "Stillhalten …",
        "capture_got_it": "Hab dich!",
        "capture_choosing": "Das beste Bild wird ausgewählt …",
        "review_title": "Gefällt es dir?",
        "review_mirror": "Die Vorschau war ein Spiegelbild – so sehen dich die anderen.",
        "review_keep": "Behalten",
        "review_retake": "Neu aufnehmen (noch {retakes_left})",
        "review_no_retakes": "Keine weitere Aufnahme möglich",
        "review_suggest_retake": "Augen zu oder verwackelt? Nimm es lieber noch einmal auf.",
        "review_auto_keep": "Automatisch in {seconds} s",
        "share_title": "Dein Porträt",
        "share_scan": "Richte die Kamera deines Handys auf den Code.",
        "share_link_text": "Oder gib diese Adresse ein:",
        "share_wifi_step": "Schritt 1 von 2: ins WLAN der Fotobox",
        "share_link_step": "Schritt 2 von 2: dein Foto öffnen",
        "share_wifi_network": "WLAN: {ssid}",
        "share_wifi_password": "Passwort:",
        "share_expires": "Der Link gilt {days} Tage.",
        "share_done": "Fertig",
        "share_next": "Weiter zu Schritt 2",
        "share_closes": "Schließt in {seconds} s",
        "share_next_in": "Von selbst in {seconds} s",
        "print_offer": "Ausdrucken",
        "print_offer_sub": "Ein Abzug zum Mitnehmen",
        "print_on_its_way": "Dein Abzug ist unterwegs – warte kurz am Drucker.",
        "print_paused": "Drucken ist gerade pausiert – dein Foto ist auf deinem Handy.",
        "web_print_on_its_way": "Dein Abzug ist unterwegs: Hol ihn gleich am Drucker ab.",
        "web_print_paused": "Drucken ist gerade pausiert – dein Foto ist hier auf deinem Handy.",
        "out_of_order_title": "Gleich wieder da",
        "out_of_order_body": "Die Fotobox ist in einem Moment wieder bereit.",
        "web_title": "Dein Porträt – {event}",
        "web_photo_alt": "Dein Porträt",
        "web_download": "Foto herunterladen",
        "web_taken_by": "Fotografiert von {operator} bei {event}.",
        "web_taken_at_event": "Fotografiert bei {event}.",
        "web_taken_at": "Aufgenommen am {time}.",
        "web_expires": "Dieser Link gilt bis {time}.",
        "web_original": "Das Original, unbearbeitet, so wie die Kamera es aufgenommen hat.",
        "web_credentials": (
            "Content Credentials: von einer Kamera aufgenommen, nur zugeschnitten, "
            "signiert von {signer}."
        ),
        "web_credentials_how": (
            "Die heruntergeladene Datei trägt diesen Nachweis. Prüfen lässt er sich mit jedem "
            "C2PA-Werkzeug, etwa auf contentcredentials.org/verify."
        ),
        "web_not_found_title": "Nicht gefunden",
        "web_not_found_body": "Zu diesem Link gibt es kein Foto. Prüfe, ob er vollständig ist.",
        "web_expired_title": "Dieser Link ist abgelaufen",
        "web_expired_body": "Fotos der Fotobox sind nur eine Weile abrufbar. Danke!",
        "desk_keys": "Leertaste = großer Knopf · R = kleiner Knopf",
        "web_save_iphone": "Am iPhone: Halte das Foto gedrückt und tippe auf „In Fotos sichern“.",
        "web_save_android": (
            "Mit Android: Tippe auf „Foto herunterladen“. Du findest es danach unter "
            "„Downloads“ und in deiner Galerie."
        ),
        "web_delete": "Mein Foto jetzt löschen",
        "web_delete_confirm": (
            "Dein Foto wird endgültig von der Fotobox gelöscht, und dieser Link funktioniert "
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
            "und versuche es erneut."
        ),
        "web_delete_failed_title": "Löschen gerade nicht möglich",
        "web_delete_failed_body": (
            "Bitte versuche es gleich noch einmal, oder sag dem Team an der Fotobox Bescheid – "
            "es löscht das Foto für dich."
        ),
    },
    "en": {
        "attract_tagline": "A real portrait, guided – on your phone in a minute.",
        "attract_press": "Press the {button_main} to start.",
        "attract_privacy": (
            "Your photos stay on this booth. Links are secret and expire; "
            "photos are deleted after {retention_days} days."
        ),
        "button_main": "big button",
        "button_second": "small button",
        "framing_press_title": "Step into the oval",
        "framing_press": "Then press the {button_main}.",
        "framing_timeout_title": "Happy with it?",
        "framing_timeout": "Press the {button_main} to take your photo.",
        "framing_hold": "Perfect – hold it",
        "framing_hold_auto": "The photo takes itself in a moment.",
        "framing_hold_press": "Now press the {button_main}.",
        "cue_step_in": "Step in front of the camera",
        "cue_one_person": "One person at a time, please",
        "cue_step_back": "One step back, please",
        "cue_come_closer": "Come a little closer",
        "cue_move_left": "A bit to your left",
        "cue_move_right": "A bit to your right",
        "cue_lower": "A little lower, please",
        "cue_higher": "Stand up straight",
        "cue_tilt_left": "Tilt your head a little to your left",
        "cue_tilt_right": "Tilt your head a little to your right",
        "cue_turn_to_camera": "Turn your face to the camera",
        "cue_chin_up": "Lift your chin slightly",
        "cue_chin_down": "Lower your chin slightly",
        "cue_hold_still": "Perfect – now hold still",
        "cue_look_above": "Look into the lens above the screen",
        "cue_look_below": "Look into the lens below the screen",
        "cue_look_left": "Look into the lens left of the screen",
        "cue_look_right": "Look into the lens right of the screen",
        "countdown_breathe": "Breathe out, relax your shoulders.",
        "countdown_lens": "Look into the lens",
        "capture_hold": "Hold still …",
        "capture_got_it": "Got it!",
        "capture_choosing": "Picking the best frame …",
        "review_title": "Do you like it?",
        "review_mirror": "The preview was a mirror image – this is how others see you.",
        "review_keep": "Keep it",
        "review_retake": "Take it again ({retakes_left} left)",
        "review_no_retakes": "No more retakes",
        "review_suggest_retake": "Eyes closed or blurred? Better take it again.",
        "review_auto_keep": "Kept automatically in {seconds} s",
        "share_title": "Your portrait",
        "share_scan": "Point your phone's camera at the code.",
        "share_link_text": "Or type in this address:",
        "share_wifi_step": "Step 1 of 2: join the booth's Wi-Fi",
        "share_link_step": "Step 2 of 2: open your photo",
        "share_wifi_network": "Wi-Fi: {ssid}",
        "share_wifi_password": "Password:",
        "share_expires": "The link works for {days} days.",
        "share_done": "Done",
        "share_next": "On to step 2",
        "share_closes": "Closes in {seconds} s",
        "share_next_in": "By itself in {seconds} s",
        "print_offer": "Print it",
        "print_offer_sub": "A print to take home",
        "print_on_its_way": "Your print is on its way – wait a moment at the printer.",
        "print_paused": "Prints are paused – your photo is on your phone.",
        "web_print_on_its_way": "Your print is on its way: pick it up at the booth's printer.",
        "web_print_paused": "Prints are paused right now – your photo is here on your phone.",
        "out_of_order_title": "Back in a moment",
        "out_of_order_body": "The booth will be ready again in a moment.",
        "web_title": "Your portrait – {event}",
        "web_photo_alt": "Your portrait",
        "web_download": "Download photo",
        "web_taken_by": "Taken by {operator} at {event}.",
        "web_taken_at_event": "Taken at {event}.",
        "web_taken_at": "Taken on {time}.",
        "web_expires": "This link works until {time}.",
        "web_original": "The original, unedited, just as the camera took it.",
        "web_credentials": (
            "Content Credentials: captured by a camera, unaltered except cropping, "
            "signed by {signer}."
        ),
        "web_credentials_how": (
            "The downloaded file carries this proof. Any C2PA tool checks it, for example "
            "contentcredentials.org/verify."
        ),
        "web_not_found_title": "Not found",
        "web_not_found_body": "There is no photo for this link. Check that it is complete.",
        "web_expired_title": "This link has expired",
        "web_expired_body": "The booth's photos can be fetched for a while only. Thank you!",
        "desk_keys": "Space = big button · R = small button",
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
            "The request did not come from this photo's page. Please open the link again and "
            "try once more."
        ),
        "web_delete_failed_title": "Cannot delete right now",
        "web_delete_failed_body": (
            "Please try again in a moment, or ask the booth's staff: they will delete it for you."
        ),
    },
}

# German for the formal address (``event.address = "Sie"``): every text that speaks to the
# attendee as "du". The others read the same either way.
FORMAL_GERMAN: dict[str, str] = {
    "attract_tagline": "Ein echtes Porträt, angeleitet – in einer Minute auf Ihrem Handy.",
    "attract_press": "Drücken Sie den {button_main}, um zu starten.",
    "attract_privacy": (
        "Ihre Fotos bleiben auf dieser Box. Links sind geheim und laufen ab; "
        "Fotos werden nach {retention_days} Tagen gelöscht."
    ),
    "framing_press_title": "Stellen Sie sich ins Oval",
    "framing_press": "Dann drücken Sie den {button_main}.",
    "framing_timeout": "Drücken Sie den {button_main} für Ihr Foto.",
    "framing_hold_press": "Drücken Sie jetzt den {button_main}.",
    "cue_step_in": "Stellen Sie sich vor die Kamera",
    "cue_come_closer": "Kommen Sie etwas näher",
    "cue_higher": "Stehen Sie ganz gerade",
    "cue_look_above": "Schauen Sie in die Linse über dem Bildschirm",
    "cue_look_below": "Schauen Sie in die Linse unter dem Bildschirm",
    "cue_look_left": "Schauen Sie in die Linse links vom Bildschirm",
    "cue_look_right": "Schauen Sie in die Linse rechts vom Bildschirm",
    "countdown_lens": "Schauen Sie in die Linse",
    "capture_got_it": "Im Kasten!",
    "review_title": "Gefällt es Ihnen?",
    "review_mirror": "Die Vorschau war ein Spiegelbild – so sehen Sie die anderen.",
    "review_suggest_retake": "Augen zu oder verwackelt? Nehmen Sie es lieber noch einmal auf.",
    "share_title": "Ihr Porträt",
    "share_scan": "Richten Sie die Kamera Ihres Handys auf den Code.",
    "share_link_text": "Oder geben Sie diese Adresse ein:",
    "share_link_step": "Schritt 2 von 2: Ihr Foto öffnen",
    "print_on_its_way": "Ihr Abzug ist unterwegs – warten Sie kurz am Drucker.",
    "print_paused": "Drucken ist gerade pausiert – Ihr Foto ist auf Ihrem Handy.",
    "web_print_on_its_way": "Ihr Abzug ist unterwegs: Holen Sie ihn gleich am Drucker ab.",
    "web_print_paused": "Drucken ist gerade pausiert – Ihr Foto ist hier auf Ihrem Handy.",
    "web_title": "Ihr Porträt – {event}",
    "web_photo_alt": "Ihr Porträt",
    "web_not_found_body": "Zu diesem Link gibt es kein Foto. Prüfen Sie, ob er vollständig ist.",
    "web_save_iphone": (
        "Am iPhone: Halten Sie das Foto gedrückt und tippen Sie auf „In Fotos sichern“."
    ),
    "web_save_android": (
        "Mit Android: Tippen Sie auf „Foto herunterladen“. Sie finden es danach unter "
        "„Downloads“ und in Ihrer Galerie."
    ),
    "web_delete_confirm": (
        "Ihr Foto wird endgültig von der Fotobox gelöscht, und dieser Link funktioniert dann "
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
        "Bitte versuchen Sie es gleich noch einmal, oder sagen Sie dem Team an der Fotobox "
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
