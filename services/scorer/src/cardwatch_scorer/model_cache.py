"""The live model: loaded once per container from `models/current.json`, verified, cached, and
re-checked at most every `model_refresh_s` so a promoted model takes effect without a redeploy.

A bundle that fails verification (hash, trusted types, feature spec) is refused and the model in
use is kept; with no model at all the scorer cannot score and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from cardwatch_scorer.boosted_trees import BoostedTrees, Predictor, predictor_for
from cardwatch_shared.features.spec import SPEC
from cardwatch_shared.model_manifest import (
    CURRENT_KEY,
    TRUSTED_TYPES,
    BundleError,
    CurrentPointer,
    ModelManifest,
    verify,
)


@dataclass(frozen=True)
class LiveModel:
    """A verified estimator and its manifest."""

    estimator: Any
    manifest: ModelManifest

    @cached_property
    def predictor(self) -> Predictor:
        """What scores a batch: the estimator's numbers, by the fastest exact way found."""
        return predictor_for(self.estimator)

    @property
    def prediction(self) -> str:
        """How batches are scored, for the log: a fallback after an upgrade shows here."""
        walked = isinstance(self.predictor, BoostedTrees)
        return "trees walked" if walked else "the estimator's own predict_proba"


def load_bundle(model_bytes: bytes, manifest: ModelManifest) -> LiveModel:
    """Verify, then deserialise with the explicit trusted-type list only."""
    verify(model_bytes, manifest, SPEC.version)
    from cardwatch_scorer.skops_import import skops_io  # heavy: paid on the first model load

    try:
        estimator = skops_io().loads(model_bytes, trusted=list(TRUSTED_TYPES))
    except Exception as exc:
        raise BundleError(f"model {manifest.version} cannot be loaded safely: {exc}") from exc
    live = LiveModel(estimator, manifest)
    live.predictor  # noqa: B018 - chosen at load, not on the first batch
    return live


class ModelCache:
    """Holds the live model; refreshes from S3 when the pointer moves."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        refresh_s: float,
        *,
        on_refused: Callable[[str], None] = lambda _: None,
        on_loaded: Callable[[LiveModel], None] = lambda _: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s3, self._bucket, self._refresh_s = s3, bucket, refresh_s
        self._on_refused, self._clock, self._on_loaded = on_refused, clock, on_loaded
        self._live: LiveModel | None = None
        self._checked_at: float | None = None

    def _read(self, key: str) -> bytes:
        return bytes(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def get(self) -> LiveModel:
        """The model to score with (refreshing the pointer when due)."""
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self._refresh_s:
            self._checked_at = now
            self._refresh()
        if self._live is None:
            raise BundleError("no usable model: publish and promote one (cardwatch model publish)")
        return self._live

    def _refresh(self) -> None:
        try:
            pointer = CurrentPointer.model_validate_json(self._read(CURRENT_KEY))
        except self._s3.exceptions.NoSuchKey:
            return
        except ValidationError as exc:
            self._on_refused(f"{CURRENT_KEY} is not a valid pointer: {exc.errors()[0]['msg']}")
            return
        if self._live is not None and self._live.manifest.version == pointer.version:
            return
        try:
            manifest = ModelManifest.model_validate_json(
                self._read(f"models/{pointer.version}/manifest.json")
            )
            if manifest.version != pointer.version:
                raise BundleError(
                    f"models/{pointer.version}/manifest.json names version {manifest.version}"
                )
            if manifest.sha256 != pointer.sha256:
                raise BundleError(f"model {pointer.version}: pointer and manifest hashes differ")
            live = load_bundle(self._read(manifest.key(manifest.model_file)), manifest)
        except BundleError as exc:
            self._on_refused(str(exc))
            return
        except ValidationError as exc:
            self._on_refused(f"model {pointer.version}: invalid manifest: {exc.errors()[0]['msg']}")
            return
        self._live = live
        self._on_loaded(live)
