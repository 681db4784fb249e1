"""The mailbox relay: every alert .eml reaches a real SMTP server, or waits and is tried again."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from cardwatch_local.mailbox import to_eml
from cardwatch_local.smtp_relay import UNRELAYED, SmtpRelay, relay_folder

pytestmark = pytest.mark.unit

ALERT = to_eml(
    {"Subject": "Fraud alert", "Message": "card •••• 1111, 812.00 EUR"}, ("admin@cardwatch.local",)
)


class Inbox(Message):
    """Keeps what the server received."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[EmailMessage] = []

    def handle_message(self, message: Any) -> None:
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def inbox(port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def _mailbox(tmp_path: Path, count: int) -> list[str]:
    names = [f"m{i}.eml" for i in range(count)]
    for name in names:
        (tmp_path / name).write_text(ALERT, encoding="utf-8")
    return names


def test_each_mail_reaches_the_server_and_stays_in_the_mailbox(
    tmp_path: Path, port: int, inbox: Inbox
) -> None:
    names = _mailbox(tmp_path, 3)
    sent, errors = relay_folder(
        SmtpRelay("127.0.0.1", port, sender="cw@example.org"), tmp_path, names
    )
    assert (sent, errors) == (3, [])
    assert [m["To"] for m in inbox.received] == ["admin@cardwatch.local"] * 3
    assert inbox.received[0]["From"] == "cw@example.org"
    assert inbox.received[0]["Subject"] == "Fraud alert"
    payload = inbox.received[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "•••• 1111" in payload.decode("utf-8")
    assert sorted(p.name for p in tmp_path.glob("*.eml")) == names
    assert not list((tmp_path / UNRELAYED).glob("*.eml"))


def test_mails_wait_while_the_server_is_down_and_go_when_it_is_back(
    tmp_path: Path, port: int
) -> None:
    relay = SmtpRelay("127.0.0.1", port)
    names = _mailbox(tmp_path, 2)
    sent, errors = relay_folder(relay, tmp_path, names)
    assert sent == 0
    assert len(errors) == 1
    assert "unreachable" in errors[0]
    assert len(list((tmp_path / UNRELAYED).glob("*.eml"))) == 2
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert relay_folder(relay, tmp_path, []) == (2, [])
    finally:
        controller.stop()
    assert len(handler.received) == 2
    assert not list((tmp_path / UNRELAYED).glob("*.eml"))
