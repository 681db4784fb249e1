"""Offline implementation of the feature spec, for training: numpy over a polars frame.

Input columns: `transaction_id`, `card_id`, `terminal_id`, `amount`, `event_time` (UTC), and
optionally `label` (0/1, for terminal risk), `label_known_at` (UTC, when a fraud's label became
known: point-in-time terminal risk) and `channel`. Output: the same rows, same order, with one
column per feature of the spec. Windows are sums over daily buckets, looked up with
prefix sums, so the cost is a few sorts whatever the window length.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from cardwatch_shared.features.spec import NIGHT_HOURS, SECONDS_PER_DAY, SPEC, FeatureSpec

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
DAY_SPAN = 1 << 22  # key stride: keys and days pack into one int64


class DailyTotals:
    """Per (key, day) totals of some values, with range sums over days by prefix sums."""

    def __init__(self, keys: Int, days: Int, values: list[Float]) -> None:
        packed = keys * DAY_SPAN + days
        self._packed, inverse = np.unique(packed, return_inverse=True)
        self._prefix = []
        for value in values:
            totals = np.bincount(inverse, weights=value, minlength=len(self._packed))
            self._prefix.append(np.concatenate([[0.0], np.cumsum(totals)]))

    def between(self, keys: Int, first_day: Int, last_day: Int) -> list[Float]:
        """For each row, the totals of days first_day..last_day (inclusive) of its key."""
        lo = np.searchsorted(self._packed, keys * DAY_SPAN + first_day, side="left")
        hi = np.searchsorted(self._packed, keys * DAY_SPAN + last_day, side="right")
        hi = np.maximum(hi, lo)
        return [prefix[hi] - prefix[lo] for prefix in self._prefix]


def _codes(column: pl.Series) -> Int:
    """Dense integer codes of an id column (integers are used as they are)."""
    if column.dtype.is_integer():
        return column.to_numpy().astype(np.int64)
    return column.cast(pl.String).rank("dense").to_numpy().astype(np.int64)


def _within_day_running(
    keys: Int, days: Int, seconds: Int, ids: Int, amounts: Float
) -> tuple[Float, Float, Float]:
    """Running count and amount sum within (key, day) up to each row, and time since the key's
    previous transaction; rows ordered by (time, id) within a key."""
    order = np.lexsort((ids, seconds, keys))
    k, d, s, a = keys[order], days[order], seconds[order], amounts[order]
    n = len(order)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    running_count = np.arange(n) - group_start + 1
    csum = np.cumsum(a)
    running_sum = csum - np.concatenate([[0.0], csum])[group_start]
    since = np.full(n, np.nan)
    same_key = np.zeros(n, dtype=bool)
    same_key[1:] = k[1:] == k[:-1]
    since[1:][same_key[1:]] = (s[1:] - s[:-1])[same_key[1:]]
    out_count, out_sum, out_since = np.empty(n), np.empty(n), np.empty(n)
    out_count[order], out_sum[order], out_since[order] = running_count, running_sum, since
    return out_count, out_sum, out_since


def compute_features(frame: pl.DataFrame, spec: FeatureSpec = SPEC) -> pl.DataFrame:
    """Every feature of `spec` for every row of `frame` (same order), plus `transaction_id`."""
    seconds = frame["event_time"].dt.epoch("s").to_numpy().astype(np.int64)
    days = seconds // SECONDS_PER_DAY
    amounts = frame["amount"].cast(pl.Float64).to_numpy()
    cards, terminals = _codes(frame["card_id"]), _codes(frame["terminal_id"])
    ids = _codes(frame["transaction_id"])
    out: dict[str, Float | pl.Series] = {"transaction_id": frame["transaction_id"]}
    out["amount"] = amounts
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    out["is_weekend"] = (weekday >= 5).astype(np.float64)
    out["is_night"] = np.isin((seconds % SECONDS_PER_DAY) // 3600, list(NIGHT_HOURS)).astype(float)
    out |= _card_features(cards, days, seconds, ids, amounts, spec=spec)
    out |= _terminal_features(terminals, days, frame, spec)
    if "channel" in frame.columns:
        out["is_card_not_present"] = (
            (frame["channel"] == "card_not_present").cast(pl.Float64).to_numpy()
        )
    return pl.DataFrame(out)


def _card_features(
    cards: Int, days: Int, seconds: Int, ids: Int, amounts: Float, *, spec: FeatureSpec
) -> dict[str, Float]:
    today_count, today_sum, since = _within_day_running(cards, days, seconds, ids, amounts)
    daily = DailyTotals(cards, days, [np.ones(len(days)), amounts])
    out: dict[str, Float] = {}
    for w in spec.card_windows:
        prior_count, prior_sum = daily.between(cards, days - w + 1, days - 1)
        count = prior_count + today_count
        mean = (prior_sum + today_sum) / count
        out[f"card_count_{w}d"], out[f"card_mean_amount_{w}d"] = count, mean
        if w > 1:
            out[f"amount_to_card_mean_{w}d"] = amounts / mean
    out["card_seconds_since_last"] = since
    return out


def _terminal_features(
    terminals: Int, days: Int, frame: pl.DataFrame, spec: FeatureSpec
) -> dict[str, Float]:
    labels = frame["label"].cast(pl.Float64).to_numpy() if "label" in frame.columns else None
    values = [np.ones(len(days))] + ([labels] if labels is not None else [])
    daily = DailyTotals(terminals, days, values)
    known_day = _label_known_day(frame)
    out: dict[str, Float] = {}
    last = days - spec.label_delay_days
    for w in spec.terminal_windows:
        totals = daily.between(terminals, last - w + 1, last)
        out[f"terminal_count_{w}d"] = totals[0]
        if labels is not None:
            frauds = totals[1] - _unknown_yet(terminals, days, known_day, w, spec)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"terminal_risk_{w}d"] = np.where(totals[0] > 0, frauds / totals[0], np.nan)
    return out


def _label_known_day(frame: pl.DataFrame) -> Int | None:
    """Per row, the day a fraud's label became known; -1 for rows that are no known fraud.
    None without `label_known_at`: every label counts as known within the delay (the handbook's
    protocol)."""
    if "label_known_at" not in frame.columns:
        return None
    epoch = frame["label_known_at"].dt.epoch("s")
    fraud = (frame["label"] == 1) & epoch.is_not_null()
    return (
        pl.select(pl.when(fraud).then(epoch // SECONDS_PER_DAY).otherwise(-1))
        .to_series()
        .to_numpy()
        .astype(np.int64)
    )


def _unknown_yet(
    terminals: Int, days: Int, known_day: Int | None, window: int, spec: FeatureSpec
) -> Float:
    """Per row, the frauds in its terminal window whose label was not known before its day began.

    The scorer counts a label from when it is recorded, so a fraud from event day `e` known on
    day `k` is missing from the window of every transaction on days `e + delay` … `k`.
    """
    if known_day is None:
        return np.zeros(len(days))
    first = days + spec.label_delay_days  # the first day whose window holds event day `e`
    end = np.minimum(known_day, first + window - 1)  # last day the fraud is missing from
    late = (known_day >= 0) & (end >= first)
    if not late.any():
        return np.zeros(len(days))
    keys = np.concatenate([terminals[late], terminals[late]])
    edges = np.concatenate([first[late], end[late] + 1])
    steps = np.concatenate([np.ones(int(late.sum())), -np.ones(int(late.sum()))])
    (missing,) = DailyTotals(keys, edges, [steps]).between(terminals, np.zeros_like(days), days)
    return missing


def from_handbook(frame: pl.DataFrame) -> pl.DataFrame:
    """The handbook's columns mapped onto ours (labels kept, the scenario never used)."""
    return frame.select(
        pl.col("TRANSACTION_ID").alias("transaction_id"),
        pl.col("CUSTOMER_ID").alias("card_id"),
        pl.col("TERMINAL_ID").alias("terminal_id"),
        pl.col("TX_AMOUNT").alias("amount"),
        pl.col("TX_DATETIME").dt.replace_time_zone("UTC").alias("event_time"),
        pl.col("TX_FRAUD").alias("label"),
    )
