"""The store as a cluster: nginx in front of several app hosts on one PostgreSQL and one Redis.

`make run-cluster` runs `python -m storefront_qa.cluster` (below, `main`); tests/e2e/test_cluster.py uses
`StoreCluster` on ports, a database and a Redis database of its own. docs/DEPLOY.md is the same recipe on
several machines. The steps, in order:

1. migrations (`python -m app.migrate --create-database`), then the demo data if the database is empty;
2. the frontend, built once (`reflex export --frontend-only --no-zip --env prod`) for the proxy's address:
   the build holds the websocket's port (Reflex's `env.json`), so it is the proxy's port, not a host's;
3. the app hosts, each its own process group on its own port, as on separate machines:
   `STORE_SERVE_BUILD=1 reflex run --env prod --backend-only --backend-port <port>` serves that build
   beside the websocket without building again (app/serving.py `serve_existing_build`);
4. nginx in the foreground with a config generated into the work folder (`nginx_config`).

Balancing: `least_conn` over every host, no stickiness. Reflex keeps each page's state in Redis and
routes events between hosts through it, sessions and carts are in PostgreSQL, so any host can serve any
request and any websocket, and a page's HTTP requests and its websocket need not meet on one host.
`least_conn` rather than round robin because most connections are long-lived websockets.

Pinning, for tests and for looking at one host: the cookie `store_host=h<n>` sends that browser to host n
(the other hosts are its backups, so it still works when host n is down). Anyone may set it: it only
chooses among hosts that can all serve everyone.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from storefront_qa.server import (
    _children,
    _established_socket_inodes,
    _socket_inodes,
    _tail,
    free_port,
    private_web_dir,
    project_python,
    project_reflex,
    project_root,
    wait_ok,
)

PIN_COOKIE = "store_host"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/store"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"


def find_nginx(root: Path | None = None) -> str | None:
    """nginx's path: `$NGINX_BIN`, else on PATH or /usr/sbin; None when missing (scripts/nginx.sh installs it)."""
    configured = os.environ.get("NGINX_BIN")
    if configured:
        return configured
    for candidate in (*os.environ.get("PATH", "").split(os.pathsep), "/usr/sbin", "/usr/local/sbin"):
        path = Path(candidate or ".") / "nginx"
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def nginx_config(
    listen: str,
    hosts: list[tuple[str, str]],
    workdir: Path | None = None,
    *,
    run_as_root: bool = False,
) -> str:
    """nginx's config for the proxy on `listen` (`3000`, `127.0.0.1:8080`) in front of `hosts`
    (`[("h1", "10.0.0.11:8000"), ...]`).

    With `workdir` it is a whole config file for `nginx -c <file> -g 'daemon off;'` run by anyone, with
    its pid, logs and temp files in that folder; without it, the `http { }` part to put in
    /etc/nginx/conf.d/ of a Debian nginx (docs/DEPLOY.md).
    """
    names = [name for name, _ in hosts]
    if len(set(names)) != len(names):
        raise ValueError(f"host names repeat: {names}")

    def server(address: str, backup: bool = False) -> str:
        # A host that refuses or times out is left alone for 5 s; nginx tries the next one meanwhile.
        return f"    server {address} max_fails=1 fail_timeout=5s{' backup' if backup else ''};"

    blocks = [
        "# Websockets: forward the upgrade; a plain request keeps its connection closed.",
        "map $http_upgrade $connection_upgrade {",
        "    default upgrade;",
        "    ''      close;",
        "}",
        "",
        "# Every host can serve every page and websocket (state in Redis, data in PostgreSQL): no stickiness;",
        "# least_conn because most connections are long-lived websockets.",
        "upstream store {",
        "    least_conn;",
        *(server(address) for _, address in hosts),
        "}",
        "",
        f"# Pinning (tests, looking at one host): the cookie {PIN_COOKIE}=<name> picks that host; the others",
        "# are its backups.",
    ]
    for name, address in hosts:
        blocks += [
            f"upstream store_{name} {{",
            server(address),
            *(server(other, backup=True) for other_name, other in hosts if other_name != name),
            "}",
        ]
    blocks += [
        "",
        f"map $cookie_{PIN_COOKIE} $store_upstream {{",
        "    default store;",
        *(f"    {name} store_{name};" for name in names),
        "}",
        "",
        "log_format store '$remote_addr [$time_local] \"$request\" $status $body_bytes_sent '",
        "                 'upstream=$upstream_addr $request_time s';",
        "",
        "server {",
        f"    listen {listen};",
        "    client_max_body_size 10m;",
        "",
        "    location / {",
        "        proxy_pass http://$store_upstream;",
        "        proxy_http_version 1.1;",
        "        proxy_set_header Upgrade $http_upgrade;",
        "        proxy_set_header Connection $connection_upgrade;",
        "        proxy_set_header Host $http_host;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        # A host that is down is skipped at once; a websocket may stay open for hours.",
        "        proxy_connect_timeout 2s;",
        "        proxy_next_upstream error timeout http_502;",
        "        proxy_read_timeout 1h;",
        "        proxy_send_timeout 1h;",
        "    }",
        "}",
    ]
    if workdir is None:
        return "\n".join(blocks) + "\n"
    w = Path(workdir)
    indented = "\n".join(f"    {line}" if line else "" for line in blocks)
    return "\n".join(
        [
            "# Generated by storefront_qa.cluster: nginx in front of the store's app hosts.",
            # As root, nginx's workers would run as `nobody`, who cannot enter a private work folder.
            *(["user root;"] if run_as_root else []),
            "worker_processes 1;",
            f"pid {w / 'nginx.pid'};",
            f"error_log {w / 'nginx-error.log'} warn;",
            "events { worker_connections 1024; }",
            "http {",
            f"    client_body_temp_path {w / 'tmp/client_body'};",
            f"    proxy_temp_path {w / 'tmp/proxy'};",
            f"    fastcgi_temp_path {w / 'tmp/fastcgi'};",
            f"    uwsgi_temp_path {w / 'tmp/uwsgi'};",
            f"    scgi_temp_path {w / 'tmp/scgi'};",
            indented,
            f"    access_log {w / 'nginx-access.log'} store;",
            "}",
            "",
        ]
    )


