"""Slow clients, as the hardening issue's attack opened them: connections that send a request
head one header line every few seconds ("headers"), or a whole head and then a POST body one
byte every few seconds ("body"); and ones that send a whole request with "Connection: close"
but never close their end after the answer ("close": gunicorn's gthread then lingers up to 2 s
on each, on the thread that serves every connection of the worker). Used by
tests/test_slow_clients.py and bench/slow_clients.py.

Every connection runs on one asyncio loop in a background thread, so a few hundred cost the
test runner one thread. Each records when the server ended it (closed, reset or answered).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

# A header line (or body byte) this often: slower than any real client, far inside every
# router's and kernel's idle timeouts, so only the server's own read deadline ends it.
INTERVAL = 2.0


@dataclass
class Slow:
    """One slow connection: when the server ended it (seconds after it opened), and how."""

    ended_after: float | None = None
    how: str = ""
    first_bytes: bytes = b""


def _head(kind: str, host: str, length: int) -> bytes:
    if kind == "headers":  # no blank line: the head never ends
        return f"GET /health/ HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Proto: https\r\n".encode()
    if kind == "close":
        return f"GET /health/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    # A body the view must read: the CSRF cookie is set, so CsrfViewMiddleware reads the
    # form for its token (without the cookie it refuses before reading).
    token = "a" * 32
    return (
        f"POST /accounts/login/ HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Proto: https\r\n"
        f"Referer: https://{host}/accounts/login/\r\n"
        f"Cookie: __Host-csrftoken={token}; csrftoken={token}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


class SlowClients:
    """``count`` slow connections of ``kind`` ("headers" or "body") to 127.0.0.1:``port``,
    opened on construction (all at once) and closed by :meth:`close`."""

    def __init__(
        self,
        port: int,
        kind: str,
        count: int,
        *,
        host: str = "localhost",
        interval: float = INTERVAL,
        body_length: int = 100_000,
    ) -> None:
        assert kind in ("headers", "body", "close")
        self.port, self.kind, self.count, self.interval = port, kind, count, interval
        self.head = _head(kind, host, body_length)
        self.body_length = body_length
        self.slow = [Slow() for _ in range(count)]
        self.opened = 0
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        tasks = [asyncio.create_task(self._one(slow)) for slow in self.slow]
        while self.opened < self.count and not all(t.done() for t in tasks):
            await asyncio.sleep(0.01)
        self._ready.set()
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, slow: Slow) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError as error:
            slow.ended_after, slow.how = 0.0, f"connect: {type(error).__name__}"
            self.opened += 1
            return
        self.opened += 1
        opened = time.monotonic()
        read = asyncio.create_task(reader.read(256))
        try:
            writer.write(self.head)
            sent = 0
            while not read.done():
                await asyncio.wait({read}, timeout=self.interval)
                if read.done():
                    break
                if self.kind == "headers":
                    writer.write(f"X-Slow-{sent}: x\r\n".encode())
                elif self.kind == "body" and sent < self.body_length:
                    writer.write(b"a")
                sent += 1
                await writer.drain()
            data = read.result()
            slow.first_bytes = data
            slow.how = "answered" if data else "closed"
            if self.kind == "close":  # answered; now neither send nor close
                slow.ended_after = time.monotonic() - opened
                await self._stop.wait()
        except (ConnectionError, OSError) as error:
            slow.how = type(error).__name__
        except asyncio.CancelledError:
            read.cancel()
            writer.close()
            raise
        if slow.ended_after is None:
            slow.ended_after = time.monotonic() - opened
        writer.close()

    def ended(self) -> int:
        """How many connections the server has ended so far."""
        return sum(1 for slow in self.slow if slow.ended_after is not None)

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)
        self._loop.close()

    def __enter__(self) -> SlowClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
