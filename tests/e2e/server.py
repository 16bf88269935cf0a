"""Start the production build on a free port with its own freshly seeded SQLite database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"store exited early ({proc.returncode}); log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"store did not answer {url} within {timeout}s; log:\n{log.read_text()[-4000:]}")


class StoreServer:
    """`with StoreServer(workdir) as base_url:` — seeded store on the production build."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.db_url = f"sqlite:///{workdir / 'e2e.db'}"
        self.log = workdir / "store.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "PORT": str(self.port),
            "BACKEND_PORT": str(self.port),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{ROOT / '.tools/node_modules/.bin'}:{os.environ.get('PATH', '')}",
            **(env or {}),
        }
        self.env.pop("REDIS_URL", None)
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> str:
        subprocess.run(
            [sys.executable, "-m", "app.seed", "--reset"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        reflex = str(Path(sys.executable).with_name("reflex"))
        self.proc = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--single-port", "--loglevel", "info"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait(f"{self.base_url}/ping", self.proc, self.log, timeout=600)
        _wait(f"{self.base_url}/", self.proc, self.log, timeout=120)
        return self.base_url

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
