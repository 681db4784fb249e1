"""The hostile input corpus through the ingest handler on moto: every file gets the outcome
`tests/data/bad_inputs/expected.yaml` states, good rows survive, nothing leaks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cardwatch_ingest.reject_report import FORMULA_PREFIXES
from tests.integration.ingest.conftest import IngestStack
from tests.support.bad_inputs import Case, load_corpus
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the generated files of this module (built once, on first use)."""
    return tmp_path_factory.mktemp("bad_inputs")


def _rejects(stack: IngestStack, name: str) -> list[list[str]]:
    keys = stack.object_keys(f"rejected/{name}.errors.csv")
    if not keys:
        return []
    [header, *rows] = list(csv.reader(io.StringIO(stack.object_text(keys[0]))))
    assert header == ["row_number", "column", "reason", "value"]
    return rows


def _check_rejects(case: Case, rows: list[list[str]]) -> None:
    got = [(int(row), column, reason) for row, column, reason, _ in rows]
    assert len(got) == len(case.rejects), got
    for (row, column, reason), (want_row, want_column, phrase) in zip(
        got, case.rejects, strict=True
    ):
        assert (row, column) == (want_row, want_column), got
        assert phrase in reason, (row, reason)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_PREFIXES)], "formula cell not escaped"


def _outputs(stack: IngestStack, logged: str, result: dict[str, object]) -> list[str]:
    texts = [logged, json.dumps(result)]
    texts += [json.dumps(r) for r in stack.stream_records()]
    texts += [stack.object_text(k) for k in stack.object_keys() if not k.startswith("incoming/")]
    return texts


@pytest.mark.parametrize("case", load_corpus(), ids=lambda case: case.name)
def test_hostile_upload(
    ingest_stack: IngestStack, case: Case, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = f"incoming/{case.name}"
    result = ingest_stack.invoke(ingest_stack.upload_file(key, case.materialise(built)))
    assert result["status"] == case.status, result
    if case.file_error:
        assert case.file_error in result["file_error"]
        assert ingest_stack.object_keys("incoming/") == [f"incoming/refused/{case.name}"]
    else:
        assert result["file_error"] is None
    ids = sorted(r["transaction_id"] for r in ingest_stack.stream_records())
    assert ids == sorted(case.accepted)
    assert result["rows_accepted"] == len(case.accepted)
    assert result["rows_rejected"] == len({row for row, _, _ in case.rejects})
    assert result["unknown_columns"] == list(case.unknown_columns)
    _check_rejects(case, _rejects(ingest_stack, case.name))
    assert ingest_stack.object_keys(f"reports/{case.name}.json")
    for text in _outputs(ingest_stack, capsys.readouterr().out, result):
        assert_clean(text)
