"""The locks (obcms/locks.py) in one process; tests/test_release.py and tests/test_beat.py
show them between real processes."""

import pytest

from obcms.locks import (
    BEAT_KEY,
    MIGRATION_KEY,
    FileLock,
    LockTimeout,
    advisory_key,
    hold,
)


def test_advisory_keys_never_change_between_releases():
    """Old and new code overlap during a deploy: they must contend for the same numbers."""
    assert (MIGRATION_KEY, BEAT_KEY) == (4013043403833390259, 4013043403833029296)
    with pytest.raises(ValueError, match="eight letters"):
        advisory_key("obcms")


def test_a_file_lock_is_held_by_one_holder_at_a_time(tmp_path):
    first, second = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert first.try_acquire() and first.try_acquire()  # held, and still held
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_hold_gives_up_after_the_timeout_and_reports_the_wait(tmp_path):
    holder = FileLock(tmp_path / "x.lock")
    assert holder.try_acquire()
    waits: list[float] = []
    with (
        pytest.raises(LockTimeout) as timeout,
        hold(FileLock(tmp_path / "x.lock"), 0.5, waits.append),
    ):
        pytest.fail("the body ran without the lock")
    assert timeout.value.waited >= 0.5
    assert waits == [pytest.approx(0, abs=0.2)]  # the first report comes at once
    holder.release()


def test_hold_releases_the_lock_when_the_body_fails(tmp_path):
    with pytest.raises(RuntimeError), hold(FileLock(tmp_path / "x.lock"), 1):
        raise RuntimeError("migration failed")
    other = FileLock(tmp_path / "x.lock")
    assert other.try_acquire()
    other.release()
