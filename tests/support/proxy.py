"""A TCP forwarder a test can partition: ``strand()`` freezes every connection open at that
moment (nothing more is forwarded either way, nothing is closed: a silent partition, as a
hung server or a network that drops packets looks from the client), while connections opened
afterwards pass as usual."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

from tests.support.processes import free_port


class StrandingProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.stranded_before = 0.0
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def strand(self) -> None:
        """Every connection open now stops forwarding, for good."""
        self.stranded_before = time.monotonic()

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                if self.closed:
                    return
                continue
            born = time.monotonic()
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b, born), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, born: float) -> None:
        with contextlib.suppress(OSError):
            while not self.closed:
                if born < self.stranded_before:  # frozen: read nothing, send nothing
                    time.sleep(0.2)
                    continue
                readable, _, _ = select.select([source], [], [], 0.2)
                if not readable:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
