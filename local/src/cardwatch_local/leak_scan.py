"""The card-number leak scan: everything a stack holds or wrote, searched for a full card number
(a Luhn-valid 13-19 digit run) or a CVV. Raw uploads under `incoming/` are the only place card
numbers may be; everything else must come back clean. Hits are reported masked."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardwatch_local.dead_letters import peek
from cardwatch_shared.scrubber import card_number_spans, scrub_text

RAW_UPLOADS = "incoming/"
MAX_OBJECT_BYTES = 256 * 1024 * 1024
MIN_SECRET_CHARS = 16
_CVV = re.compile(
    r"(?i)(?<![a-z])[\"']?(?:cvv2?|cvc2?|csc|card_?security_?code)[\"']?\s*[:=]\s*[\"']?\d{3,4}(?!\d)"
)


@dataclass(frozen=True)
class Leak:
    """One hit: where, what kind, and its surroundings with any number masked."""

    where: str
    kind: str
    context: str


@dataclass
class LeakScan:
    """What was searched (per kind of source) and what was found."""

    scanned: Counter[str] = field(default_factory=Counter)
    leaks: list[Leak] = field(default_factory=list)
    secrets: tuple[str, ...] = ()

    def check(self, source: str, where: str, text: str) -> None:
        """Search one text (an object, an item, a log line, a mail)."""
        self.scanned[source] += 1
        for start, end in card_number_spans(text):
            context = scrub_text(text[max(start - 40, 0) : end + 40])
            self.leaks.append(Leak(where, "card number", context))
        for match in _CVV.finditer(text):
            self.leaks.append(Leak(where, "cvv", match.group()[:12] + "…"))
        for secret in self.secrets:
            if secret in text:
                self.leaks.append(Leak(where, "secret", "a Secrets Manager value (the HMAC key?)"))

    def as_json(self) -> dict[str, Any]:
        """The scan for a summary: counts, and the first hits (masked)."""
        return {
            "scanned": dict(sorted(self.scanned.items())),
            "leaks": len(self.leaks),
            "first_leaks": [leak.__dict__ for leak in self.leaks[:20]],
        }


def _object_text(s3: Any, bucket: str, key: str) -> str:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if key.endswith(".gz"):
        body = gzip.decompress(body)
    return str(body.decode("utf-8", errors="replace"))


def scan_s3(s3: Any, scan: LeakScan) -> None:
    """Every object of every bucket, except the raw uploads under `incoming/`."""
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                if obj["Key"].startswith(RAW_UPLOADS):
                    continue
                if obj["Size"] > MAX_OBJECT_BYTES:  # reported, so a clean scan never hides it
                    scan.leaks.append(Leak(f"s3://{bucket}/{obj['Key']}", "not read", "too big"))
                    continue
                text = _object_text(s3, bucket, obj["Key"])
                scan.check("s3 objects", f"s3://{bucket}/{obj['Key']}", text)


def scan_dynamodb(dynamodb: Any, scan: LeakScan) -> None:
    """Every item of every table."""
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                scan.check(
                    "dynamodb items",
                    f"dynamodb:{table}",
                    json.dumps(item, default=_text, ensure_ascii=False),
                )


def _text(value: object) -> str:
    """A binary attribute as text, a byte a character, so that digits stored as bytes show."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(f"{type(value).__name__} in a DynamoDB item")


def scan_logs(logs: Any, scan: LeakScan) -> None:
    """Every event of every CloudWatch Logs group."""
    for page in logs.get_paginator("describe_log_groups").paginate():
        for group in page["logGroups"]:
            name = group["logGroupName"]
            events = logs.get_paginator("filter_log_events").paginate(logGroupName=name)
            for event_page in events:
                for event in event_page["events"]:
                    scan.check("log events", f"logs:{name}", event["message"])


def scan_queues(sqs: Any, scan: LeakScan) -> None:
    """Every message waiting in every queue (dead letters included), left where it was."""
    for url in sqs.list_queues().get("QueueUrls", []):
        for message in peek(sqs, url):
            scan.check("queue messages", f"sqs:{url.rsplit('/', 1)[1]}", message["Body"])


def scan_files(paths: Iterable[Path], scan: LeakScan) -> None:
    """Local files (mails, console logs, summaries); folders are searched through."""
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                text = file.read_text(encoding="utf-8", errors="replace")
                scan.check("local files", f"file:{file}", text)


def stack_secrets(secretsmanager: Any) -> tuple[str, ...]:
    """Every Secrets Manager value (the HMAC key among them), to be found nowhere else."""
    values = []
    for page in secretsmanager.get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            reply = secretsmanager.get_secret_value(SecretId=secret["ARN"])
            values.append(str(reply.get("SecretString", "")))
    return tuple(v for v in values if len(v) >= MIN_SECRET_CHARS)


def scan_stack(clients: dict[str, Any], files: Iterable[Path] = ()) -> LeakScan:
    """S3, DynamoDB, CloudWatch Logs, SQS, then the given local files; card numbers, CVVs and
    the stack's secret values (when a Secrets Manager client is given)."""
    manager = clients.get("secretsmanager")
    scan = LeakScan(secrets=stack_secrets(manager) if manager else ())
    scan_s3(clients["s3"], scan)
    scan_dynamodb(clients["dynamodb"], scan)
    scan_logs(clients["logs"], scan)
    scan_queues(clients["sqs"], scan)
    scan_files(files, scan)
    return scan
