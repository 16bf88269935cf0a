"""A TCP proxy whose plug a test can pull: the store talks to its database through it.

with TcpProxy("127.0.0.1", 5432) as proxy:      # listens on 127.0.0.1:proxy.port
    ...                                         # DATABASE_URL=postgresql://…@127.0.0.1:{proxy.port}/db
    proxy.cut()                                 # refuse new connections, drop the open ones
    proxy.restore()                             # serve again on the same port
"""

from __future__ import annotations

import socket
import struct
import threading
from typing import Self


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> Self:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))  # port 0 the first time; the same port after a cut
        listener.listen(64)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()
        return self

    @property
    def serving(self) -> bool:
        return self._listener is not None

    def cut(self) -> None:
        """The database becomes unreachable: new connections are refused, open ones are reset."""
        listener, self._listener = self._listener, None
        if self._acceptor is not None:
            # The port is free again only once the accept loop has let go of the listener.
            self._acceptor.join()
            self._acceptor = None
        if listener is not None:
            listener.close()
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            _close(sock, reset=True)

    def restore(self) -> None:
        if not self.serving:
            self.start()

    def close(self) -> None:
        self.cut()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by cut()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client, reset=True)
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut while connecting
                    _close(client, reset=True)
                    _close(upstream, reset=True)
                    return
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(sink)
            _close(source)


def _close(sock: socket.socket, reset: bool = False) -> None:
    try:
        if reset:
            # An abortive close (RST at close), as when the server or the network goes away; SHUT_RD
            # only wakes the thread reading from it, without sending a polite FIN first.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RD)
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
