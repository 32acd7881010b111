"""gunicorn's threaded worker, except that a thread gets a request only once it has arrived.

gunicorn's gthread worker hands a connection to a thread as soon as its first byte arrives; the
thread then reads the request head and body with blocking reads. A client that sends a header
line every 2 s, or a body a byte at a time, holds that thread for as long as it likes: 14 such
clients held every thread of 3 workers x 4 threads, /health/ included (hardening issue, finding
2). Here the worker's own event loop (the selector that already accepts connections and waits on
kept-alive ones) reads each request's head and body without blocking, spooling the body to a
temporary file past 64 KiB, and hands the connection to a thread with every byte in hand. A
request whose first byte came more than ``read_timeout`` seconds ago and that is still not
complete is answered 408 and closed; a connection that has sent nothing waits as long as an idle
kept-alive one and is closed silently (a router may hold it open for its next request). Threads
then only ever wait on PostgreSQL, Redis and the app. The response is written the same way
round: what the client's socket does not take at once (a file's body always: static files,
downloads) is left to the event loop, which sends it without blocking as the client reads (in
memory up to 64 KiB, the rest from the file or a temporary one) and closes a connection that
has taken nothing for ``read_timeout``; the thread is free as soon as the app is done.

Kept: everything else of gthread (keep-alive, drain on SIGTERM, max_requests, the access log).
Changed besides: gthread's "graceful" close (send FIN, then read for up to 2 s what the client
still sends) blocked the event loop's thread, so one client that neither sent nor closed after a
"Connection: close" answer stalled every connection of the worker for 2 s; here the event loop
lingers without blocking. A chunked body declares no length the app could refuse: once its data
passes ``MAX_REQUEST_BYTES`` the event loop answers 413 itself and closes, reading no further
(it used to go on reading, to disk, for as long as the client sent). Not read ahead: bodies over
``MAX_REQUEST_BYTES`` (the app answers 413 without reading them and the connection closes, no
thread drains them), a head already too large (the parser refuses it at once), TLS and HTTP/2
connections (the platforms terminate TLS at their router and speak HTTP/1.1 to us). Should the
parser still want bytes after the hand-over, its reads stop at the same deadline: no request
holds a thread on a silent client.
"""

from __future__ import annotations

import errno
import fcntl
import os
import selectors
import socket
import struct
import tempfile
import termios
import time
from collections import deque
from functools import partial

from gunicorn import http, util
from gunicorn.http.errors import NoMoreData
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, ThreadWorker

# A body this large stays in memory while it arrives; beyond it, a temporary file. Small: a
# slow client holds its part for as long as it takes to send the rest, and at 1 MiB, 400 slow
# bodies took two workers from 179 MB to 370 MB RSS, 329 MB still after they left (fault
# injection, slow.py body). The thread reads a spooled body back at disk (page cache) speed.
SPOOL_IN_MEMORY = 64 * 1024
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def _too_large(limit: int) -> bytes:
    """The 413 the app answers to a Content-Length over the limit (RequestSizeLimitMiddleware),
    for a chunked body that passes it."""
    text = f"Request too large: the limit is {limit // (1024 * 1024)} MB.\n".encode()
    return (
        b"HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\n"
        b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(text), text)
    )


class _Chunked:
    """Finds where a chunked body ends (RFC 9112 section 7.1), fed its bytes in any pieces.
    Only the framing is followed; gunicorn's parser validates it again on the thread."""

    def __init__(self) -> None:
        self.line = bytearray()  # a size line or trailer line being read
        self.left = 0  # data bytes (and their CRLF) of the current chunk still to come
        self.size = 0  # data bytes so far, framing left out: what the body limit counts
        self.trailers = False
        self.done = False
        self.broken = False

    def feed(self, data: bytes) -> int:
        """Follow ``data``; return how many of its bytes belong to the body."""
        at = 0
        while at < len(data) and not (self.done or self.broken):
            if self.left:
                step = min(self.left, len(data) - at)
                self.size += min(step, max(0, self.left - 2))
                self.left -= step
                at += step
                continue
            end = data.find(b"\n", at)
            piece = data[at : len(data) if end < 0 else end + 1]
            self.line += piece
            at += len(piece)
            if len(self.line) > 8192:
                self.broken = True
            if end < 0:
                return at
            line, self.line = bytes(self.line).rstrip(b"\r\n"), bytearray()
            if self.trailers:
                self.done = not line
                continue
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.broken = True
                return at
            if size:
                self.left = size + 2  # the data, then its CRLF
            else:
                self.trailers = True
        return at