@dataclass
class AppHost:
    """One app host: `reflex run --env prod --backend-only` serving the build on `port`."""

    name: str
    port: int
    log: Path
    env: dict[str, str]
    root: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> None:
        env = {
            **self.env,
            "BACKEND_PORT": str(self.port),
            # Reflex deletes its states folder when it starts: one per host.
            "REFLEX_STATES_WORKDIR": str(self.log.parent / f"states-{self.name}"),
        }
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [
                    project_reflex(self.root),
                    "run",
                    "--env",
                    "prod",
                    "--backend-only",
                    "--backend-host",
                    "127.0.0.1",
                    "--backend-port",
                    str(self.port),
                    "--loglevel",
                    "info",
                ],
                cwd=self.root,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_ok(f"{self.url}/ping", self.proc, self.log, timeout, f"app host {self.name}")
        except BaseException:
            self.stop()
            raise

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.running():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the whole host (the `reflex` supervisor and its workers), as a machine that dies."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def connections(self) -> int:
        """Established connections into this host's port held by its processes: with nginx opening a new
        upstream connection per request, the lasting ones are the websockets of the pages it serves."""
        if not self.running():
            return 0
        inodes = _established_socket_inodes(self.port)
        pids = [self.proc.pid, *_children(self.proc.pid)]
        return sum(len(_socket_inodes(pid) & inodes) for pid in pids)


