"""When a commit reaches the disk (app/services/db.py `make_engine`, `sync_to_disk`): SQLite in WAL mode does
not wait for the disk on every commit (synchronous=NORMAL), and a unit of work that sends mail waits for it
before the mail leaves, so no mail names something a power cut could undo. On PostgreSQL every commit is
durable already and nothing more is done."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app import config
from app.services import db as dbmod
from app.services import mail
from storefront_qa.mail import Outbox
from tests.conftest import make_account


@pytest.fixture
def flushes(monkeypatch) -> list[str]:
    """Every fdatasync of the process, by the file flushed, in order with the mails written."""
    seen: list[str] = []
    real_sync, real_send = os.fdatasync, mail.send

    def fdatasync(fd: int) -> None:
        seen.append(f"flush {Path(os.readlink(f'/proc/self/fd/{fd}')).name}")
        real_sync(fd)

    def send(to, subject, body, **kw):
        seen.append(f"mail {subject}")
        return real_send(to, subject, body, **kw)

    monkeypatch.setattr(dbmod.os, "fdatasync", fdatasync)
    monkeypatch.setattr(mail, "send", send)
    return seen


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Outbox:
    monkeypatch.setattr(config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    return Outbox(tmp_path / "outbox")


def test_a_file_database_commits_through_the_wal_without_waiting_for_the_disk(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL (FULL is 2)


def test_a_commit_without_mail_does_not_wait_for_the_disk(sqlite_engine, flushes):
    with dbmod.session_scope() as db:
        make_account(db, email="nomail@example.com")
    assert flushes == []


def test_a_mail_leaves_only_once_its_commit_is_on_disk(engine, flushes, outbox):
    with dbmod.session_scope() as db:
        account = make_account(db, email="jane@example.com")
        mail.send_on_commit(db, account.email, "Your code", "It is 123456.\n")
    expected = ["mail Your code"]
    if engine.dialect.name == "sqlite":  # PostgreSQL's commit was durable already
        expected.insert(0, f"flush {Path(engine.url.database).name}-wal")
    assert flushes == expected
    assert outbox.count("jane@example.com") == 1


def test_a_rolled_back_unit_of_work_neither_waits_nor_mails(sqlite_engine, flushes, outbox):
    with pytest.raises(RuntimeError), dbmod.session_scope() as db:
        account = make_account(db, email="jane@example.com")
        mail.send_on_commit(db, account.email, "Your code", "It is 123456.\n")
        raise RuntimeError("the unit of work fails after queueing its mail")
    assert flushes == []
    assert outbox.count("jane@example.com") == 0


def test_a_database_in_memory_has_no_disk_to_wait_for(flushes):
    engine = dbmod.make_engine("sqlite://")
    with Session(engine) as db:
        db.execute(text("SELECT 1"))
        dbmod.sync_to_disk(db)
    assert flushes == []


def test_a_disk_that_fails_the_flush_still_gets_the_mail_out_and_says_so(
    sqlite_engine, monkeypatch, outbox, caplog
):
    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(dbmod.os, "fdatasync", failing)
    with dbmod.session_scope() as db:
        account = make_account(db, email="jane@example.com")
        mail.send_on_commit(db, account.email, "Your code", "It is 123456.\n")
    assert outbox.count("jane@example.com") == 1
    assert "could not flush the database's log to disk" in caplog.text
