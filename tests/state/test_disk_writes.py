"""One worker's states on disk: app/serving.py `write_states_in_one_go` writes a tab's changed substates in one
hand-off to a thread, and writes exactly what Reflex's own `StateManagerDisk.set_state_for_substate` writes."""

from __future__ import annotations

import asyncio

import pytest
from reflex.istate.manager import disk
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State
from reflex.utils import prerequisites

import app.app  # noqa: F401  (registers every state)
from app.serving import overwrite, write_states_in_one_go
from app.state.cart import CartState
from app.state.toast import ToastState


def substate(root: State, cls):
    return root.get_substate(cls.get_full_name().split(".")[1:])


def new_tab() -> State:
    """A tab's tree as Reflex's set_state hands a new one to the disk: every state in it touched."""
    root = State(_reflex_internal_init=True)
    disk._mark_state_tree_touched(root)
    return root


def said(root: State) -> None:
    toast = substate(root, ToastState)
    toast.message, toast.kind = "Added Rain Jacket to the cart.", "success"


def written(folder) -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    for path in folder.iterdir():
        path.unlink()
    return files


async def write_twice(method, folder, monkeypatch):
    """A new tab's whole tree, then the same tab after an event that changed two of its states."""
    monkeypatch.setattr(prerequisites, "get_states_dir", lambda: folder)
    manager = disk.StateManagerDisk()
    token = BaseStateToken(ident="tab-1", cls=State)
    root = new_tab()
    await method(manager, token, root)
    first = written(folder)
    substate(root, CartState).panel_open = True
    said(root)
    await method(manager, token, root)
    return first, written(folder), manager, token


@pytest.fixture
def in_one_go():
    write_states_in_one_go()  # rxconfig.py applies it in the store; applying it again changes nothing
    write_states_in_one_go()
    patched = disk.StateManagerDisk.set_state_for_substate
    assert patched.in_one_go and not getattr(patched.__wrapped__, "in_one_go", False)
    return patched


def test_the_same_files_as_reflex_writes_them_one_by_one(in_one_go, tmp_path, monkeypatch):
    reflex_first, reflex_then, *_ = asyncio.run(
        write_twice(in_one_go.__wrapped__, tmp_path / "reflex", monkeypatch)
    )
    ours_first, ours_then, *_ = asyncio.run(write_twice(in_one_go, tmp_path / "ours", monkeypatch))

    assert ours_first.keys() == reflex_first.keys() and len(ours_first) > 5  # the whole tree, file per state
    assert ours_then.keys() == reflex_then.keys()
    assert len(ours_then) == 2  # only the two states the event changed
    assert ours_then == reflex_then


def test_what_was_written_loads_back(in_one_go, tmp_path, monkeypatch):
    folder = tmp_path / "states"

    async def scenario():
        _, _, manager, token = await write_twice(in_one_go, folder, monkeypatch)
        root = State(_reflex_internal_init=True)
        substate(root, CartState).panel_open = True
        said(root)
        await in_one_go(manager, token, root)
        cart = await manager.load_state(token.with_cls(CartState))
        toast = await manager.load_state(token.with_cls(ToastState))
        return cart, toast

    cart, toast = asyncio.run(scenario())
    assert cart.panel_open is True
    assert (toast.message, toast.kind) == ("Added Rain Jacket to the cart.", "success")


def test_a_missing_folder_is_made_first(in_one_go, tmp_path, monkeypatch):
    folder = tmp_path / "states"

    async def scenario():
        monkeypatch.setattr(prerequisites, "get_states_dir", lambda: folder)
        manager = disk.StateManagerDisk()
        folder.rmdir()  # removed under the running store (a cleanup); the next write makes it again
        await in_one_go(manager, BaseStateToken(ident="tab-2", cls=State), new_tab())

    asyncio.run(scenario())
    assert any(folder.iterdir())


def test_a_shorter_state_leaves_nothing_of_the_longer_one(tmp_path):
    path = tmp_path / "state.pkl"
    overwrite(path, b"a longer pickled state, from the last event")
    overwrite(path, b"shorter")
    assert path.read_bytes() == b"shorter"
    assert path.stat().st_mode & 0o077 == 0  # a new state file is the store's user's only
