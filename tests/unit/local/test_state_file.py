"""The `local up` state file is replaced atomically: `status`/`down` never read half of it."""

import threading
from pathlib import Path

from cardwatch_local.serve import read_state, write_state_file
from cardwatch_local.settings import LocalSettings


def test_a_reader_never_sees_a_partial_state(tmp_path: Path) -> None:
    settings = LocalSettings(local_state_dir=tmp_path)
    big = {"pid": 1, "consumers": {f"shard-{i}": {"records": i} for i in range(2000)}}
    write_state_file(settings, big)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            write_state_file(settings, big)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        reads = [read_state(settings) for _ in range(300)]
    finally:
        stop.set()
        writer.join()
    assert all(state == big for state in reads)
    assert [p.name for p in tmp_path.iterdir()] == ["local.json"]


def test_no_state_file_means_nothing_runs(tmp_path: Path) -> None:
    assert read_state(LocalSettings(local_state_dir=tmp_path)) is None
