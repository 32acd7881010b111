"""A mail server on loopback for tests: processes send to it over real SMTP
(``EMAIL_URL=smtp://127.0.0.1:<port>``), exactly as they would to a provider, and the test reads
what arrived. Enough SMTP for Django's backend (EHLO, MAIL, RCPT, DATA, QUIT); no TLS, no auth.
"""

from __future__ import annotations

import email
import email.policy
import re
import socketserver
import threading
import time
from email.message import EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 mailbox.test ESMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith("EHLO"):
                self.wfile.write(b"250-mailbox.test\r\n250 8BITMIME\r\n")
            elif command.startswith(("HELO", "MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.mailbox.receive(self._read_data())
                self.reply("250 OK: queued")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-unstuffing
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Mailbox:
    """Started on construction; :meth:`close` stops it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.mailbox = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._server.server_address[1]}"

    def receive(self, raw: bytes) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """The first ``count`` messages, waiting up to ``timeout`` seconds for them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return self.messages[:count]
            time.sleep(0.1)
        raise AssertionError(f"{count} message(s) expected, {len(self.messages)} arrived")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def first_link(message: EmailMessage) -> str:
    """The first http(s) link in a message's text."""
    return re.search(r"https?://\S+", body(message)).group(0)
