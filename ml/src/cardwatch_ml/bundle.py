"""Model bundles: a skops file plus its manifest, written locally or to S3 with a `current`
pointer. Loading verifies the SHA-256 and loads with the explicit trusted-type list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import skops.io as sio

from cardwatch_ml.model_comparison import ModelComparison
from cardwatch_ml.training import TrainedModel
from cardwatch_shared.features.spec import SPEC
from cardwatch_shared.model_manifest import (
    CURRENT_KEY,
    MODELS_PREFIX,
    TRUSTED_TYPES,
    BundleError,
    CurrentPointer,
    ModelManifest,
    sha256_hex,
    verify,
)
from cardwatch_shared.score_drift import reference_bins


@dataclass(frozen=True)
class Bundle:
    """Model bytes and manifest, together."""

    model_bytes: bytes
    manifest: ModelManifest


def library_versions() -> dict[str, str]:
    """Versions the model was trained with."""
    return {lib: metadata.version(lib) for lib in ("scikit-learn", "numpy", "skops", "scipy")}


def build_bundle(model: TrainedModel, data_sha256: str, version: str | None = None) -> Bundle:
    """Serialise a trained model; refuse one the scorer would not be allowed to load."""
    data = sio.dumps(model.estimator)
    unknown = set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
    if unknown:
        raise BundleError(f"model holds types outside the trusted list: {sorted(unknown)}")
    created = datetime.now(UTC)
    edges, shares = reference_bins(model.validation_scores)
    manifest = ModelManifest(
        version=version or created.strftime("%Y%m%dT%H%M%SZ") + f"-{model.name}",
        created_at=created,
        estimator=model.name,
        sha256=sha256_hex(data),
        feature_spec_version=SPEC.version,
        feature_names=model.feature_names,
        uses_labels=any(n in SPEC.label_features for n in model.feature_names),
        threshold=model.threshold,
        threshold_goal=model.threshold_goal,
        metrics=model.validation_metrics,
        training_data_sha256=data_sha256,
        training_rows=model.train_rows,
        library_versions=library_versions(),
        score_bin_edges=edges,
        score_bin_shares=shares,
    )
    return Bundle(data, manifest)


def load_estimator(bundle: Bundle) -> Any:
    """The estimator, after the hash and spec checks; never with untrusted types."""
    verify(bundle.model_bytes, bundle.manifest, SPEC.version)
    try:
        return sio.loads(bundle.model_bytes, trusted=list(TRUSTED_TYPES))
    except Exception as exc:
        raise BundleError(
            f"model {bundle.manifest.version} cannot be loaded safely: {exc}"
        ) from exc


class BundleStore:
    """Bundles under `models/` in a bucket, and the `models/current.json` pointer."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3, self._bucket = s3, bucket

    def publish(self, bundle: Bundle) -> str:
        """Write `models/<version>/`; does not make it current."""
        manifest = bundle.manifest
        self._s3.put_object(
            Bucket=self._bucket, Key=manifest.key(manifest.model_file), Body=bundle.model_bytes
        )
        self._s3.put_object(
            Bucket=self._bucket,
            Key=manifest.key(ModelManifest.FILE_NAME),
            Body=manifest.model_dump_json(indent=2).encode(),
            ContentType="application/json",
        )
        return manifest.version

    def manifest(self, version: str) -> ModelManifest:
        """The manifest of a published version (`BundleError` when there is none)."""
        try:
            body = self._s3.get_object(
                Bucket=self._bucket, Key=f"{MODELS_PREFIX}{version}/manifest.json"
            )
        except self._s3.exceptions.NoSuchKey:
            raise BundleError(
                f"no published model {version}: `cardwatch model list` shows them"
            ) from None
        return ModelManifest.model_validate_json(body["Body"].read())

    def fetch(self, version: str) -> Bundle:
        """A published bundle (not yet verified: `load_estimator` does that)."""
        manifest = self.manifest(version)
        body = self._s3.get_object(Bucket=self._bucket, Key=manifest.key(manifest.model_file))
        return Bundle(body["Body"].read(), manifest)

    def current(self) -> CurrentPointer | None:
        """The live pointer, or None before the first promotion."""
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=CURRENT_KEY)
        except self._s3.exceptions.NoSuchKey:
            return None
        return CurrentPointer.model_validate_json(body["Body"].read())

    def versions(self) -> list[ModelManifest]:
        """Every published bundle, oldest first."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=MODELS_PREFIX
        )
        keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
        versions = sorted(k.split("/")[1] for k in keys if k.endswith("/manifest.json"))
        return [self.manifest(v) for v in versions]

    def save_comparison(self, comparison: ModelComparison) -> None:
        """Keep a candidate's side-by-side report beside it."""
        self._s3.put_object(
            Bucket=self._bucket,
            Key=f"{MODELS_PREFIX}{comparison.candidate_version}/{ModelComparison.FILE_NAME}",
            Body=comparison.model_dump_json(indent=2).encode(),
            ContentType="application/json",
        )

    def comparison(self, version: str) -> ModelComparison | None:
        """The side-by-side report of a retrained candidate (None for a bundle trained apart)."""
        key = f"{MODELS_PREFIX}{version}/{ModelComparison.FILE_NAME}"
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return None
        return ModelComparison.model_validate_json(body["Body"].read())

    def promote(self, version: str, *, force: bool = False) -> CurrentPointer:
        """Make `version` live (it must load); the old one is kept for rollback. A retrained
        candidate that did not beat the live model on its window is refused unless `force`."""
        compared = self.comparison(version)
        if compared is not None and not compared.better and not force:
            raise BundleError(f"{version} is not better than the live model: {compared.why}")
        bundle = self.fetch(version)
        load_estimator(bundle)
        old = self.current()
        history = ([old.version, *old.previous] if old else [])[:10]
        pointer = CurrentPointer(
            version=version,
            sha256=bundle.manifest.sha256,
            previous=[v for v in history if v != version],
        )
        self._write_pointer(pointer)
        return pointer

    def rollback(self) -> CurrentPointer:
        """Make the previous live version live again."""
        old = self.current()
        if old is None or not old.previous:
            raise BundleError("no previous model to roll back to")
        target = self.manifest(old.previous[0])
        pointer = CurrentPointer(
            version=target.version, sha256=target.sha256, previous=old.previous[1:]
        )
        self._write_pointer(pointer)
        return pointer

    def _write_pointer(self, pointer: CurrentPointer) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=CURRENT_KEY,
            Body=json.dumps(pointer.model_dump(), indent=2).encode(),
            ContentType="application/json",
        )
