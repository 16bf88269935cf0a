"""Start the store's production build on a free port with its own freshly seeded SQLite database.

Works from this repository and from a QA repository that installed the project (`pip install -e <project>`):
the project is the directory above this package, or `$STORE_PROJECT_DIR`; its `.venv` (when there is one)
seeds the database and runs `reflex`.
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
            f"(`pip install -e <project>`) or set {PROJECT_DIR_ENV} to its directory."
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


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"store exited early ({proc.returncode}); log:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"store did not answer {url} within {timeout}s; log:\n{_tail(log)}")


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
    `workdir/e2e.db` (`db_url`), the server's output goes to `workdir/store.log` (`log`).
    """

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str] | None = None,
        root: Path | None = None,
        private_build: bool = True,
    ):
        self.workdir = Path(workdir)
        self.root = root or project_root()
        self.private_build = private_build
        self.port = free_port()
        self.db_url = f"sqlite:///{self.workdir / 'e2e.db'}"
        self.log = self.workdir / "store.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "PORT": str(self.port),
            "BACKEND_PORT": str(self.port),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{self.root / '.tools/node_modules/.bin'}:{os.environ.get('PATH', '')}",
            **(env or {}),
        }
        self.env.pop("REDIS_URL", None)
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

    def start(self) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.seed()
        web = private_web_dir(self.root, self.workdir) if self.private_build else None
        if web is not None:
            self.env["REFLEX_WEB_WORKDIR"] = str(web)
            self.env["REFLEX_STATES_WORKDIR"] = str(self.workdir / "states")
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [project_reflex(self.root), "run", "--env", "prod", "--single-port", "--loglevel", "info"],
                cwd=self.root,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait(f"{self.base_url}/ping", self.proc, self.log, timeout=600)
            _wait(f"{self.base_url}/", self.proc, self.log, timeout=120)
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

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