class _Arriving:
    """A request being read by the event loop: its bytes so far and when it must be in."""

    def __init__(self, deadline: float, max_head: int) -> None:
        self.deadline = deadline
        self.max_head = max_head
        self.head = bytearray()
        self.head_done = False
        self.body: tempfile.SpooledTemporaryFile | None = None
        self.length: int | None = None  # Content-Length, or None for chunked
        self.received = 0
        self.surplus = b""  # bytes after the body: a pipelined next request
        self.chunked: _Chunked | None = None
        self.continue_sent = False
        self.started = False  # a first byte came
        self.registered = False  # the event loop watches the socket

    def feed(self, data: bytes, body_limit: int) -> str:
        """Take ``data``; answer "more" (keep reading), "ready" (the request is whole),
        "hand over" (let the parser or the app decide: a Content-Length over the limit, or
        framing the parser will refuse) or "too large" (a chunked body past the limit: it
        declares no length the app could refuse, so the event loop answers 413 itself)."""
        if not self.head_done:
            seen = max(0, len(self.head) - 3)  # the end may straddle two reads
            self.head += data
            end = self.head.find(b"\r\n\r\n", seen)
            if end < 0:
                return "hand over" if len(self.head) > self.max_head else "more"
            data = bytes(self.head[end + 4 :])
            del self.head[end + 4 :]
            self.head_done = True
            verdict = self._framing(body_limit)
            if verdict != "more":
                self.head += data  # the parser reads any pipelined bytes from here
                return verdict
            self.body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        if self.chunked is not None:
            used = self.chunked.feed(data)
        else:
            used = min(len(data), self.length - self.received)
        self.body.write(data[:used])
        self.received += used
        self.surplus += data[used:]
        if self.chunked is not None:
            if self.chunked.broken:
                return "hand over"
            if self.chunked.size > body_limit:
                return "too large"
            return "ready" if self.chunked.done else "more"
        return "ready" if self.received >= self.length else "more"

    def _framing(self, body_limit: int) -> str:
        lengths, chunked = set(), False
        for line in bytes(self.head).split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                lengths.add(value.strip())
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower() or chunked
        if chunked and not lengths:
            self.chunked = _Chunked()
            return "more"
        if len(lengths) > 1 or (chunked and lengths):
            return "hand over"
        if not lengths:
            return "ready"  # no body
        try:
            self.length = int(lengths.pop())
        except ValueError:
            return "hand over"
        if self.length > body_limit:
            return "hand over"
        return "ready" if self.length == 0 else "more"

    @property
    def in_memory(self) -> int:
        """Bytes of this request the worker holds in memory (the head, a body not spooled)."""
        held = len(self.head) + len(self.surplus)
        if self.body is not None and not self.body._rolled:
            held += self.body.tell()
        return held

    def expects_continue(self) -> bool:
        head = bytes(self.head).lower()
        first_line = head.split(b"\r\n", 1)[0]
        return first_line.endswith(b" http/1.1") and b"\r\nexpect: 100-continue\r\n" in head

    def close(self) -> None:
        if self.body is not None:
            self.body.close()


class _Unreader(SocketUnreader):
    """The request's bytes from the event loop first, then the socket, read no later than the
    deadline (a parser that wants more than arrived must not wait on a silent client)."""

    def __init__(self, sock: socket.socket, max_chunk: int = 8192) -> None:
        super().__init__(sock, max_chunk)
        self.spooled: tempfile.SpooledTemporaryFile | None = None
        self.surplus = b""
        self.deadline: float | None = None

    def chunk(self, size_hint: int | None = None) -> bytes:
        if self.spooled is not None:
            data = self.spooled.read(max(self.mxchunk, min(size_hint or 0, self.max_body_chunk)))
            if data:
                return data
            self.spooled.close()
            self.spooled = None
        if self.surplus:
            data, self.surplus = self.surplus, b""
            return data
        if self.deadline is None:
            return super().chunk(size_hint)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise NoMoreData(b"")
        self.sock.settimeout(left)
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            raise NoMoreData(b"") from None
        finally:
            self.sock.settimeout(None)  # the response is written without a deadline

    def keep_unread(self) -> None:
        """After a request: whatever the event loop read past it goes back to ``buf``, where
        gunicorn looks for the next request's bytes before it waits on the socket."""
        rest = b""
        if self.spooled is not None:
            rest = self.spooled.read()
            self.spooled.close()
            self.spooled = None
        rest, self.surplus = rest + self.surplus, b""
        if rest:
            self.buf.seek(0, 2)
            self.buf.write(rest)


