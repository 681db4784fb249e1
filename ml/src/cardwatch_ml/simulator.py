"""Transaction simulator: the Fraud Detection Handbook's generative process, vectorised, extended
with what real fraud also looks like.

Handbook process: customers with a home location and a spending profile, terminals on a 100×100
grid, each customer using the terminals within a radius; three fraud scenarios (1: amount over
220; 2: two terminals a day compromised for 28 days; 3: three customers a day compromised for 14
days, a third of their transactions ×5). Extensions: card-present vs card-not-present channel,
merchant category codes, real coordinates, 4: card-testing bursts of small card-not-present
amounts followed by a large one, 5: impossible travel (a card-present use far from home minutes
after a local one). Seeded and deterministic; labels go to a separate file, never to the upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import polars as pl

from cardwatch_shared.card_number import luhn_valid

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MCCS = np.array(["5411", "5812", "5814", "5541", "5732", "5999", "4111", "5912", "5651", "7011"])
MCC_WEIGHTS = np.array([0.22, 0.14, 0.12, 0.1, 0.06, 0.12, 0.08, 0.07, 0.06, 0.03])
NAMES = np.array(
    [
        "Market",
        "Bistro",
        "Cafe",
        "Fuel",
        "Electronics",
        "Store",
        "Transit",
        "Pharmacy",
        "Fashion",
        "Hotel",
    ]
)
BIN = "400000"
LAT0, LON0, SPAN = 44.0, -1.0, 6.0  # the grid maps to a 6°×6° area
SCENARIOS = {
    0: "legit",
    1: "high amount",
    2: "compromised terminal",
    3: "compromised card",
    4: "card testing",
    5: "impossible travel",
}


@dataclass(frozen=True)
class SimulationConfig:
    """Size, dates and seed of one simulation."""

    cards: int = 2000
    terminals: int = 4000
    days: int = 30
    start: datetime = datetime(2026, 10, 1, tzinfo=UTC)
    seed: int = 42
    radius: float = 5.0
    fraud_rate_scale: float = 1.0


@dataclass(frozen=True)
class Simulation:
    """The upload rows (project CSV columns) and their labels, aligned by transaction id."""

    transactions: pl.DataFrame
    labels: pl.DataFrame


def card_numbers(customer_ids: IntArray) -> list[str]:
    """A synthetic, Luhn-valid test-range number per customer (deterministic)."""
    numbers = []
    for cid in customer_ids.tolist():
        body = f"{BIN}{cid:09d}"
        numbers.append(next(body + d for d in "0123456789" if luhn_valid(body + d)))
    return numbers


def _terminal_lists(cust_xy: Array, term_xy: Array, radius: float) -> tuple[IntArray, IntArray]:
    """CSR lists of the terminals within `radius` of each customer: (offsets, terminal ids)."""
    offsets, ids = [0], []
    for x, y in cust_xy:
        near = np.flatnonzero(((term_xy[:, 0] - x) ** 2 + (term_xy[:, 1] - y) ** 2) < radius**2)
        ids.append(near)
        offsets.append(offsets[-1] + len(near))
    return np.array(offsets), np.concatenate(ids) if ids else np.array([], dtype=np.int64)


def _base_transactions(cfg: SimulationConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cust_xy = rng.uniform(0, 100, (cfg.cards, 2))
    mean_amount = rng.uniform(5, 100, cfg.cards)
    per_day = rng.uniform(0, 4, cfg.cards)
    cnp_share = rng.beta(2, 5, cfg.cards)
    term_xy = rng.uniform(0, 100, (cfg.terminals, 2))
    offsets, term_ids = _terminal_lists(cust_xy, term_xy, cfg.radius)
    counts = rng.poisson(np.tile(per_day, cfg.days))
    customer = np.repeat(np.tile(np.arange(cfg.cards), cfg.days), counts)
    day = np.repeat(np.repeat(np.arange(cfg.days), cfg.cards), counts)
    n_avail = offsets[customer + 1] - offsets[customer]
    keep = n_avail > 0
    customer, day, n_avail = customer[keep], day[keep], n_avail[keep]
    n = len(customer)
    seconds = np.clip(rng.normal(43_200, 20_000, n), 0, 86_399).astype(np.int64)
    amount = rng.normal(mean_amount[customer], mean_amount[customer] / 2)
    negative = amount < 0
    amount[negative] = rng.uniform(0, 2 * mean_amount[customer[negative]])
    pick = offsets[customer] + (rng.random(n) * n_avail).astype(np.int64)
    terminal = term_ids[pick]
    channel_cnp = rng.random(n) < cnp_share[customer]
    return {
        "customer": customer,
        "day": day,
        "seconds": seconds,
        "amount": amount,
        "terminal": terminal,
        "cnp": channel_cnp,
        "term_xy": term_xy,
        "cust_xy": cust_xy,
        "mean_amount": mean_amount,
    }


def _scenarios(
    cfg: SimulationConfig, rng: np.random.Generator, tx: dict[str, np.ndarray]
) -> IntArray:
    n = len(tx["customer"])
    scenario = np.zeros(n, dtype=np.int64)
    scenario[tx["amount"] > 220] = 1
    scale = cfg.fraud_rate_scale
    for day in range(cfg.days):
        hit_terms = rng.choice(
            cfg.terminals, size=max(1, round(2 * scale * cfg.terminals / 10_000)), replace=False
        )
        window = (tx["day"] >= day) & (tx["day"] < day + 28) & np.isin(tx["terminal"], hit_terms)
        scenario[window & (scenario == 0)] = 2
        hit_cards = rng.choice(
            cfg.cards, size=max(1, round(3 * scale * cfg.cards / 5_000)), replace=False
        )
        window = (tx["day"] >= day) & (tx["day"] < day + 14) & np.isin(tx["customer"], hit_cards)
        chosen = window & (scenario == 0) & (rng.random(n) < 1 / 3)
        tx["amount"][chosen] *= 5
        scenario[chosen] = 3
    return scenario


def _extra_fraud(cfg: SimulationConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Card-testing bursts (4) and impossible travel (5), appended as new transactions."""
    bursts = max(1, round(cfg.days * cfg.cards / 4_000 * cfg.fraud_rate_scale))
    cards = rng.integers(0, cfg.cards, bursts)
    sizes = rng.integers(5, 13, bursts)
    customer = np.repeat(cards, sizes + 1)
    day = np.repeat(rng.integers(0, cfg.days, bursts), sizes + 1)
    start = np.repeat(rng.integers(0, 80_000, bursts), sizes + 1)
    step = np.concatenate([np.arange(s + 1) for s in sizes]) * rng.integers(20, 90, len(customer))
    amount = rng.uniform(0.5, 3.0, len(customer))
    last = np.cumsum(sizes + 1) - 1
    amount[last] = rng.uniform(300, 1500, bursts)
    terminal = np.repeat(rng.integers(0, cfg.terminals, bursts), sizes + 1)
    travels = max(1, round(cfg.days * cfg.cards / 6_000 * cfg.fraud_rate_scale))
    far_terms = rng.integers(0, cfg.terminals, travels)
    return {
        "customer": np.concatenate([customer, rng.integers(0, cfg.cards, travels)]),
        "day": np.concatenate([day, rng.integers(0, cfg.days, travels)]),
        "seconds": np.concatenate([start + step, rng.integers(0, 86_000, travels)]).clip(0, 86_399),
        "amount": np.concatenate([amount, rng.uniform(40, 400, travels)]),
        "terminal": np.concatenate([terminal, far_terms]),
        "cnp": np.concatenate([np.ones(len(customer), bool), np.zeros(travels, bool)]),
        "scenario": np.concatenate([np.full(len(customer), 4), np.full(travels, 5)]),
        "far": np.concatenate([np.zeros(len(customer), bool), np.ones(travels, bool)]),
    }


