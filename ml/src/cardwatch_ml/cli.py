"""`cardwatch model …` and `cardwatch simulate`: simulate, train, evaluate, benchmark, publish."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Simulate data, train, evaluate, benchmark and publish models.", no_args_is_help=True
)
console = Console()

if TYPE_CHECKING:
    from cardwatch_ml.bundle import Bundle
    from cardwatch_ml.handbook import BenchmarkResult
    from cardwatch_ml.store_export import StoreHandles

_store_locator: list[Callable[[], StoreHandles]] = []


def use_store_locator(locator: Callable[[], StoreHandles]) -> None:
    """How `--from-store` finds the stack (the `cardwatch` command registers its discovery)."""
    _store_locator[:] = [locator]


DEFAULT_MODELS_BUCKET = "cardwatch-transactions"


def _store_handles() -> StoreHandles:
    """The settings' bucket and tables when CARDWATCH_MODELS_BUCKET is set, else the stack the
    registered locator discovers."""
    from cardwatch_ml.settings import ModelSettings
    from cardwatch_ml.store_export import StoreHandles
    from cardwatch_shared.aws_clients import client

    settings = ModelSettings()
    if settings.models_bucket is None and _store_locator:
        return _store_locator[0]()
    return StoreHandles(
        client("dynamodb", settings),
        client("s3", settings),
        settings.verdicts_table,
        settings.labels_table,
        settings.models_bucket or DEFAULT_MODELS_BUCKET,
    )


Days = Annotated[int, typer.Option(help="days to simulate", min=1)]
Cards = Annotated[int, typer.Option(help="cards (customers) to simulate", min=1)]


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="upload CSV to write")] = Path("simulated.csv"),
    labels: Annotated[Path, typer.Option(help="labels CSV to write")] = Path(
        "simulated.labels.csv"
    ),
    days: Days = 30,
    cards: Cards = 2000,
    terminals: Annotated[int, typer.Option(min=1)] = 4000,
    seed: Annotated[int, typer.Option()] = 42,
) -> None:
    """Labelled transactions in the upload CSV format; labels in a separate file."""
    from cardwatch_ml.simulator import SCENARIOS, SimulationConfig, write_upload
    from cardwatch_ml.simulator import simulate as run

    sim = run(SimulationConfig(cards=cards, terminals=terminals, days=days, seed=seed))
    write_upload(sim, str(out), str(labels))
    counts = sim.labels.group_by("scenario").len().sort("scenario")
    table = Table(title=f"{sim.transactions.height:,} transactions → {out} (labels: {labels})")
    table.add_column("scenario")
    table.add_column("transactions", justify="right")
    for scenario, n in counts.iter_rows():
        table.add_row(SCENARIOS[scenario], f"{n:,}")
    console.print(table)


def _load(data: Path, labels: Path | None, mapping: Path | None) -> object:
    from cardwatch_ml import datasets

    if mapping is not None:
        return datasets.from_mapping(data, mapping)
    if data.suffix == ".parquet":
        return datasets.handbook(data)
    if labels is None:
        raise typer.BadParameter("an upload CSV needs --labels")
    return datasets.from_upload(data, labels)


@app.command()
def train(
    data: Annotated[
        Path | None,
        typer.Option(help="upload CSV, Parquet, or foreign file", exists=True, dir_okay=False),
    ] = None,
    labels: Annotated[
        Path | None, typer.Option(help="labels CSV of an upload CSV", exists=True, dir_okay=False)
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="column-mapping YAML of a foreign file", exists=True, dir_okay=False),
    ] = None,
    out: Annotated[Path, typer.Option(help="folder for the bundle")] = Path("model-bundle"),
    alerts_per_day: Annotated[float, typer.Option(help="alert budget the threshold meets")] = 25,
    target_precision: Annotated[float | None, typer.Option(help="instead of a budget")] = None,
    no_label_features: Annotated[bool, typer.Option(help="for deployments without labels")] = False,
    seed: Annotated[int, typer.Option()] = 42,
    from_store: Annotated[
        bool, typer.Option(help="train on what the stack saw and compare with the live model")
    ] = False,
    cutoff: Annotated[
        datetime | None, typer.Option(help="--from-store: labels known by then (default: now)")
    ] = None,
    window_days: Annotated[int, typer.Option(help="--from-store: recent days compared")] = 7,
) -> None:
    """Train the candidates, keep the best on validation AP, write a bundle folder; with
    --from-store, publish it as a candidate beside a side-by-side report."""
    import polars as pl

    from cardwatch_ml.bundle import build_bundle
    from cardwatch_ml.datasets import fingerprint
    from cardwatch_ml.training import TrainConfig
    from cardwatch_ml.training import train as run

    cfg = TrainConfig(
        seed=seed,
        alert_budget_per_day=alerts_per_day,
        target_precision=target_precision,
        with_labels=not no_label_features,
    )
    if from_store:
        _retrain_from_store(cfg, cutoff, window_days, out)
        return
    if data is None:
        raise typer.BadParameter("give --data (or --from-store)")
    frame = _load(data, labels, mapping)
    assert isinstance(frame, pl.DataFrame)
    model = run(frame, cfg)
    bundle = build_bundle(model, fingerprint(frame))
    _write_bundle(bundle, out)
    table = Table(title=f"candidates (validation average precision) → {bundle.manifest.version}")
    table.add_column("model")
    table.add_column("AP", justify="right")
    for name, ap in model.candidates.items():
        table.add_row(name + (" (chosen)" if name == model.name else ""), f"{ap:.4f}")
    console.print(table)
    console.print(f"threshold {model.threshold:.4f} ({model.threshold_goal}); bundle in {out}")


def _write_bundle(bundle: object, out: Path) -> None:
    from cardwatch_ml.bundle import Bundle

    assert isinstance(bundle, Bundle)
    out.mkdir(parents=True, exist_ok=True)
    (out / bundle.manifest.model_file).write_bytes(bundle.model_bytes)
    (out / "manifest.json").write_text(bundle.manifest.model_dump_json(indent=2), encoding="utf-8")


def _retrain_from_store(cfg: object, cutoff: datetime | None, window_days: int, out: Path) -> None:
    from datetime import UTC

    from cardwatch_ml.store_retraining import CannotRetrainError, retrain_from_store
    from cardwatch_ml.training import TrainConfig

    assert isinstance(cfg, TrainConfig)
    when = (cutoff or datetime.now(UTC)).astimezone(UTC)
    try:
        done = retrain_from_store(_store_handles(), when, cfg, window_days)
    except CannotRetrainError as error:
        console.print(_exported(error.exported, error.labelled_fraud, when))
        console.print(f"[red]cannot retrain:[/red] {error}")
        raise typer.Exit(code=1) from error
    console.print(_exported(done.exported, done.labelled_fraud, when))
    candidate, comparison = done.candidate, done.comparison
    _write_bundle(candidate, out)
    console.print(comparison_table(comparison))
    verdict = "[green]better[/green]" if comparison.better else "[yellow]not better[/yellow]"
    console.print(f"candidate {candidate.manifest.version} published, not live: {verdict}")
    console.print(f"  {comparison.why}")
    if comparison.better:
        console.print(f"  make it live: cardwatch model promote {candidate.manifest.version}")


def _exported(rows: int, frauds: int, when: datetime) -> str:
    return (
        f"exported {rows:,} transactions seen, {frauds:,} labelled fraud "
        f"by {when:%Y-%m-%d %H:%M} UTC"
    )


def comparison_table(comparison: object) -> Table:
    """The side-by-side report as a rich table."""
    from cardwatch_ml.model_comparison import SHOWN_METRICS, ModelComparison

    assert isinstance(comparison, ModelComparison)
    table = Table(
        title=f"window {comparison.window_start:%Y-%m-%d} → {comparison.cutoff:%Y-%m-%d}: "
        f"{comparison.window_transactions:,} transactions, {comparison.window_frauds} fraud"
    )
    table.add_column("metric")
    table.add_column(f"candidate {comparison.candidate_version}", justify="right")
    table.add_column(f"live {comparison.current_version or '(none)'}", justify="right")
    for name in SHOWN_METRICS:
        mine = comparison.candidate.get(name, float("nan"))
        theirs = comparison.current.get(name, float("nan")) if comparison.current else None
        table.add_row(name, f"{mine:.4f}", "—" if theirs is None else f"{theirs:.4f}")
    return table


@app.command()
def evaluate(
    bundle: Annotated[Path, typer.Option(help="bundle folder", exists=True, file_okay=False)],
    data: Annotated[
        Path, typer.Option(help="labelled data to evaluate on", exists=True, dir_okay=False)
    ],
    labels: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    mapping: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    report: Annotated[Path, typer.Option(help="report folder")] = Path("model-report"),
) -> None:
    """Metrics (AUC, AP, CP@100, precision/recall at threshold, per scenario) and PNG plots."""
    import polars as pl

    from cardwatch_ml.bundle import load_estimator
    from cardwatch_ml.evaluation import metrics, write_report
    from cardwatch_ml.importance import permutation_importance
    from cardwatch_ml.training import with_features

    local = _bundle_in(bundle)
    manifest = local.manifest
    estimator = load_estimator(local)
    frame = _load(data, labels, mapping)
    assert isinstance(frame, pl.DataFrame)
    scored_data = with_features(frame)
    x = scored_data.select(manifest.feature_names).to_numpy()
    scored = scored_data.with_columns(pl.Series("score", estimator.predict_proba(x)[:, 1]))
    result = metrics(scored, manifest.threshold)
    importances = permutation_importance(estimator, scored_data, manifest.feature_names)
    paths = write_report(report, scored, result, importances, f"Evaluation of {manifest.version}")
    _print_metrics(result)
    console.print("report: " + ", ".join(str(p) for p in paths))


def _print_metrics(result: dict[str, float]) -> None:
    table = Table(title="metrics")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(result.items()):
        table.add_row(name, f"{value:.4f}")
    console.print(table)


@app.command()
def benchmark(
    handbook: Annotated[
        Path,
        typer.Option(help="the handbook's transactions.parquet", exists=True, dir_okay=False),
    ],
    scores_out: Annotated[Path | None, typer.Option(help="CSV of TRANSACTION_ID,score")] = None,
) -> None:
    """The handbook's protocol; our figures beside the published table."""
    from cardwatch_ml import datasets
    from cardwatch_ml.handbook import run, table, write_scores

    result = run(datasets.handbook(handbook))
    console.print(table(result), soft_wrap=True)
    console.print(
        f"test set: {result.test_rows:,} transactions, {result.test_frauds} frauds; "
        f"trained on {result.train_rows:,} rows in {result.fit_seconds:.1f} s"
    )
    if scores_out:
        write_scores(result, scores_out)
        console.print(f"scores: {scores_out}")
    _explain(result, handbook)