class _Outbox(deque):
    """What is left to send of a response, in order: bytes, [fd, offset, count] for a part of
    a file, and temporary files holding what the response wrote beyond ``SPOOL_IN_MEMORY``."""

    moved = False  # whether the last attempt sent anything

    def add(self, data: bytes) -> None:
        last = self[-1] if self else None
        if isinstance(last, tempfile.SpooledTemporaryFile):
            last.write(data)
        elif len(data) + sum(len(i) for i in self if isinstance(i, bytes)) <= SPOOL_IN_MEMORY:
            self.append(bytes(data))
        else:
            spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
            spool.write(data)
            spool.sent = 0  # the event loop's place in it; the thread appends at the end
            self.append(spool)


class _Sender:
    """The socket as a thread's response sees it, except that it never waits on the client:
    what the socket does not take at once (and a file's body, gunicorn's sendfile path for
    static files and downloads) is left in ``outbox`` for the event loop to send as the
    client reads. 40 clients reading a 1.9 MB static file at 2 KB/s held every thread of 2
    workers x 4, /health/ included (fault injection, slowread.py). What waits costs a socket
    and at most SPOOL_IN_MEMORY of memory; the rest waits in a temporary file."""

    def __init__(self, sock: socket.socket, outbox: _Outbox) -> None:
        self._sock = sock
        self.outbox = outbox

    def __getattr__(self, name: str):
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        if not self.outbox:
            try:
                while data:
                    sent = self._sock.send(data, socket.MSG_DONTWAIT)
                    data = data[sent:]
            except (BlockingIOError, InterruptedError):
                pass
            if not data:
                return
        self.outbox.add(data)

    def sendfile(self, file, offset: int = 0, count: int | None = None) -> int:
        fd = os.dup(file.fileno())  # the response closes its file before the loop sends it
        if count is None:
            count = os.fstat(fd).st_size - offset
        self.outbox.append([fd, offset, count])
        return count


