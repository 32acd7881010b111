"""kombu's Redis transport, kept alive when Redis dies under a running task.

With kombu 5.7.0 (the newest release; no fix in its changelog or issues), a task that finishes
after the worker lost its Redis connection acknowledges its message on a channel whose
connection is gone; ``_connparams`` then reads ``None.hostname`` and the worker exits with
"Unrecoverable error: AttributeError". The same happens when unacknowledged messages are
restored at shutdown. Here a QoS whose channel has lost its connection skips the broker write
with a log line: the message stays in Redis's unacked index (restored after the visibility
timeout; a second delivery of a finished job does nothing, see obcms/reports/jobs.py), or it
went with an emptied Redis, and then the job sweeper sends the job again.

Registered for ``redis://`` and ``rediss://`` URLs by obcms/celery.py.
"""

from __future__ import annotations

import logging

from kombu.transport import redis

logger = logging.getLogger("obcms.broker")


class QoS(redis.QoS):
    def _connected(self, what: str) -> bool:
        connection = getattr(self.channel, "connection", None)
        if connection is not None and getattr(connection, "client", None) is not None:
            return True
        logger.warning(
            "broker: the Redis connection was lost; %s skipped (Redis re-delivers the message "
            "after its visibility timeout, or the job sweeper sends the job again)",
            what,
        )
        return False

    def ack(self, delivery_tag: str) -> None:
        if self._connected("acknowledging a message"):
            super().ack(delivery_tag)
        else:
            self._quick_ack(delivery_tag)  # out of this channel's bookkeeping only

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if self._connected("rejecting a message"):
            super().reject(delivery_tag, requeue=requeue)
        else:
            self._quick_ack(delivery_tag)

    def restore_unacked(self, client: object = None) -> None:
        if client is not None or self._connected("restoring unacknowledged messages"):
            super().restore_unacked(client)
        else:
            self._delivered.clear()


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