def _explain(result: BenchmarkResult, handbook: Path) -> None:
    """Where the frauds rank by scenario, and the best any model could score (scenario read for
    this alone, after scoring)."""
    from cardwatch_ml.handbook_ceiling import (
        CEILING_METRICS,
        ceiling,
        ceiling_table,
        scenario_ranks,
        scenario_table,
        with_scenarios,
    )

    scored = with_scenarios(result.scored, handbook)
    console.print("\nwhere the frauds rank, by the simulator's scenario:")
    console.print(scenario_table(scenario_ranks(scored)), soft_wrap=True)
    ours = {name: float(getattr(result, name)) for name in CEILING_METRICS}
    console.print("\nthe best any model could score under the protocol:")
    console.print(ceiling_table(ceiling(scored), ours), soft_wrap=True)


def _bundle_in(folder: Path) -> Bundle:
    """The bundle `model train --out` wrote to `folder`; a folder without one is a usage error."""
    from cardwatch_ml.bundle import Bundle
    from cardwatch_shared.model_manifest import ModelManifest

    try:
        manifest = ModelManifest.model_validate_json((folder / "manifest.json").read_text())
        return Bundle((folder / manifest.model_file).read_bytes(), manifest)
    except OSError as error:
        why = f"{folder} is not a model bundle ({error.strerror}: {error.filename})"
        raise typer.BadParameter(why, param_hint="--bundle") from None


