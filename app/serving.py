"""How the production server runs: `reflex run --env prod` serves the app with Granian."""

from __future__ import annotations

import functools
import os


def respawn_failed_workers() -> None:
    """Make Granian replace a backend worker that dies instead of stopping the whole store.

    Reflex 0.10.1 starts Granian without its `respawn_failed_workers` option, so one crashed or killed
    worker made Granian stop every worker and the server exit. With the option, the dead worker is started
    again (Granian gives up on a crash loop: the same worker dying twice within 5.5 s), the other workers
    keep serving, and the pages connected to the dead one reconnect: their state is in Redis, sessions
    and carts in the database. Reflex has no setting for it, so this sets Granian's default before Reflex
    builds its server (rxconfig.py calls it; the `reflex` command reads that file first).
    """
    try:
        from granian.server import mp
    except ImportError:  # not installed: nothing to configure
        return
    original = mp.MPServer.__init__
    if getattr(original, "respawns_failed_workers", False):
        return

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    __init__.respawns_failed_workers = True
    mp.MPServer.__init__ = __init__


def private_files() -> None:
    """Files the store writes (Reflex's per-tab state under .states/, the SQLite database, the mail
    outbox) are readable by the store's own user only. Tabs' states hold customers' data."""
    os.umask(0o077)


SERVE_BUILD_ENV = "STORE_SERVE_BUILD"


def is_app_host() -> bool:
    """This process is an app host of the cluster: `STORE_SERVE_BUILD=1` (see `serve_existing_build`)."""
    return os.environ.get(SERVE_BUILD_ENV) == "1"


def serve_existing_build() -> None:
    """`STORE_SERVE_BUILD=1 reflex run --env prod --backend-only` serves the frontend that is already built
    (`reflex export --frontend-only --no-zip`), like `--single-port` does, without building it again.

    That is an app host of the cluster (`make run-cluster`, docs/DEPLOY.md): the build happens once, then
    every host serves it beside the websocket, so a page and its events may come from any host. Reflex 0.10.1
    mounts the build only when it has just built it (`--single-port`); `--backend-only` skips the build and
    the mount. This asks for the mount too (rxconfig.py calls it; the `reflex` command reads that file
    before it starts Granian).
    """
    if not is_app_host():
        return
    try:
        from reflex.utils import exec as reflex_exec
    except ImportError:
        return
    original = reflex_exec.run_backend_prod
    if getattr(original, "serves_existing_build", False):
        return

    @functools.wraps(original)
    def run_backend_prod(host, port, loglevel=None, mount_frontend_compiled_app=False):
        args = (host, port) if loglevel is None else (host, port, loglevel)
        return original(*args, mount_frontend_compiled_app=True)

    run_backend_prod.serves_existing_build = True
    reflex_exec.run_backend_prod = run_backend_prod


METRICS_OWNER = "STORE_METRICS_OWNER"