def simulate(cfg: SimulationConfig) -> Simulation:
    """Run the simulation; the same config gives the same rows."""
    rng = np.random.default_rng(cfg.seed)
    tx = _base_transactions(cfg, rng)
    scenario = _scenarios(cfg, rng, tx)
    extra = _extra_fraud(cfg, rng)
    n_base = len(scenario)
    customer = np.concatenate([tx["customer"], extra["customer"]])
    terminal = np.concatenate([tx["terminal"], extra["terminal"]])
    seconds = np.concatenate([tx["day"], extra["day"]]) * 86_400 + np.concatenate(
        [tx["seconds"], extra["seconds"]]
    )
    amount = np.round(np.concatenate([tx["amount"], extra["amount"]]), 2).clip(0.01, 999_999)
    cnp = np.concatenate([tx["cnp"], extra["cnp"]])
    scen = np.concatenate([scenario, extra["scenario"]])
    far = np.concatenate([np.zeros(n_base, bool), extra["far"]])
    term_xy = tx["term_xy"][terminal]
    # impossible travel: the terminal lies 9-18 degrees (about 1,000-2,000 km) from home
    home = tx["cust_xy"][customer]
    term_xy[far] = home[far] + rng.uniform(150, 300, (int(far.sum()), 2))
    order = np.lexsort((customer, seconds))
    start = int(cfg.start.timestamp())
    ids = [f"sim{cfg.seed}-{i:08d}" for i in range(len(order))]
    pans = np.array(card_numbers(np.arange(cfg.cards)))
    mcc_of_terminal = rng.choice(len(MCCS), size=cfg.terminals, p=MCC_WEIGHTS)
    t = terminal[order]
    lat = LAT0 + term_xy[order, 1] / 100 * SPAN
    lon = LON0 + term_xy[order, 0] / 100 * SPAN
    transactions = pl.DataFrame(
        {
            "transaction_id": ids,
            "card_number": pans[customer[order]],
            "amount": amount[order],
            "currency": "EUR",
            "timestamp": pl.Series((seconds[order] + start) * 1_000_000).cast(
                pl.Datetime("us", "UTC")
            ),
            "merchant_id": [f"M-{x}" for x in t.tolist()],
            "merchant_name": [f"{NAMES[mcc_of_terminal[x]]} {x}" for x in t.tolist()],
            "mcc": MCCS[mcc_of_terminal[t]],
            "terminal_id": [f"T-{x}" for x in t.tolist()],
            "channel": np.where(cnp[order], "card_not_present", "card_present"),
            "country": np.where(far[order], "DE", "FR"),
            "latitude": np.round(np.clip(lat, -90, 90), 4),
            "longitude": np.round(np.clip(lon, -180, 180), 4),
        }
    )
    labels = pl.DataFrame(
        {
            "transaction_id": ids,
            "label": (scen[order] > 0).astype(np.int64),
            "scenario": scen[order],
        }
    )
    return Simulation(transactions, labels)


def write_upload(sim: Simulation, csv_path: str, labels_path: str) -> None:
    """The upload CSV (project format) and the separate labels CSV."""
    sim.transactions.with_columns(
        pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("amount").map_elements(lambda a: f"{a:.2f}", return_dtype=pl.String),
    ).write_csv(csv_path)
    sim.labels.write_csv(labels_path)
