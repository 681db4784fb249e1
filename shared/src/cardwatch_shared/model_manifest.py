"""The model bundle's manifest and pointer: what the trainer writes and the scorer trusts.

A bundle is `models/<version>/model.skops` plus `models/<version>/manifest.json`;
`models/current.json` names the live version. The scorer verifies the model file's SHA-256
against the manifest, refuses a feature-spec version other than its own, and loads with the
explicit trusted-type list below: nothing else is ever deserialised.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MODELS_PREFIX = "models/"
CURRENT_KEY = "models/current.json"

# Types a bundle may contain beyond skops' defaults (scikit-learn estimators, numpy arrays).
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
    "sklearn.utils._metadata_requests.MetadataRequest",
    "sklearn.utils._metadata_requests.MethodMetadataRequest",
    "collections.OrderedDict",
    "numpy.dtype",
)
# The estimators training may put in a bundle (its three candidates and what they hold). The
# scorer trusts these and no other estimator: it imports skops with its default list cut to them.
TRUSTED_ESTIMATORS: tuple[str, ...] = (
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.tree._classes.DecisionTreeClassifier",
)


VERSION_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$"


class BundleError(RuntimeError):
    """A bundle that must not be loaded: tampered, mismatched or incomplete."""


class ModelManifest(BaseModel):
    """Everything needed to trust and use one model file."""

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())
    FILE_NAME: ClassVar[str] = "manifest.json"

    version: str = Field(pattern=VERSION_PATTERN)
    created_at: AwareDatetime
    estimator: str
    model_file: str = Field(
        default="model.skops",
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]*\.skops$",
        description="a file name beside the manifest: no folder, no `..`, never another bucket",
    )
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    feature_spec_version: str
    feature_names: list[str]
    uses_labels: bool
    threshold: float = Field(ge=0, le=1)
    threshold_goal: str
    metrics: dict[str, float]
    training_data_sha256: str
    training_rows: int
    library_versions: dict[str, str]
    score_bin_edges: list[float] = Field(
        default_factory=list,
        description="interior edges of the validation scores' deciles: the drift reference",
    )
    score_bin_shares: list[float] = Field(
        default_factory=list, description="share of validation scores in each of those bins"
    )

    def key(self, name: str) -> str:
        """S3 key of a file of this bundle."""
        return f"{MODELS_PREFIX}{self.version}/{name}"


class CurrentPointer(BaseModel):
    """`models/current.json`: the live version and the one before it (for rollback)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(pattern=VERSION_PATTERN)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    previous: list[str] = Field(default_factory=list)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def verify(model_bytes: bytes, manifest: ModelManifest, spec_version: str) -> None:
    """Raise BundleError unless the bytes are the manifest's and the spec is ours."""
    if sha256_hex(model_bytes) != manifest.sha256:
        raise BundleError(f"model {manifest.version}: SHA-256 does not match the manifest")
    if manifest.feature_spec_version != spec_version:
        raise BundleError(
            f"model {manifest.version} uses feature spec {manifest.feature_spec_version}, "
            f"this code implements {spec_version}"
        )
