"""The stack client signs requests to the local emulator even with no AWS key configured, and
never invents credentials for a deployed stack."""

from __future__ import annotations

import pytest

from cardwatch_tui.settings import TuiSettings
from cardwatch_tui.stack_client import _local_credentials

pytestmark = pytest.mark.unit


def test_local_stack_gets_emulator_credentials_when_none_are_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    assert _local_credentials(TuiSettings(environment="local"))["aws_access_key_id"]
    assert _local_credentials(TuiSettings(environment="dev")) == {}
    assert _local_credentials(TuiSettings(environment="local", aws_profile="ops")) == {}
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-the-environment")
    assert _local_credentials(TuiSettings(environment="local")) == {}