def _store(bucket: str | None) -> object:
    """The bundle store: a bucket named here is used as it is (no stack to find)."""
    from cardwatch_ml.bundle import BundleStore
    from cardwatch_ml.settings import ModelSettings
    from cardwatch_shared.aws_clients import client

    if bucket is not None:
        return BundleStore(client("s3", ModelSettings()), bucket)
    handles = _store_handles()
    return BundleStore(handles.s3, handles.models_bucket)


Bucket = Annotated[str | None, typer.Option(help="bucket (default: CARDWATCH_MODELS_BUCKET)")]


@app.command()
def publish(
    bundle: Annotated[Path, typer.Option(help="bundle folder", exists=True, file_okay=False)],
    bucket: Bucket = None,
    promote: Annotated[bool, typer.Option(help="make it current too")] = False,
) -> None:
    """Upload a bundle to `models/<version>/` (and optionally make it current)."""
    from cardwatch_ml.bundle import BundleStore, load_estimator

    local = _bundle_in(bundle)
    manifest = local.manifest
    load_estimator(local)
    store = _store(bucket)
    assert isinstance(store, BundleStore)
    console.print(f"published {store.publish(local)}")
    if promote:
        console.print(f"current: {store.promote(manifest.version).version}")


@app.command(name="list")
def list_models(bucket: Bucket = None) -> None:
    """Published versions, their metrics, and which one is current."""
    from cardwatch_ml.bundle import BundleStore

    store = _store(bucket)
    assert isinstance(store, BundleStore)
    current = store.current()
    table = Table(title="models")
    versions = store.versions()
    widest = max((len(m.version) for m in versions), default=7)
    table.add_column("version", no_wrap=True, min_width=widest)  # copied into `promote`: whole
    for column in ("estimator", "AP", "threshold", "labels", "current"):
        table.add_column(column)
    for m in versions:
        ap = m.metrics.get("average_precision", float("nan"))
        table.add_row(
            m.version,
            m.estimator,
            f"{ap:.4f}",
            f"{m.threshold:.4f}",
            "yes" if m.uses_labels else "no",
            "●" if current and current.version == m.version else "",
        )
    console.print(table)


