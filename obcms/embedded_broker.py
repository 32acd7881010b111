"""kombu's filesystem transport (the embedded broker of a laptop setup), which sets aside a
message file it cannot read instead of crash-looping on it.

A full disk leaves 0-byte message files in ``DATA_DIR/broker``; kombu reads them with
``json.loads`` at every start and the worker exits on ``JSONDecodeError`` until someone
deletes them. Here the next message file of a queue is checked first: an empty or corrupt one
is moved to ``DATA_DIR/broker-unreadable`` with an error log line, and the next one is taken.

Registered for ``filesystem://`` URLs by obcms/celery.py.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

logger = logging.getLogger("obcms.broker")
UNREADABLE = "broker-unreadable"


class Channel(filesystem.Channel):
    def _get(self, queue: str) -> object:
        self.set_aside_unreadable(queue)
        return super()._get(queue)

    def set_aside_unreadable(self, queue: str) -> None:
        """Move unreadable files at the head of ``queue`` aside, up to the first good one."""
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != f"{queue}.msg":
                continue
            path = Path(self.data_folder_in) / name
            try:
                loads(bytes_to_str(path.read_bytes()))
                return
            except OSError:
                return  # taken by another worker meanwhile
            except ValueError:
                aside = Path(self.data_folder_in).parent / UNREADABLE
                aside.mkdir(exist_ok=True)
                shutil.move(path, aside / name)
                logger.error(
                    "broker: message file %s is empty or corrupt (a full disk?); moved to %s",
                    name,
                    aside,
                )


class Transport(filesystem.Transport):
    Channel = Channel
