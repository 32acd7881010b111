"""How the web worker's event loop decides a request has arrived (obcms/web_worker.py), fed
the bytes in every split a slow client or a router could produce."""

import socket
import tempfile

import pytest

from obcms.web_worker import ReadFirstWorker, _Arriving, _Outbox, _Sender

LIMIT = 1000
HEAD = b"POST /x HTTP/1.1\r\nHost: h\r\n"


def feed(raw: bytes, step: int) -> tuple[list[str], _Arriving]:
    arriving = _Arriving(deadline=0, max_head=8192)
    verdicts = [arriving.feed(raw[at : at + step], LIMIT) for at in range(0, len(raw), step)]
    return verdicts, arriving


def body_of(arriving: _Arriving) -> bytes:
    arriving.body.seek(0)
    return arriving.body.read()


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1000])
def test_a_request_is_ready_exactly_when_its_last_byte_arrives(step):
    raw = HEAD + b"Content-Length: 5\r\n\r\nhello"
    verdicts, arriving = feed(raw, step)
    assert verdicts[-1] == "ready" and set(verdicts[:-1]) <= {"more"}
    assert bytes(arriving.head).endswith(b"\r\n\r\n") and body_of(arriving) == b"hello"


@pytest.mark.parametrize("step", [1, 4, 1000])
def test_a_chunked_body_ends_at_its_last_chunk_and_trailers(step):
    raw = (
        HEAD
        + b"Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n"
    )
    verdicts, arriving = feed(raw, step)
    assert verdicts[-1] == "ready" and set(verdicts[:-1]) <= {"more"}
    assert body_of(arriving).endswith(b"0\r\nT: v\r\n\r\n")


def test_bytes_after_the_body_are_kept_for_the_next_request():
    nxt = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    verdicts, arriving = feed(HEAD + b"Content-Length: 2\r\n\r\nok" + nxt, 1000)
    assert verdicts == ["ready"] and body_of(arriving) == b"ok" and arriving.surplus == nxt
    verdicts, arriving = feed(b"GET / HTTP/1.1\r\n\r\n" + nxt, 1000)
    assert verdicts == ["ready"] and bytes(arriving.head).endswith(nxt)  # no body: all in head


@pytest.mark.parametrize(
    "headers",
    [
        b"Content-Length: 1001\r\n",  # over the limit: the app refuses it unread
        b"Content-Length: 1\r\nContent-Length: 2\r\n",  # the parser refuses these
        b"Content-Length: x\r\n",
        b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
    ],
)
def test_what_the_parser_or_the_app_refuses_is_handed_over_at_once(headers):
    assert feed(HEAD + headers + b"\r\n", 1000)[0] == ["hand over"]


def test_a_head_that_never_ends_is_handed_over_past_the_limit_and_a_broken_chunk_at_once():
    arriving = _Arriving(deadline=0, max_head=100)
    assert arriving.feed(HEAD, LIMIT) == "more"
    assert arriving.feed(b"X: " + b"y" * 100, LIMIT) == "hand over"
    verdicts, _ = feed(HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 1000)
    assert verdicts == ["hand over"]


def test_expect_100_continue_is_seen_on_http_1_1_only():
    _, arriving = feed(HEAD + b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", 1000)
    assert arriving.expects_continue()
    raw = b"POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    assert not feed(raw, 1000)[1].expects_continue()


def test_a_chunked_body_is_too_large_once_its_data_passes_the_limit():
    head = HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
    within = b"".join(b"1\r\na\r\n" for _ in range(LIMIT))  # framing is not counted
    assert feed(head + within + b"0\r\n\r\n", 1000)[0][-1] == "ready"
    verdicts, _ = feed(head + within + b"1\r\na\r\n" + b"1\r\na\r\n", 1000)
    assert verdicts[-1] == "too large" and set(verdicts[:-1]) <= {"more"}


def test_a_slow_body_holds_at_most_64_kib_in_memory_and_the_rest_on_disk():
    """400 slow bodies of 1 MiB each cost two workers 190 MB of memory when the read-ahead
    kept 1 MiB per request in memory (fault injection, slow.py body)."""
    arriving = _Arriving(deadline=0, max_head=8192)
    assert arriving.feed(HEAD + b"Content-Length: 10000000\r\n\r\n", 10_000_000) == "more"
    piece = b"x" * 4096
    for _ in range(256):  # 1 MiB, as the fault injector sent before slowing to a byte a second
        assert arriving.feed(piece, 10_000_000) == "more"
        assert arriving.in_memory <= 64 * 1024 + len(arriving.head)
    assert arriving.received == 1024 * 1024 and body_of(arriving) == piece * 256


def test_a_response_the_client_does_not_read_never_blocks_the_thread_nor_fills_memory():
    """What the client's socket does not take at once waits in the outbox for the event loop
    (at most 64 KiB of it in memory, the rest in a temporary file), in the order written, and
    a file's body is sent from the file itself. The loop's sends are non-blocking."""
    server, client = socket.socketpair()
    with server, client, tempfile.TemporaryFile() as file:
        file.write(b"f" * 3_000_000)
        file.flush()
        outbox = _Outbox()
        sender = _Sender(server, outbox)
        sender.sendall(b"head:")  # room in the socket: sent at once
        assert not outbox
        page = bytes(range(256)) * 20_000  # 5 MB: more than any socket buffer holds
        sender.sendall(page)  # returns: the client has read nothing
        sender.sendfile(file, offset=0, count=3_000_000)
        sender.sendall(b":tail")
        assert outbox and sum(len(i) for i in outbox if isinstance(i, bytes)) <= 64 * 1024
        server.setblocking(False)
        received = bytearray()
        while True:
            try:
                done = ReadFirstWorker._send(outbox, server)
            except BlockingIOError:
                done = False
            if done:
                break
            received += client.recv(1 << 20)
        server.shutdown(socket.SHUT_WR)
        while data := client.recv(1 << 20):
            received += data
    assert received == b"head:" + page + b"f" * 3_000_000 + b":tail"
