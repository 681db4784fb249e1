"""The `local up` state file is replaced atomically: `status`/`down` never read half of it; and
a demo that starts a stack waits for that stack's file, not one an earlier `up` left behind, and
stops waiting once that `up` has ended."""

import time
from pathlib import Path

import pytest

from cardwatch_local.serve import read_state, wait_for_state, write_state_file
from cardwatch_local.settings import LocalSettings
from tests.support.concurrent_writes import reads_while_writing


def test_a_reader_never_sees_a_partial_state(tmp_path: Path) -> None:
    settings = LocalSettings(local_state_dir=tmp_path)
    big = {"pid": 1, "consumers": {f"shard-{i}": {"records": i} for i in range(2000)}}
    write_state_file(settings, big)
    reads = reads_while_writing(
        lambda: write_state_file(settings, big), lambda: read_state(settings), 300
    )
    assert all(state == big for state in reads)
    assert [p.name for p in tmp_path.iterdir()] == ["local.json"]


def test_no_state_file_means_nothing_runs(tmp_path: Path) -> None:
    assert read_state(LocalSettings(local_state_dir=tmp_path)) is None


def test_waiting_for_a_new_stack_ignores_a_file_an_earlier_one_left(tmp_path: Path) -> None:
    settings = LocalSettings(local_state_dir=tmp_path)
    write_state_file(settings, {"pid": 4_000_001, "endpoint": "http://127.0.0.1:4566"})
    assert wait_for_state(settings, timeout_s=0.5, pid=4_000_002) is None
    write_state_file(settings, {"pid": 4_000_002, "endpoint": "http://127.0.0.1:4566"})
    assert wait_for_state(settings, timeout_s=0.5, pid=4_000_002) == {
        "pid": 4_000_002,
        "endpoint": "http://127.0.0.1:4566",
    }


def test_waiting_stops_once_the_up_process_has_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sleep(_seconds: float) -> None:
        raise AssertionError("waited for a process that has ended")

    monkeypatch.setattr(time, "sleep", no_sleep)
    settings = LocalSettings(local_state_dir=tmp_path)
    assert wait_for_state(settings, timeout_s=60, pid=4_000_003, alive=lambda: False) is None
    write_state_file(settings, {"pid": 4_000_003})
    assert wait_for_state(settings, timeout_s=60, pid=4_000_003, alive=lambda: False) == {
        "pid": 4_000_003
    }