@app.command()
def promote(
    version: str,
    bucket: Bucket = None,
    force: Annotated[bool, typer.Option(help="even if its comparison says not better")] = False,
) -> None:
    """Make a published version current (it must verify and load; a retrained candidate must
    have beaten the live model on its window)."""
    from cardwatch_ml.bundle import BundleStore
    from cardwatch_shared.model_manifest import BundleError

    store = _store(bucket)
    assert isinstance(store, BundleStore)
    compared = store.comparison(version)
    if compared is not None:
        console.print(comparison_table(compared))
    try:
        pointer = store.promote(version, force=force)
    except BundleError as error:
        forcible = compared is not None and not compared.better
        hint = " (--force to promote anyway)" if forcible else ""
        console.print(f"[red]refused:[/red] {escape(str(error))}{hint}", soft_wrap=True)
        raise typer.Exit(code=1) from error
    console.print(f"current: {pointer.version}")


@app.command()
def rollback(bucket: Bucket = None) -> None:
    """Make the previous current version current again."""
    from cardwatch_ml.bundle import BundleStore
    from cardwatch_shared.model_manifest import BundleError

    store = _store(bucket)
    assert isinstance(store, BundleStore)
    try:
        pointer = store.rollback()
    except BundleError as error:
        console.print(f"[red]refused:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=1) from error
    console.print(f"current: {pointer.version}")
