"""Outbound mail. There is no mail server: a message becomes a file in MAIL_OUTBOX_DIR (one RFC 5322
`.eml` per message, like Django's file-based email backend) or, without one, a warning in the server log.

Services that write rows a mail refers to (a set-password token) use `send_on_commit`: the mail leaves only
once their transaction has committed and is on disk, so nobody gets a link to a row that was rolled back or
that a power cut lost.
"""

from __future__ import annotations

import logging
import os
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from app import config
from app.services.db import sync_to_disk, utcnow

log = logging.getLogger("store.mail")

_QUEUE = "mail_on_commit"


def message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.MAIL_FROM
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="harbor-and-pine.example")
    msg.set_content(body)
    return msg


def send(to: str, subject: str, body: str, *, secret: str = "") -> Path | None:
    """Deliver one message; returns the outbox file it was written to, if any. `secret` (a verification code)
    is for the recipient only: the log shows the message without it."""
    msg = message(to, subject, body)
    outbox = config.MAIL_OUTBOX_DIR
    if not outbox:
        logged = message(to, subject, body.replace(secret, "[withheld from the log]")) if secret else msg
        log.warning("MAIL_OUTBOX_DIR is not set; this mail is only logged:\n%s", logged.as_string())
        return None
    folder = Path(outbox)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}"
    # Written under a temporary name and renamed, so a reader never sees half a message.
    tmp = folder / f".{name}.tmp"
    tmp.write_bytes(msg.as_bytes())
    path = folder / f"{name}.eml"
    os.replace(tmp, path)
    return path


def send_on_commit(db: Session, to: str, subject: str, body: str, *, secret: str = "") -> None:
    """Send when `db` commits its transaction; dropped when it rolls back instead."""
    if _QUEUE not in db.info:
        db.info[_QUEUE] = []
        event.listen(db, "after_commit", _deliver)
        event.listen(db, "after_soft_rollback", _drop)
    db.info[_QUEUE].append((to, subject, body, secret))


def _deliver(db: Session) -> None:
    queued, db.info[_QUEUE] = db.info[_QUEUE], []
    if queued:
        try:
            sync_to_disk(db)  # a mail never names an order, a code or a link that a power cut could undo
        except OSError:
            # The commit itself succeeded (and is in the system's cache): say so loudly, and keep the promise
            # to the person, who would otherwise see an error for what was done.
            log.exception("could not flush the database's log to disk after a commit that sends mail")
    for to, subject, body, secret in queued:
        try:
            send(to, subject, body, secret=secret)
        except OSError:
            # The data is committed; the mail can be sent again (Forgot password, or customer service).
            log.exception("could not deliver the mail %r to %s", subject, to)


def _drop(db: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        db.info[_QUEUE] = []