def metrics_folder() -> None:
    """Prometheus's multiprocess folder (PROMETHEUS_MULTIPROC_DIR), fresh for each start of the server, so the
    figures of all backend workers add up (app/metrics.py, docs/OPERATIONS.md).

    The `reflex run` process prepares it before it starts any worker (rxconfig.py calls this; the `reflex`
    command reads that file first): the configured folder, emptied, or else a new temporary one. Its workers
    inherit the variables and recognise their parent's folder. Tests and other commands leave it alone and
    count in memory."""
    import sys
    import tempfile
    from pathlib import Path

    if os.environ.get(METRICS_OWNER) in (str(os.getpid()), str(os.getppid())):
        return  # prepared by this process, or by the server this worker belongs to
    command = Path(sys.argv[0]).name if sys.argv else ""
    if command not in ("reflex", "__main__.py") or "run" not in sys.argv[1:3]:
        return
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR") if METRICS_OWNER not in os.environ else None
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.db"):  # a previous run's figures
            old.unlink(missing_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="store-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    os.environ[METRICS_OWNER] = str(os.getpid())


DISK_PURGE_SECONDS = 60.0


def purge_states_now_and_then() -> None:
    """One worker keeps the tabs' states on disk (Reflex's StateManagerDisk). Reflex 0.10.1 scans its whole
    states directory for expired files (a `stat` per file) after every batch it writes, and under a steady
    load it writes a batch for almost every event: a worker with 100 shoppers clicking spent a quarter of
    its time listing that directory (bench/RESULTS.md, "The disk state manager"). Expired means untouched
    for `redis_token_expiration` (an hour by default), so a scan a minute loses nothing; states in memory
    expire as before. rxconfig.py calls this before Reflex creates its state manager."""
    import time

    try:
        from reflex.istate.manager import disk
    except ImportError:
        return
    original = disk.StateManagerDisk._purge_expired_states
    if getattr(original, "now_and_then", False):
        return
    last = [float("-inf")]

    @functools.wraps(original)
    def _purge_expired_states(self):
        now = time.monotonic()
        if now - last[0] < DISK_PURGE_SECONDS:
            return
        last[0] = now
        original(self)

    _purge_expired_states.now_and_then = True
    disk.StateManagerDisk._purge_expired_states = _purge_expired_states


def overwrite(path, data: bytes) -> None:
    """Write `data` as the whole of the file at `path`, over what it held, then cut it to that length.
    Truncating first (`Path.write_bytes`) makes ext4 free the file's block and allocate it again: about 70 us
    of CPU for a state's 1-2 KB here, against about 10 us in place. Neither way is atomic; a torn file does not
    unpickle, and Reflex then starts that state afresh, as it does for a missing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def write_states_in_one_go() -> None:
    """One worker's StateManagerDisk writes a tab's changed states after its debounce, one file per touched
    substate: an add-to-cart three (the tab's root and toast, its shared cart's LiveCart), a page load five or
    six. Reflex 0.10.1 hands each file to a thread of its own (`run_in_thread`), whose end wakes the event loop
    again, and truncates it before writing. Those writes were a fifth of a worker's busy samples under py-spy.
    Here the same files, pickled the same way, are written in one hand-off per tab and overwritten in place
    (`overwrite`): about -40 % of the CPU for an add-to-cart's, -70 % for a page load's
    (`python -m bench --suite statewrites`, bench/RESULTS.md "A tab's states written in one go"). Which
    substates count as touched, where they go and the debounce are Reflex's. rxconfig.py calls this before
    Reflex creates its state manager."""
    try:
        from reflex.istate.manager import disk
        from reflex.istate.manager.token import BaseStateToken
        from reflex.state import BaseState
        from reflex.utils.misc import run_in_thread
    except ImportError:
        return
    original = disk.StateManagerDisk.set_state_for_substate
    if getattr(original, "in_one_go", False):
        return

    def touched(manager, token, substate, writes: list) -> None:
        """Reflex's own walk (`set_state_for_substate`): each touched substate pickled, then its children."""
        if token.get_and_reset_touched_state(substate):
            pickled = token.serialize(substate)
            if pickled:
                writes.append((manager.token_path(token.with_cls(type(substate))), pickled))
        if isinstance(token, BaseStateToken) and isinstance(substate, BaseState):
            for child in substate.substates.values():
                touched(manager, token, child, writes)

    def write_all(folder, writes: list) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for path, pickled in writes:
            overwrite(path, pickled)

    @functools.wraps(original)
    async def set_state_for_substate(self, token, substate):
        writes: list = []
        touched(self, token, substate, writes)
        if writes:
            await run_in_thread(functools.partial(write_all, self.states_directory, writes))

    set_state_for_substate.in_one_go = True
    disk.StateManagerDisk.set_state_for_substate = set_state_for_substate


def admit_events_in_turn(processor: type | None = None, limit: int | None = None) -> None:
    """Let a worker handle at most `EVENTS_AT_ONCE` events at a time; the others wait their turn first.

    Reflex 0.10.1 starts every event at once, and each takes its tab's state lock before it runs: in a rush
    (1,000 shoppers clicking at the same moment) an event holds its lock while it waits behind hundreds of
    others for the processor, Redis warns that states are "held too long", and past 10 s the event fails
    (LockExpiredError). Waiting for a turn before the lock keeps every hold as short as the event itself;
    the order of a tab's own events is Reflex's (one at a time per tab) and unchanged. Background tasks are
    not counted: they take the lock only inside `async with self`. A handler never waits for another event
    to start, so a turn always ends. bench/RESULTS.md, "Events in turn". rxconfig.py calls this."""
    import asyncio

    if processor is None:
        try:
            from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
        except ImportError:
            return
        processor = BaseStateEventProcessor
    original = processor._execute_event
    if getattr(original, "in_turn", False):
        return
    from app import config

    turns = limit or config.EVENTS_AT_ONCE
    gates: dict[int, asyncio.Semaphore] = {}  # one per event loop (each worker process has its own)

    @functools.wraps(original)
    async def _execute_event(self, *, entry, registered_handler):
        if registered_handler.handler.is_background:
            return await original(self, entry=entry, registered_handler=registered_handler)
        loop = id(asyncio.get_running_loop())
        gate = gates.get(loop) or gates.setdefault(loop, asyncio.Semaphore(turns))
        async with gate:
            return await original(self, entry=entry, registered_handler=registered_handler)

    _execute_event.in_turn = True
    processor._execute_event = _execute_event


# The channel each worker's lock listener stays subscribed to while no lock of its own is awaited (redis-py's
# listener ends once it has no subscription); nothing is ever published on it.
IDLE_LOCK_CHANNEL = b"store:lock-listener"


def listen_to_awaited_locks_only() -> None:
    """Each worker of Reflex 0.10.1's Redis state manager subscribes to a pattern matching every state lock
    (`__keyspace@N__:*_lock`), so every lock any worker of any host takes or lets go (its SET, the expiry that
    SET gives it, its DEL: two locks per add-to-cart) is sent to every worker, which parses it in Python to
    find that none of its events waits for it. py-spy (5 workers, Redis, the events bench): 14 % of the
    workers' time. Here a worker listens to one lock's channel only while one of its events waits for that
    lock: the subscription is confirmed before the waiter tries the lock again, so a release is not missed,
    and a lock nobody waits for (nearly all) is sent to no one. The waiting itself, its timeout and the local
    hand-over are Reflex's. Reflex's opportunistic locks (off by default, not used here) listen to lock
    contention the old way, so with them on this changes nothing. bench/RESULTS.md, "Lock releases heard only
    by their waiters". rxconfig.py calls this."""
    import asyncio
    import contextlib

    try:
        from reflex.istate.manager.redis import LOCK_SUBSCRIBE_TASK_TIMEOUT, StateManagerRedis
    except ImportError:
        return
    original_listener = StateManagerRedis._subscribe_lock_updates
    if getattr(original_listener, "awaited_only", False):
        return
    original_waiter = StateManagerRedis._lock_waiter

    def channel_of(manager, lock_key: bytes) -> bytes:
        db = manager.redis.get_connection_kwargs().get("db", 0)
        return f"__keyspace@{db}__:".encode() + lock_key

    def awaited(manager) -> dict:
        """channel -> [local waiters, subscription confirmed]; and the lock ordering (un)subscriptions."""
        if not hasattr(manager, "_awaited_locks"):
            manager._awaited_locks, manager._awaited_unconfirmed = {}, {}
            manager._awaited_guard = asyncio.Lock()
        return manager._awaited_locks

    @functools.wraps(original_listener)
    async def _subscribe_lock_updates(self):
        if self._oplock_enabled:
            return await original_listener(self)
        await self._enable_keyspace_notifications()
        awaited(self)
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(IDLE_LOCK_CHANNEL)
            self._awaited_pubsub = pubsub
            try:
                async for message in pubsub.listen():
                    kind, channel = message["type"], message["channel"]
                    if kind == "message":
                        await self._handle_lock_release(message)
                    elif kind == "subscribe" and channel == IDLE_LOCK_CHANNEL:
                        self._lock_updates_subscribed.set()
                    elif kind == "subscribe":
                        confirm(self, channel)
            finally:
                self._lock_updates_subscribed.clear()
                self._awaited_pubsub = None
                # Nobody confirms these any more: their waiters rely on the timeout, as with Reflex's listener
                # down; a waiter that comes after the listener is back subscribes on the new one.
                for entry in self._awaited_locks.values():
                    entry[1].set()
                self._awaited_locks.clear()
                self._awaited_unconfirmed.clear()

    def confirm(manager, channel: bytes) -> None:
        """Redis confirmed a SUBSCRIBE; in order, so when none is outstanding the latest one took."""
        left = manager._awaited_unconfirmed.get(channel, 0) - 1
        if left > 0:
            manager._awaited_unconfirmed[channel] = left
            return
        manager._awaited_unconfirmed.pop(channel, None)
        if (entry := manager._awaited_locks.get(channel)) is not None:
            entry[1].set()

    @contextlib.asynccontextmanager
    async def _lock_waiter(self, lock_key: bytes):
        if self._oplock_enabled:
            async with original_waiter(self, lock_key) as released:
                yield released
            return
        locks, channel = awaited(self), channel_of(self, lock_key)
        async with self._awaited_guard:
            entry = locks.get(channel)
            if entry is None:
                entry = locks[channel] = [0, asyncio.Event()]
                pubsub = getattr(self, "_awaited_pubsub", None)
                if pubsub is None:
                    entry[1].set()  # no listener: the waiter relies on the timeout, as in Reflex
                else:
                    self._awaited_unconfirmed[channel] = self._awaited_unconfirmed.get(channel, 0) + 1
                    await pubsub.subscribe(channel)
            entry[0] += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(entry[1].wait(), LOCK_SUBSCRIBE_TASK_TIMEOUT)
            async with original_waiter(self, lock_key) as released:
                yield released
        finally:
            entry[0] -= 1  # before any await: a waiter cancelled here is still counted out
            async with self._awaited_guard:
                if entry[0] == 0 and locks.get(channel) is entry:
                    del locks[channel]
                    pubsub = getattr(self, "_awaited_pubsub", None)
                    if pubsub is not None:
                        with contextlib.suppress(Exception):
                            await pubsub.unsubscribe(channel)

    _subscribe_lock_updates.awaited_only = True
    StateManagerRedis._subscribe_lock_updates = _subscribe_lock_updates
    StateManagerRedis._lock_waiter = _lock_waiter
