"""Every client is made in one place: its User-Agent is the short one made once per process,
unless the settings ask for botocore's own."""

from __future__ import annotations

import platform

import botocore
import pytest
from botocore.awsrequest import AWSResponse

from cardwatch_shared import __version__
from cardwatch_shared.aws_clients import new_client
from cardwatch_shared.settings import CardwatchSettings
from tests.support.aws_faults import RawBody

pytestmark = pytest.mark.unit


def sent_user_agent(settings: CardwatchSettings) -> str:
    """The User-Agent of one PutItem, answered before it leaves the process."""
    sent: list[str] = []

    def answer(request: object, **_: object) -> AWSResponse:
        sent.append(request.headers["User-Agent"].decode())  # type: ignore[attr-defined]
        return AWSResponse("http://127.0.0.1:9", 200, {}, RawBody(b"{}"))

    db = new_client("dynamodb", settings)
    db.meta.events.register("before-send.dynamodb", answer)
    db.put_item(TableName="t", Item={"pk": {"S": "k"}})
    return sent[0]


def settings(**overrides: object) -> CardwatchSettings:
    return CardwatchSettings.model_validate({"aws_endpoint_url": "http://127.0.0.1:9", **overrides})


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests are signed before they are answered."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")


def test_a_client_sends_the_short_user_agent() -> None:
    agent = sent_user_agent(settings())
    assert agent.startswith(
        f"cardwatch/{__version__} Botocore/{botocore.__version__} "
        f"Python/{platform.python_version()}"
    )


def test_botocore_s_own_user_agent_when_asked() -> None:
    agent = sent_user_agent(settings(aws_short_user_agent=False))
    assert not agent.startswith("cardwatch/")
    assert f"md/Botocore#{botocore.__version__}" in agent
