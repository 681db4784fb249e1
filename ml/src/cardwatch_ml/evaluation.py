"""Model metrics, including the handbook's Card Precision@k, and the evaluation report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score


def card_precision_at_k(scored: pl.DataFrame, k: int = 100) -> float:
    """Mean over days of the share of compromised cards among the k highest-scored cards.

    `scored` has `day`, `card_id`, `score`, `label`. A card's daily score is its highest; cards
    detected on an earlier day are left out of later days (the handbook's definition).
    """
    detected: set[Any] = set()
    daily = []
    for day in sorted(scored["day"].unique().to_list()):
        rows = scored.filter(pl.col("day") == day)
        if detected:
            rows = rows.filter(~pl.col("card_id").is_in(list(detected)))
        top = (
            rows.group_by("card_id")
            .agg(pl.col("score").max(), pl.col("label").max())
            .sort(["score", "card_id"], descending=[True, False])
            .head(k)
        )
        hits = top.filter(pl.col("label") == 1)["card_id"].to_list()
        daily.append(len(hits) / k)
        detected |= set(hits)
    return float(np.mean(daily)) if daily else float("nan")


def metrics(scored: pl.DataFrame, threshold: float, k: int = 100) -> dict[str, float]:
    """AUC ROC, AP, CP@k, precision and recall at the threshold, per-scenario recall."""
    y, s = scored["label"].to_numpy(), scored["score"].to_numpy()
    flagged = s >= threshold
    out = {
        "auc_roc": float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan"),
        "average_precision": float(average_precision_score(y, s)) if y.sum() else float("nan"),
        f"card_precision_at_{k}": card_precision_at_k(scored, k),
        "precision_at_threshold": float(precision_score(y, flagged, zero_division=0)),
        "recall_at_threshold": float(recall_score(y, flagged, zero_division=0)),
        "alerts_per_day": float(flagged.sum() / max(1, scored["day"].n_unique())),
        "transactions": float(len(y)),
        "frauds": float(y.sum()),
    }
    if "scenario" in scored.columns:
        for scenario, group in scored.filter(pl.col("label") == 1).group_by("scenario"):
            hit = (group["score"].to_numpy() >= threshold).mean()
            out[f"recall_scenario_{scenario[0]}"] = float(hit)
    return out


def write_report(
    folder: Path,
    scored: pl.DataFrame,
    result: dict[str, float],
    importances: dict[str, float],
    title: str,
) -> list[Path]:
    """`report.md`, `metrics.json` and PNG plots in `folder`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    folder.mkdir(parents=True, exist_ok=True)
    y, s = scored["label"].to_numpy(), scored["score"].to_numpy()
    paths = [folder / "metrics.json"]
    paths[0].write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        paths.append(folder / name)

    fig, ax = plt.subplots(figsize=(5, 4))
    precision, recall, _ = precision_recall_curve(y, s)
    ax.plot(recall, precision)
    ax.set(
        xlabel="recall",
        ylabel="precision",
        title=f"Precision-recall (AP {result['average_precision']:.3f})",
    )
    save(fig, "precision_recall.png")
    fig, ax = plt.subplots(figsize=(5, 4))
    fpr, tpr, _ = roc_curve(y, s)
    ax.plot(fpr, tpr)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")
    ax.set(
        xlabel="false positive rate",
        ylabel="true positive rate",
        title=f"ROC (AUC {result['auc_roc']:.3f})",
    )
    save(fig, "roc.png")
    fig, ax = plt.subplots(figsize=(5, 4))
    bins = np.linspace(0, 1, 41).tolist()
    ax.hist(s[y == 0], bins=bins, alpha=0.6, density=True, label="legit")
    ax.hist(s[y == 1], bins=bins, alpha=0.6, density=True, label="fraud")
    ax.set(xlabel="score", ylabel="density", title="Score distribution by class", yscale="log")
    ax.legend()
    save(fig, "score_distribution.png")
    fig, ax = plt.subplots(figsize=(6, 5))
    ordered = sorted(importances.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in ordered], [v for _, v in ordered])
    ax.set(
        xlabel="drop in average precision when shuffled", title="Feature importance (permutation)"
    )
    save(fig, "feature_importance.png")
    lines = [f"# {title}", "", "| metric | value |", "|---|---:|"]
    lines += [f"| {k} | {v:.4f} |" for k, v in sorted(result.items())]
    lines += [
        "",
        "![precision-recall](precision_recall.png) ![roc](roc.png)",
        "![scores](score_distribution.png) ![importance](feature_importance.png)",
        "",
    ]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    paths.append(folder / "report.md")
    return paths
