"""Which prints to send, which to give up, and the journal that sends none of them twice.

Every print is first a line in the print journal (``ask``: the photo, its copies, its visit and
event), fsynced before anything goes to CUPS; then ``sent`` with CUPS's job id once ``lp`` has
handed it over; then how it ended (``done``: completed, aborted or canceled; ``given_up``: too
old, or the photo is gone). Each job carries the print's id as its CUPS job name
(``echtbild-<id>``), so a booth killed between ``lp`` and the ``sent`` line finds its job in
CUPS's history after the restart and does not submit it again.

The caps (per visit, per event) count copies asked for; a print given up before it reached
CUPS gives its copies back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JOB_NAME_PREFIX = "echtbild-"


def job_name(print_id: str) -> str:
    return JOB_NAME_PREFIX + print_id


def new_print_id() -> str:
    # Not the share token (a job's name is visible to anyone who asks CUPS): a fresh random id.
    return secrets.token_hex(8)


@dataclass
class Print:
    print_id: str
    file: str  # the photo, relative to the storage folder
    copies: int
    visit: str
    event: str
    asked_at: float  # epoch seconds
    job_id: int | None = None
    outcome: str | None = None  # completed, aborted, canceled, given-up
    why: str = ""

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def reached_cups(self) -> bool:
        return self.job_id is not None

    def record(self) -> dict[str, Any]:
        return {
            "op": "ask",
            "id": self.print_id,
            "file": self.file,
            "copies": self.copies,
            "visit": self.visit,
            "event": self.event,
            "at": self.asked_at,
        }


@dataclass
class PrintBook:
    """The journal's story: every print it knows, in the order asked."""

    prints: dict[str, Print] = field(default_factory=dict)
    damaged: int = 0

    def apply(self, record: dict[str, Any]) -> None:
        op = record.get("op")
        if op == "ask":
            self.prints[record["id"]] = Print(
                record["id"],
                record["file"],
                int(record["copies"]),
                record.get("visit", ""),
                record.get("event", ""),
                float(record["at"]),
            )
            return
        entry = self.prints.get(record.get("id", ""))
        if entry is None:
            self.damaged += 1
        elif op == "sent":
            entry.job_id = int(record["job"])
        elif op == "done":
            entry.outcome, entry.why = record["state"], record.get("why", "")
        elif op == "given_up":
            entry.outcome, entry.why = "given-up", record.get("why", "")
        else:
            self.damaged += 1

    @classmethod
    def replay(cls, records: Iterable[dict[str, Any]]) -> PrintBook:
        book = cls()
        for record in records:
            try:
                book.apply(record)
            except (KeyError, TypeError, ValueError):
                book.damaged += 1
        return book

    def compacted(self, keep_finished_after: float) -> list[dict[str, Any]]:
        """The journal's records again, without prints finished before ``keep_finished_after``
        (epoch): what compaction writes. The caps' counts of this event stay (``ask`` lines
        of finished prints are kept for the event's count)."""
        out: list[dict[str, Any]] = []
        for entry in self.prints.values():
            if entry.finished and entry.asked_at < keep_finished_after and not entry.reached_cups:
                continue
            out.append(entry.record())
            if entry.job_id is not None:
                out.append({"op": "sent", "id": entry.print_id, "job": entry.job_id})
            if entry.outcome == "given-up":
                out.append({"op": "given_up", "id": entry.print_id, "why": entry.why})
            elif entry.outcome is not None:
                out.append(
                    {"op": "done", "id": entry.print_id, "state": entry.outcome, "why": entry.why}
                )
        return out

    # -- decisions --

    def copies_counted(self, *, visit: str | None = None, event: str | None = None) -> int:
        """Copies asked for in this visit or event; a print given up before CUPS had it does
        not count."""
        return sum(
            entry.copies
            for entry in self.prints.values()
            if (visit is None or entry.visit == visit)
            and (event is None or entry.event == event)
            and not (entry.outcome == "given-up" and not entry.reached_cups)
        )

    def waiting(self) -> list[Print]:
        """Prints asked for that CUPS does not have yet, oldest first."""
        return [e for e in self.prints.values() if not e.finished and not e.reached_cups]

    def at_cups(self) -> list[Print]:
        """Prints CUPS has and has not finished (as far as the journal knows)."""
        return [e for e in self.prints.values() if not e.finished and e.reached_cups]


@dataclass(frozen=True)
class Caps:
    per_visit: int
    per_event: int


def cap_left(book: PrintBook, caps: Caps, visit: str, event: str) -> tuple[int, str]:
    """How many more copies this visit may have, and, when none, why (for staff)."""
    visit_left = caps.per_visit - book.copies_counted(visit=visit)
    event_left = caps.per_event - book.copies_counted(event=event)
    if event_left <= 0:
        return 0, f"the event's {caps.per_event} prints are used up (print.per_event)"
    if visit_left <= 0:
        return 0, f"this visit has had its {caps.per_visit} print(s) (print.per_visit)"
    return min(visit_left, event_left), ""


def too_old(entry: Print, now: float, give_up_after: float) -> bool:
    """A print nobody waits for any more: the guest has long gone."""
    return now - entry.asked_at > give_up_after
