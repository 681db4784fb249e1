"""DynamoDB adapter: the alert state on each verdict, the storm counter and the digest queue.

Every state change is a conditional write, so two deliveries of the same stream record can never
both send: the first claims the verdict, the second sees the claim.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from cardwatch_shared.alert_status import SENDING, SENT
from cardwatch_shared.contracts import FraudAlert

WINDOWS_PK = "digest-windows"
TTL_DAYS = 14


def _conditional_failed(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == "ConditionalCheckFailedException")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class AlertStore:
    """Alert state in the verdicts table; counters and digests in the alerts table."""

    def __init__(self, dynamodb: Any, verdicts_table: str, alerts_table: str) -> None:
        self._db, self._verdicts, self._alerts = dynamodb, verdicts_table, alerts_table

    def _update_verdict(self, transaction_id: str, **kwargs: Any) -> bool:
        try:
            self._db.update_item(
                TableName=self._verdicts, Key={"transaction_id": {"S": transaction_id}}, **kwargs
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def claim(self, transaction_id: str, now: datetime) -> bool:
        """Mark the verdict as being alerted; False when someone already did."""
        return self._update_verdict(
            transaction_id,
            UpdateExpression="SET alert_status = :s, alert_claimed_at = :t",
            ConditionExpression=(
                "attribute_exists(transaction_id) AND attribute_not_exists(alert_status)"
            ),
            ExpressionAttributeValues={":s": {"S": SENDING}, ":t": {"S": _iso(now)}},
        )

    def status(self, transaction_id: str) -> tuple[str | None, str | None]:
        """(alert_status, alert_claimed_at) of the verdict."""
        item = self._db.get_item(
            TableName=self._verdicts,
            Key={"transaction_id": {"S": transaction_id}},
            ProjectionExpression="alert_status, alert_claimed_at",
            ConsistentRead=True,
        ).get("Item", {})
        return item.get("alert_status", {}).get("S"), item.get("alert_claimed_at", {}).get("S")

    def release(self, transaction_id: str) -> None:
        """Undo a claim whose email was not sent, so a retry can send it."""
        self._update_verdict(
            transaction_id,
            UpdateExpression="REMOVE alert_status, alert_claimed_at",
            ConditionExpression="alert_status = :s",
            ExpressionAttributeValues={":s": {"S": SENDING}},
        )

    def set_status(self, transaction_id: str, status: str, now: datetime, channel: str) -> None:
        """Record where the alert went (`sent` by email or digest, `digest_pending`, `unknown`)."""
        self._update_verdict(
            transaction_id,
            UpdateExpression="SET alert_status = :s, notified_at = :t, alert_channel = :c",
            ExpressionAttributeValues={
                ":s": {"S": status}, ":t": {"S": _iso(now)}, ":c": {"S": channel}
            },
        )  # fmt: skip

    def bump_rate(self, window: datetime) -> int:
        """Count one more alert in `window`; the new count."""
        reply = self._db.update_item(
            TableName=self._alerts,
            Key={"pk": {"S": f"rate#{_iso(window)}"}, "sk": {"S": "count"}},
            UpdateExpression="ADD alerts :one SET expires_at = :ttl",
            ExpressionAttributeValues={":one": {"N": "1"}, ":ttl": {"N": _ttl(window)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(reply["Attributes"]["alerts"]["N"])

    def add_to_digest(self, window: datetime, alert: FraudAlert) -> None:
        """Queue `alert` for the digest of `window` (and list the window once)."""
        try:
            self._db.put_item(
                TableName=self._alerts,
                Item={
                    "pk": {"S": WINDOWS_PK}, "sk": {"S": _iso(window)},
                    "expires_at": {"N": _ttl(window)},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )  # fmt: skip
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
        self._db.put_item(
            TableName=self._alerts,
            Item={
                "pk": {"S": f"digest#{_iso(window)}"},
                "sk": {"S": alert.transaction_id},
                "alert": {"S": alert.model_dump_json()},
                "expires_at": {"N": _ttl(window)},
            },
        )

    def open_windows(self, before: datetime) -> list[str]:
        """Digest windows that started before `before` and were not sent yet."""
        reply = self._db.query(
            TableName=self._alerts,
            KeyConditionExpression="pk = :pk AND sk < :before",
            FilterExpression="attribute_not_exists(digest_status)",
            ExpressionAttributeValues={":pk": {"S": WINDOWS_PK}, ":before": {"S": _iso(before)}},
            ConsistentRead=True,
        )
        return [item["sk"]["S"] for item in reply.get("Items", [])]

    def claim_window(self, window: str) -> bool:
        """Take the digest of `window` for sending; False when another run has it."""
        try:
            self._db.update_item(
                TableName=self._alerts,
                Key={"pk": {"S": WINDOWS_PK}, "sk": {"S": window}},
                UpdateExpression="SET digest_status = :s",
                ConditionExpression="attribute_not_exists(digest_status)",
                ExpressionAttributeValues={":s": {"S": SENDING}},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def release_window(self, window: str) -> None:
        """Give the digest of `window` back after a failed send."""
        self._db.update_item(
            TableName=self._alerts,
            Key={"pk": {"S": WINDOWS_PK}, "sk": {"S": window}},
            UpdateExpression="REMOVE digest_status",
        )

    def finish_window(self, window: str) -> None:
        """Mark the digest of `window` as sent."""
        self._db.update_item(
            TableName=self._alerts,
            Key={"pk": {"S": WINDOWS_PK}, "sk": {"S": window}},
            UpdateExpression="SET digest_status = :s",
            ExpressionAttributeValues={":s": {"S": SENT}},
        )

    def digest_alerts(self, window: str) -> list[FraudAlert]:
        """Every alert queued for `window`."""
        alerts: list[FraudAlert] = []
        kwargs: dict[str, Any] = {
            "TableName": self._alerts,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"digest#{window}"}},
            "ConsistentRead": True,
        }
        while True:
            reply = self._db.query(**kwargs)
            alerts += [FraudAlert.model_validate_json(i["alert"]["S"]) for i in reply["Items"]]
            if "LastEvaluatedKey" not in reply:
                return alerts
            kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def _ttl(window: datetime) -> str:
    return str(int((window + timedelta(days=TTL_DAYS)).timestamp()))
