"""Start the store's production build on a free port with its own freshly seeded SQLite database.

Works from this repository and from a QA repository that installed the project
(`pip install -e '<project>[qa]'`, docs/QA.md): the project is the directory above this package, or
`$STORE_PROJECT_DIR`; its `.venv` (when there is one) seeds the database and runs `reflex`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_DIR_ENV = "STORE_PROJECT_DIR"


def project_root() -> Path:
    """The store project: `$STORE_PROJECT_DIR`, else the parent of this package (an editable install)."""
    configured = os.environ.get(PROJECT_DIR_ENV)
    root = Path(configured).expanduser() if configured else Path(__file__).resolve().parent.parent
    root = root.resolve()
    if not (root / "rxconfig.py").is_file():
        raise RuntimeError(
            f"{root} is not the store project (no rxconfig.py). Install the project editable "
            f"(`pip install -e '<project>[qa]'`) or set {PROJECT_DIR_ENV} to its directory."
        )
    return root


def project_python(root: Path) -> str:
    venv = root / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def project_reflex(root: Path) -> str:
    for candidate in (root / ".venv" / "bin" / "reflex", Path(sys.executable).with_name("reflex")):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("reflex")
    if not found:
        raise RuntimeError(f"no reflex executable: run `make setup` in {root}")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def wait_ok(url: str, proc: subprocess.Popen, log: Path, timeout: float, what: str = "store") -> None:
    """Poll `url` until it answers 200; fail with the tail of `log` if `proc` exits or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early ({proc.returncode}); {log}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} within {timeout}s; {log}:\n{_tail(log)}")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def private_web_dir(root: Path, workdir: Path) -> Path | None:
    """A copy of the project's `.web` for this server alone, or None when the project has not built yet.

    Reflex compiles into `.web`; a test run building there would collide with `make run` or another test
    run in the same project. The copy hard-links `node_modules` (read-only during a build) and copies the
    rest, so it takes about a second. Without a `.web` the server builds in the project's own, which later
    runs then copy.
    """
    source = root / ".web"
    if not (source / "node_modules").is_dir():
        return None
    target = workdir / "web"
    target.mkdir()
    for item in source.iterdir():
        if item.name == "build":
            continue
        if item.name == "node_modules":
            shutil.copytree(item, target / item.name, symlinks=True, copy_function=_link_or_copy)
        elif item.is_dir():
            shutil.copytree(item, target / item.name, symlinks=True)
        else:
            shutil.copy2(item, target / item.name)
    return target


class StoreServer:
    """`with StoreServer(workdir) as base_url:` — the seeded store on the production build.

    `env` adds environment variables for the store (e.g. `{"CART_LOCK_MINUTES": "1"}`). The database is
    `workdir/e2e.db` (`db_url`), the server's output goes to `workdir/store.log` (`log`), its mail to
    `workdir/outbox` (`outbox`).

    `database_url` serves another database instead (e.g. a PostgreSQL database of the caller's, which
    `start` seeds); `redis_url` keeps Reflex's state in that Redis, which is what lets it run several
    backend workers (`workers`, else Reflex's default of 2 x cores + 1). Without them the store runs
    on SQLite with the in-memory state manager, whatever `$REDIS_URL` says.
    """

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str] | None = None,
        root: Path | None = None,
        private_build: bool = True,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        workers: int | None = None,
    ):
        self.workdir = Path(workdir)
        self.root = root or project_root()
        self.private_build = private_build
        self.port = free_port()
        self.db_url = database_url or f"sqlite:///{self.workdir / 'e2e.db'}"
        self.log = self.workdir / "store.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "PORT": str(self.port),
            "BACKEND_PORT": str(self.port),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{self.root / '.tools/node_modules/.bin'}:{os.environ.get('PATH', '')}",
            "MAIL_OUTBOX_DIR": str(self.workdir / "outbox"),
            **(env or {}),
        }
        # The store's outgoing mail, one .eml file per message (storefront_qa.mail.Outbox reads them).
        self.outbox = Path(self.env["MAIL_OUTBOX_DIR"])
        # Reflex's state manager: in memory (one worker) unless this server was given its own Redis.
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        if workers:
            # Reflex starts Granian with $GRANIAN_WORKERS workers (else 2 x cores + 1 with Redis).
            self.env["GRANIAN_WORKERS"] = str(workers)
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seed(self) -> None:
        """Drop every table and seed the demo data again (the README's demo identities)."""
        done = subprocess.run(
            [project_python(self.root), "-m", "app.seed", "--reset"],
            check=False,
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(
                f"seeding failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-4000:]}"
            )

    def start(self, seed: bool = True) -> str:
        """Seed the database (unless `seed=False`, e.g. to restart on the same data) and serve it."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if seed:
            self.seed()
        if self.private_build and "REFLEX_WEB_WORKDIR" not in self.env:
            web = private_web_dir(self.root, self.workdir)
            if web is not None:
                self.env["REFLEX_WEB_WORKDIR"] = str(web)
                self.env["REFLEX_STATES_WORKDIR"] = str(self.workdir / "states")
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [project_reflex(self.root), "run", "--env", "prod", "--single-port", "--loglevel", "info"],
                cwd=self.root,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_ok(f"{self.base_url}/ping", self.proc, self.log, timeout=600)
            wait_ok(f"{self.base_url}/", self.proc, self.log, timeout=120)
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()

    def restart(self) -> str:
        """Stop and serve the same database again on the same port (Reflex rebuilds the frontend)."""
        self.stop()
        return self.start(seed=False)

    def worker_pids(self) -> list[int]:
        """The backend worker processes: with `--single-port` the `reflex` process is Granian's
        supervisor and every worker is its child."""
        if not self.proc or self.proc.poll() is not None:
            return []
        return _children(self.proc.pid)

    def workers_with_clients(self) -> list[int]:
        """The workers holding an established connection on the store's port (e.g. a websocket)."""
        inodes = _established_socket_inodes(self.port)
        return [pid for pid in self.worker_pids() if _socket_inodes(pid) & inodes]

    def worker_serving(self, client_port: int) -> int | None:
        """The worker holding the connection that comes from `client_port` on this machine (e.g. a raw
        client's websocket: `storefront_qa.raw_client.RawClient.local_port`)."""
        inodes = _established_socket_inodes(self.port, remote_port=client_port)
        return next((pid for pid in self.worker_pids() if _socket_inodes(pid) & inodes), None)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(c) for c in children.read_text().split()]
    except OSError:
        return []


def _established_socket_inodes(port: int, remote_port: int | None = None) -> set[int]:
    """Socket inodes of established TCP connections whose local port is `port` (/proc/net/tcp{,6}),
    only the one from `remote_port` when given."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            peer_port = int(fields[2].rsplit(":", 1)[1], 16)
            established = fields[3] == "01"
            if local_port == port and established and remote_port in (None, peer_port):
                inodes.add(int(fields[9]))
    return inodes


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    fds = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fds.iterdir())
    except OSError:
        return inodes
    for fd in entries:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes
