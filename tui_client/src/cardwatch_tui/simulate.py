"""Simulated transactions for the batch, from the model's simulator (labels stay out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cardwatch_tui.batch import Entry


def simulate_entries(count: int, fraud_share: float, seed: int, now: datetime) -> list[Entry]:
    """`count` rows of the simulator's last days before `now`; `fraud_share` scales fraud."""
    from cardwatch_ml.simulator import SimulationConfig, simulate

    days, cards = 3, max(10, count // 2)
    while True:  # grow the population until the simulation has enough rows
        config = SimulationConfig(
            cards=cards,
            terminals=max(20, cards * 2),
            days=days,
            start=(now - timedelta(days=days)).replace(microsecond=0),
            seed=seed,
            fraud_rate_scale=max(0.0, fraud_share) / 0.02,
        )
        frame = simulate(config).transactions
        if frame.height >= count:
            break
        cards *= 2
    frame = frame.head(count)
    entries = []
    for row in frame.iter_rows(named=True):
        stamp = row["timestamp"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        cells = {k: "" if v is None else str(v) for k, v in row.items()}
        cells.update(timestamp=stamp, amount=f"{row['amount']:.2f}")
        cells["transaction_id"] = f"tui-{seed}-{cells['transaction_id']}"
        entries.append(Entry(cells))
    return entries
