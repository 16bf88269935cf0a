"""The database out of reach: a unit of work refuses with `Unavailable` (a message fit for the user), even
when it is a worker's first one and the schema check cannot run; once the database is back it works."""

import pytest
from sqlmodel import select

from app import config
from app.services import db as dbmod
from app.services.errors import UNAVAILABLE_MESSAGE, Unavailable
from models import Account


def test_first_unit_of_work_without_a_database_is_unavailable_then_retried(tmp_path, monkeypatch):
    folder = tmp_path / "not-yet"  # SQLite cannot open a file in a folder that does not exist
    monkeypatch.setattr(config, "DATABASE_URL", f"sqlite:///{folder / 'store.db'}")
    monkeypatch.setattr(dbmod, "_engine", None)

    with pytest.raises(Unavailable) as refused, dbmod.session_scope() as db:
        db.exec(select(Account)).first()
    assert refused.value.message == UNAVAILABLE_MESSAGE
    assert dbmod._engine is None  # not remembered as ready: the schema check runs again next time

    folder.mkdir()
    with dbmod.session_scope() as db:
        assert db.exec(select(Account)).first() is None  # migrated on this first successful use
    dbmod.get_engine().dispose()


def test_a_savepoint_first_in_a_unit_of_work_commits_nothing_when_the_work_fails(engine):
    """pysqlite opens transactions at the first write; a SAVEPOINT first would have opened its own, and
    its RELEASE committed the account below although the unit of work failed (create_customer does this)."""
    with pytest.raises(RuntimeError), dbmod.session_scope() as db:
        with db.begin_nested():
            db.add(
                Account(
                    customer_number="C9999999",
                    first_name="Save",
                    last_name="Point",
                    email="savepoint@example.com",
                    password_hash="x",
                )
            )
        raise RuntimeError("something later in the same request fails")
    with dbmod.session_scope() as db:
        assert db.exec(select(Account).where(Account.email == "savepoint@example.com")).first() is None
