"""Where the handbook's test-week frauds rank, by how the simulator made them, and the best any
model could score under the protocol.

The scenario column is read here, after scoring, to explain the figures; it never reaches
training or features. A fraud at a terminal compromised within the label delay has no label the
protocol lets a model see, and its transaction is ordinary: the ceiling ranks every other fraud
first and those among the legitimate transactions at random.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from cardwatch_ml.evaluation import metrics
from cardwatch_shared.features.spec import SPEC

RISK = f"terminal_risk_{max(SPEC.terminal_windows)}d"
SCENARIO_NAMES = {
    1: "1, amount over 220",
    2: "2, compromised terminal, a fraud of it known (its label 7+ days old)",
    3: "3, compromised card, amounts × 5",
}
UNDETECTABLE = "2, compromised terminal, compromised within the label delay"
GROUP_ORDER = (SCENARIO_NAMES[1], SCENARIO_NAMES[2], UNDETECTABLE, SCENARIO_NAMES[3])
CEILING_METRICS = ("auc_roc", "average_precision", "card_precision_at_100")


@dataclass(frozen=True)
class ScenarioRank:
    """One group of frauds: how many, and the mean share of legitimate transactions below each."""

    group: str
    frauds: int
    share_below: float


@dataclass(frozen=True)
class Ceiling:
    """Each metric's (lowest, mean, highest) over the random draws of the undetectable frauds."""

    figures: dict[str, tuple[float, float, float]]
    undetectable: int
    draws: int


def with_scenarios(scored: pl.DataFrame, handbook_path: Path) -> pl.DataFrame:
    """`scored` with each transaction's `scenario` from the handbook file (0: legitimate)."""
    scenarios = pl.read_parquet(handbook_path, columns=["TRANSACTION_ID", "TX_FRAUD_SCENARIO"])
    scenarios = scenarios.select(
        pl.col("TRANSACTION_ID").cast(scored.schema["transaction_id"]).alias("transaction_id"),
        pl.col("TX_FRAUD_SCENARIO").alias("scenario"),
    )
    return scored.join(scenarios, on="transaction_id", how="left")


def fraud_group(scored: pl.DataFrame) -> pl.Series:
    """Each row's group name; null for a legitimate transaction."""
    known = pl.col(RISK).fill_nan(None).fill_null(0.0) > 0
    name = pl.col("scenario").replace_strict(SCENARIO_NAMES, default=None, return_dtype=pl.String)
    undetectable = (pl.col("scenario") == 2) & ~known
    group = pl.when(pl.col("label") != 1).then(None).when(undetectable).then(pl.lit(UNDETECTABLE))
    return scored.select(group.otherwise(name).alias("group"))["group"]


def scenario_ranks(scored: pl.DataFrame) -> list[ScenarioRank]:
    """Per group, the mean share of legitimate transactions each fraud outranks (ties count
    half, as in AUC): 1.0 is a group every legitimate transaction ranks below."""
    legit = np.sort(scored.filter(pl.col("label") != 1)["score"].to_numpy())
    frauds = scored.with_columns(fraud_group(scored)).filter(pl.col("group").is_not_null())
    ranks = []
    for name in GROUP_ORDER:
        scores = frauds.filter(pl.col("group") == name)["score"].to_numpy()
        if len(scores) == 0:
            continue
        below = np.searchsorted(legit, scores, "left") + np.searchsorted(legit, scores, "right")
        ranks.append(ScenarioRank(name, len(scores), float(below.mean() / 2 / len(legit))))
    return ranks


def ceiling(scored: pl.DataFrame, draws: int = 10, seed: int = 0) -> Ceiling:
    """The handbook metrics of a model that ranks every detectable fraud first and cannot tell
    the undetectable ones from legitimate transactions."""
    undetectable = (fraud_group(scored) == UNDETECTABLE).fill_null(False).to_numpy()
    detectable = (scored["label"].to_numpy() == 1) & ~undetectable
    rng = np.random.default_rng(seed)
    rows: list[list[float]] = []
    for _ in range(draws):
        score = np.where(detectable, 1.0, rng.random(scored.height) * 0.5)
        result = metrics(scored.with_columns(pl.Series("score", score)), threshold=0.5)
        rows.append([result[name] for name in CEILING_METRICS])
    table = np.array(rows)
    figures = {
        name: (float(table[:, i].min()), float(table[:, i].mean()), float(table[:, i].max()))
        for i, name in enumerate(CEILING_METRICS)
    }
    return Ceiling(figures, int(undetectable.sum()), draws)


def scenario_table(ranks: list[ScenarioRank]) -> str:
    """Markdown: each group's frauds and the mean share of legitimate transactions below them."""
    lines = ["| scenario | frauds | mean share below |", "|---|---:|---:|"]
    lines += [f"| {r.group} | {r.frauds} | {r.share_below:.3f} |" for r in ranks]
    return "\n".join(lines)


def ceiling_table(bound: Ceiling, ours: dict[str, float]) -> str:
    """Markdown: the ceiling (lowest–highest, mean) beside our figures."""
    cells = [f"{low:.3f}–{high:.3f} ({mean:.3f})" for low, mean, high in bound.figures.values()]
    lines = [
        "| | AUC | AP | CP@100 |",
        "|---|---:|---:|---:|",
        f"| ceiling ({bound.undetectable} undetectable, {bound.draws} draws) | "
        + " | ".join(cells)
        + " |",
        "| cardwatch | " + " | ".join(f"{ours[name]:.3f}" for name in CEILING_METRICS) + " |",
    ]
    return "\n".join(lines)