class StoreCluster:
    """`with StoreCluster(workdir, database_url=..., redis_url=...) as base_url:` — nginx on `port` in front
    of `hosts` app hosts (`h1`, `h2`, ...; `host("h1")`), each with `workers_per_host` backend workers.

    `env` adds environment variables for the store. The database is migrated, then seeded if empty; the
    frontend is built once (in a private copy of the project's `.web` unless `private_build=False`).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        database_url: str,
        redis_url: str,
        port: int | None = None,
        host_ports: list[int] | None = None,
        hosts: int = 2,
        workers_per_host: int | None = None,
        listen: str | None = None,
        env: dict[str, str] | None = None,
        root: Path | None = None,
        private_build: bool = True,
        nginx: str | None = None,
    ):
        self.workdir = Path(workdir).resolve()
        self.root = root or project_root()
        self.private_build = private_build
        self.port = port or free_port()
        self.listen = listen or f"127.0.0.1:{self.port}"
        host_ports = host_ports or [free_port() for _ in range(hosts)]
        self.nginx = nginx or find_nginx()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PUBLIC_URL": os.environ.get("PUBLIC_URL") or f"http://localhost:{self.port}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{self.root / '.tools/node_modules/.bin'}:{os.environ.get('PATH', '')}",
            # The client's address for per-source limits: the last X-Forwarded-For entry, set by nginx.
            "REFLEX_TRUSTED_PROXY_HOPS": "1",
            **(env or {}),
        }
        if workers_per_host:
            self.env["GRANIAN_WORKERS"] = str(workers_per_host)
        self.hosts = [
            AppHost(f"h{i}", p, self.workdir / f"host-h{i}.log", self.env, self.root)
            for i, p in enumerate(host_ports, start=1)
        ]
        self.log = self.workdir / "cluster.log"
        self.nginx_conf = self.workdir / "nginx.conf"
        self.proxy: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def host(self, name: str) -> AppHost:
        return next(h for h in self.hosts if h.name == name)

    def _step(self, what: str, args: list[str], env: dict[str, str] | None = None) -> None:
        started = time.monotonic()
        with self.log.open("a") as out:
            out.write(f"\n$ {' '.join(args)}\n")
            out.flush()
            done = subprocess.run(
                args, cwd=self.root, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, check=False
            )
        if done.returncode:
            raise RuntimeError(f"{what} failed ({done.returncode}); {self.log}:\n{_tail(self.log)}")
        print(f"cluster: {what} ({time.monotonic() - started:.0f} s)", file=sys.stderr)

    def prepare(self) -> None:
        """Migrations, the demo data if the database is empty, the frontend build: once, before any host."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        python = project_python(self.root)
        self._step("migrations applied", [python, "-m", "app.migrate", "--create-database"])
        self._step("demo data ready", [python, "-m", "app.seed", "--if-empty"])
        if self.private_build and "REFLEX_WEB_WORKDIR" not in self.env:
            web = private_web_dir(self.root, self.workdir)
            if web is not None:
                self.env["REFLEX_WEB_WORKDIR"] = str(web)
        # The build holds the websocket's address: the proxy's port (the page's own host name is used).
        build_env = {**self.env, "PORT": str(self.port), "BACKEND_PORT": str(self.port)}
        reflex = project_reflex(self.root)
        self._step(
            "frontend built", [reflex, "export", "--frontend-only", "--no-zip", "--env", "prod"], build_env
        )
        self.env["STORE_SERVE_BUILD"] = "1"

    def start_proxy(self) -> None:
        if not self.nginx:
            raise RuntimeError("nginx is missing: `bash scripts/nginx.sh` installs it (as root)")
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.nginx_conf.write_text(
            nginx_config(
                self.listen,
                [(h.name, f"127.0.0.1:{h.port}") for h in self.hosts],
                self.workdir,
                run_as_root=os.geteuid() == 0,
            )
        )
        error_log = str(self.workdir / "nginx-error.log")
        command = [
            self.nginx,
            "-e",
            error_log,
            "-c",
            str(self.nginx_conf),
            "-p",
            str(self.workdir),
            "-g",
            "daemon off;",
        ]
        check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, check=False)
        if check.returncode:
            raise RuntimeError(f"nginx rejects {self.nginx_conf}:\n{check.stderr}")
        with (self.workdir / "nginx.out").open("a") as out:
            self.proxy = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_ok(f"{self.base_url}/ping", self.proxy, self.workdir / "nginx-error.log", 30, "nginx")

    def start(self) -> str:
        try:
            self.prepare()
            for h in self.hosts:
                h.start()
                print(f"cluster: app host {h.name} serving on {h.url} ({h.log})", file=sys.stderr)
            self.start_proxy()
        except BaseException:
            self.stop()
            raise
        return self.base_url

    def stop(self) -> None:
        if self.proxy is not None and self.proxy.poll() is None:
            os.killpg(self.proxy.pid, signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proxy.pid, signal.SIGKILL)
                self.proxy.wait()
        for h in self.hosts:
            h.stop()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """`make run-cluster`: the whole cluster on this machine, in the foreground; Ctrl-C stops all of it."""
    parser = argparse.ArgumentParser(prog="python -m storefront_qa.cluster", description=main.__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="nginx's port")
    parser.add_argument("--hosts", type=int, default=int(os.environ.get("CLUSTER_HOSTS", "2")))
    parser.add_argument(
        "--workers-per-host",
        type=int,
        default=int(os.environ.get("CLUSTER_WORKERS_PER_HOST", "2")),
        help="backend workers of each app host",
    )
    parser.add_argument("--workdir", default=os.environ.get("CLUSTER_DIR", ".cluster"))
    parser.add_argument(
        "--print-nginx-config",
        metavar="NAME=ADDRESS,...",
        help="only print the http{} part of nginx's config for these hosts (e.g. h1=10.0.0.11:8000,"
        "h2=10.0.0.12:8000) and exit",
    )
    args = parser.parse_args(argv)
    if args.print_nginx_config:
        hosts = [tuple(item.split("=", 1)) for item in args.print_nginx_config.split(",")]
        print(nginx_config(str(args.port), hosts), end="")
        return

    root = project_root()
    cluster = StoreCluster(
        root / args.workdir,
        database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        redis_url=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        port=args.port,
        host_ports=[args.port + i for i in range(1, args.hosts + 1)],
        workers_per_host=args.workers_per_host,
        listen=str(args.port),
        root=root,
        private_build=False,
    )

    def stop_on(signum, frame):
        raise KeyboardInterrupt

    # Explicitly: a shell that starts this in the background would have SIGINT ignored.
    signal.signal(signal.SIGINT, stop_on)
    signal.signal(signal.SIGTERM, stop_on)
    signal.signal(signal.SIGHUP, stop_on)
    try:
        cluster.start()
        print(
            f"cluster: nginx on port {args.port} in front of "
            f"{', '.join(f'{h.name} {h.url}' for h in cluster.hosts)}; logs in {cluster.workdir}\n"
            f"Harbor & Pine is at http://localhost:{args.port} — Ctrl-C stops the proxy and every host",
            file=sys.stderr,
        )
        reported = set()
        while cluster.proxy.poll() is None:
            for h in cluster.hosts:
                if not h.running() and h.name not in reported:
                    reported.add(h.name)
                    print(
                        f"cluster: app host {h.name} exited ({h.log}); nginx sends its clients to the others"
                    )
            time.sleep(1)
        print(f"cluster: nginx exited ({cluster.proxy.returncode})", file=sys.stderr)
    except KeyboardInterrupt:
        print("\ncluster: stopping", file=sys.stderr)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()


if __name__ == "__main__":
    main()
