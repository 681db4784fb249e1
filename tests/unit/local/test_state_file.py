"""The `local up` state file is replaced atomically: `status`/`down` never read half of it."""

from pathlib import Path

from cardwatch_local.serve import read_state, write_state_file
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