def _unsent(sock: socket.socket) -> int | None:
    """Bytes the kernel still holds for the client (Linux's SIOCOUTQ), or None if unknown.
    A slow reader takes bytes from here long before the socket is writable again (Linux
    waits for a third of the send buffer to free, up to 1.3 MB): progress is read here."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
    except OSError:
        return None


def _discard(outbox: deque) -> None:
    while outbox:
        item = outbox.popleft()
        if isinstance(item, list):
            os.close(item[0])
        elif not isinstance(item, bytes):
            item.close()


class ReadFirstWorker(ThreadWorker):
    """gthread, but the event loop reads each request in full before a thread takes it."""

    #: Seconds a request (head and body) may take to arrive once its first byte has; set
    #: from GUNICORN_READ_TIMEOUT by gunicorn.conf.py. Before the first byte a connection
    #: waits as long as an idle kept-alive one (``keepalive``) and is closed silently.
    read_timeout: float = 60.0
    #: Bodies larger than this are not read ahead: the app refuses them with 413 unread.
    #: Django's MAX_REQUEST_BYTES once the app is loaded (see run()).
    body_limit: int = 10 * 1024 * 1024

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.arriving: dict[socket.socket, tuple[object, _Arriving]] = {}
        self.closing: dict[socket.socket, tuple[float, list[int]]] = {}
        self.stopping_at: float | None = None
        # Responses the event loop is writing: socket -> (connection, the thread's future).
        self.sending: dict[socket.socket, tuple[object, object]] = {}

    def run(self) -> None:
        from django.conf import settings

        if settings.configured:  # the app is loaded by now (preload_app, or init_process)
            self.body_limit = int(getattr(settings, "MAX_REQUEST_BYTES", self.body_limit))
        super().run()

    def enqueue_req(self, conn) -> None:
        """Every path to a thread (new connection, kept-alive one readable again, bytes left
        over from the previous request) comes here; read the request first."""
        if getattr(conn, "arrived", False) or self.cfg.is_ssl or conn.is_http2:
            conn.arrived = False
            super().enqueue_req(conn)
            return
        if not getattr(conn, "close_later", None):
            conn.close_later = True
            conn.close = partial(self._close, conn)
        cfg = self.cfg
        max_head = cfg.limit_request_line + cfg.limit_request_fields * (
            cfg.limit_request_field_size + 2
        )
        arriving = _Arriving(time.monotonic() + cfg.keepalive, max_head)
        leftover = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.sock.setblocking(False)
        self.arriving[conn.sock] = (conn, arriving)
        if leftover and self._take(conn, arriving, leftover):
            return
        # A kept-alive connection the poller found readable has its request in already: read
        # it now rather than after one more turn of the loop.
        if self._readable(conn, conn.sock):
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        arriving.registered = True

    def handle(self, conn):
        unreader = getattr(conn.parser, "unreader", None)
        if not isinstance(unreader, _Unreader):  # TLS or HTTP/2: gthread's own way
            return super().handle(conn)
        sock, conn.outbox = conn.sock, _Outbox()
        conn.sock = _Sender(sock, conn.outbox)
        try:
            keep = super().handle(conn)
        finally:
            conn.sock = sock
        if keep:
            conn.parser.unreader.keep_unread()
        return keep

    def finish_request(self, conn, fs) -> None:
        """A response with a file's body still to send is written here, without blocking,
        as the client takes it; then the connection goes on as gthread would (kept alive,
        its next request read, or closed)."""
        outbox = getattr(conn, "outbox", None)
        if not outbox:
            super().finish_request(conn, fs)
            return
        sock = conn.sock
        if sock.fileno() < 0:  # the thread closed it (the client went away mid-response)
            _discard(outbox)
            super().finish_request(conn, fs)
            return
        sock.setblocking(False)
        conn.send_deadline = time.monotonic() + self.read_timeout
        conn.send_unsent = 0
        self.sending[sock] = (conn, fs)
        if not self._writable(conn, sock):
            self.poller.register(sock, selectors.EVENT_WRITE, partial(self._writable, conn))

    def _writable(self, conn, sock: socket.socket) -> bool:
        """Send what the client's socket takes now; True once nothing is left to send."""
        try:
            done = self._send(conn.outbox, sock)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:  # the client went away
            self._stop_sending(conn, sock, keep=False)
            return True
        except Exception:  # never let one connection stop the worker's loop
            self.log.exception("Error sending a response")
            self._stop_sending(conn, sock, keep=False)
            return True
        finally:
            if conn.outbox and conn.outbox.moved:
                conn.send_deadline = time.monotonic() + self.read_timeout
        if done:
            self._stop_sending(conn, sock, keep=True)
        return done

    @staticmethod
    def _send(outbox: _Outbox, sock: socket.socket) -> bool:
        outbox.moved = False
        while outbox:
            item = outbox[0]
            if isinstance(item, bytes):
                sent = sock.send(item)
                outbox.moved = outbox.moved or sent > 0
                outbox[0] = item[sent:]
                if outbox[0]:
                    return False
            elif isinstance(item, tempfile.SpooledTemporaryFile):
                item.seek(item.sent)
                data = item.read(65536)
                if data:
                    sent = sock.send(data)
                    outbox.moved = outbox.moved or sent > 0
                    item.sent += sent
                    if sent < len(data):
                        return False
                    continue
                item.close()
            else:
                sent = os.sendfile(sock.fileno(), item[0], item[1], item[2])
                if not sent:  # the file is shorter than announced
                    raise OSError(errno.EIO, "file ended early")
                outbox.moved = True
                item[1] += sent
                item[2] -= sent
                if item[2]:
                    continue
                os.close(item[0])
            outbox.popleft()
        return True

    def _stop_sending(self, conn, sock: socket.socket, *, keep: bool) -> None:
        _, fs = self.sending.pop(sock)
        _discard(conn.outbox)
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError):
            pass  # sent at the first try: never registered
        if keep:
            super().finish_request(conn, fs)
        else:
            self.nr_conns -= 1
            util.close(sock)

    def _keepalive_after(self, conn, keepalive: bool) -> bool:
        """A body left on the socket (too large to read ahead) is not drained by a thread
        for up to 5 s, as gthread does: the connection closes instead. A body read ahead and
        left unread by the app (a probe, a redirect, a form refused as too large) is all in
        hand: it is dropped here, whatever its size. gthread drains at most 64 KiB of it and
        otherwise closes the connection it has just answered as kept alive, so a router's
        next request on it found it closed."""
        if getattr(conn, "body_unread", False):
            conn.body_unread = False
            return False
        message = getattr(conn.parser, "mesg", None)
        if keepalive and message is not None and isinstance(conn.parser.unreader, _Unreader):
            while message.body.read(1024 * 1024):
                pass
        return super()._keepalive_after(conn, keepalive)

    def _readable(self, conn, sock: socket.socket) -> bool:
        try:
            return self._read(conn)
        except Exception:  # never let one connection stop the worker's loop
            self.log.exception("Error reading a request")
            if sock in self.arriving:
                self._drop(conn)
            return True

    def _read(self, conn) -> bool:
        """Read what has come; True once the connection is no longer arriving (handed to a
        thread, or closed because the client went away)."""
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # the client went away
            self._drop(conn)
            return True
        return self._take(conn, self.arriving[conn.sock][1], data)

    def _take(self, conn, arriving: _Arriving, data: bytes) -> bool:
        """Feed ``data``; hand the connection to a thread once the request is in (True)."""
        if not arriving.started:
            arriving.started = True
            arriving.deadline = time.monotonic() + self.read_timeout
        verdict = arriving.feed(data, self.body_limit)
        if verdict == "more":
            if arriving.head_done and not arriving.continue_sent and arriving.expects_continue():
                arriving.continue_sent = True  # the client waits for it before its body
                try:
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except OSError:
                    pass
            return False
        if verdict == "too large":  # answered and closed here: not one byte more is read
            self._drop(conn, _too_large(self.body_limit))
            return True
        del self.arriving[conn.sock]
        if arriving.registered:
            self.poller.unregister(conn.sock)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        unreader = conn.parser.unreader
        if not isinstance(unreader, _Unreader):
            unreader = conn.parser.unreader = _Unreader(conn.sock)
        unreader.unread(bytes(arriving.head))
        if arriving.body is not None:
            arriving.body.seek(0)
        unreader.spooled, unreader.deadline = arriving.body, arriving.deadline
        unreader.surplus = arriving.surplus
        conn.body_unread = verdict == "hand over"
        conn.data_ready = conn.arrived = True
        self.enqueue_req(conn)
        return True

    def _drop(self, conn, answer: bytes = b"") -> None:
        _, arriving = self.arriving.pop(conn.sock)
        arriving.close()
        if arriving.registered:
            self.poller.unregister(conn.sock)
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close(graceful=bool(answer))

    def _close(self, conn, graceful: bool = False) -> None:
        """gthread closes "gracefully" (RFC 9112 section 9.6: send FIN, then read what the
        client still sends for up to 2 s) with blocking reads on the event loop's own thread:
        a client that neither sends nor closes stalled every connection of the worker for
        2 s. Here the event loop lingers without blocking."""
        sock = conn.sock
        if not graceful:
            util.close(sock)
            return
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.poller.register(sock, selectors.EVENT_READ, self._linger)
        except (OSError, ValueError, KeyError):
            util.close(sock)
            return
        self.closing[sock] = (time.monotonic() + 2.0, [0])

    def _linger(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        drained = self.closing[sock][1]
        drained[0] += len(data)
        if not data or drained[0] >= 65536:
            self._closed(sock)

    def _closed(self, sock: socket.socket) -> None:
        self.closing.pop(sock, None)
        try:
            self.poller.unregister(sock)
        except (KeyError, ValueError, OSError):
            pass
        util.close(sock)

    def murder_pending(self) -> None:
        """Also close requests that did not arrive in time (the loop calls this every
        second), with 408 once any of their bytes came; a stopping worker gives connections
        that sent nothing yet STOP_KEEPALIVE_LINGER at most, as gthread gives its kept-alive
        ones."""
        super().murder_pending()
        now = time.monotonic()
        if not self.alive and self.stopping_at is None:
            self.stopping_at = now + STOP_KEEPALIVE_LINGER
        for sock, (limit, _) in list(self.closing.items()):
            if now >= limit:
                self._closed(sock)
        for sock, (conn, _) in list(self.sending.items()):
            unsent = _unsent(sock)
            if unsent is None or unsent < conn.send_unsent:  # the client took some
                conn.send_deadline = now + self.read_timeout
            conn.send_unsent = unsent if unsent is not None else 0
            if now >= conn.send_deadline:  # the client took nothing for read_timeout
                self._stop_sending(conn, sock, keep=False)
        for conn, arriving in list(self.arriving.values()):
            limit = arriving.deadline
            if self.stopping_at is not None and not arriving.started:
                limit = min(limit, self.stopping_at)
            if now >= limit:
                self._drop(conn, TIMED_OUT if arriving.started else b"")
