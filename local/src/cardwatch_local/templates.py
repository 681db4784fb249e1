"""The SAM templates under infra/sam: read (with CloudFormation's short tags), pointed at packaged
code, and translated to plain CloudFormation by aws-sam-translator, as `sam deploy` would."""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

import yaml

INFRA_DIR = Path(__file__).resolve().parents[3] / "infra" / "sam"
SERVICE_STACKS = ("core", "ingest", "scorer", "notifier")
ARTIFACTS_BUCKET = "cardwatch-local-artifacts"
PSEUDO_PARAMETERS = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}

_SEQUENCE_TAGS = ("GetAtt",)
_FN_TAGS = (
    "Sub",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "Base64",
    "GetAZs",
    "Cidr",
)


class TemplateError(ValueError):
    """A template that cannot be read or translated; says which and why."""


class CfnLoader(yaml.SafeLoader):
    """YAML loader that turns `!Ref x` into `{"Ref": x}`, `!Sub s` into `{"Fn::Sub": s}`, ..."""


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    assert isinstance(node, yaml.MappingNode)
    return loader.construct_mapping(node, deep=True)


def _ref(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Ref": _construct(loader, node)}


def _condition(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Condition": _construct(loader, node)}


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct(loader, node)
    if isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::GetAtt": value}


def _function(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {f"Fn::{name}": _construct(loader, node)}

    return construct


CfnLoader.add_constructor("!Ref", _ref)
CfnLoader.add_constructor("!Condition", _condition)
CfnLoader.add_constructor("!GetAtt", _get_att)
for _name in _FN_TAGS:
    CfnLoader.add_constructor(f"!{_name}", _function(_name))


def template_path(stack: str, infra_dir: Path = INFRA_DIR) -> Path:
    """infra/sam/<stack>/template.yaml, or infra/sam/template.yaml for the root ("root")."""
    if stack == "root":
        return infra_dir / "template.yaml"
    return infra_dir / stack / "template.yaml"


def load_template(path: Path) -> dict[str, Any]:
    """The template as plain data (short tags expanded to their long forms)."""
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: {exc}") from exc
    if not isinstance(loaded, dict) or "Resources" not in loaded:
        raise TemplateError(f"{path}: not a CloudFormation template (no Resources)")
    return loaded


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The AWS::Serverless::Function resources by logical id."""
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def image_uri(function_name: str, region: str, account: str) -> str:
    """Where `sam deploy` would push the function's image (one ECR repository per function)."""
    return f"{account}.dkr.ecr.{region}.amazonaws.com/cardwatch-{function_name.lower()}:latest"


def artifact_key(function_name: str) -> str:
    """S3 key of a zip function's packaged code in the artifacts bucket."""
    return f"functions/{function_name}.zip"


def with_packaged_code(
    template: dict[str, Any],
    bucket: str = ARTIFACTS_BUCKET,
    region: str = PSEUDO_PARAMETERS["AWS::Region"],
    account: str = PSEUDO_PARAMETERS["AWS::AccountId"],
) -> dict[str, Any]:
    """A copy whose local CodeUri / image builds point at packaged artifacts, as `sam package`
    leaves them: zip code in `bucket`, images in ECR, nested applications as S3 URLs."""
    packaged = copy.deepcopy(template)
    packaged.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for name, resource in functions(packaged).items():
        props = resource.setdefault("Properties", {})
        if props.get("PackageType") == "Image":
            props.setdefault("ImageUri", image_uri(name, region, account))
        else:
            props["CodeUri"] = f"s3://{bucket}/{artifact_key(name)}"
    for name, resource in packaged["Resources"].items():
        if resource.get("Type") == "AWS::Serverless::Application":
            location = resource["Properties"]["Location"]
            if isinstance(location, str) and not location.startswith("https://"):
                resource["Properties"]["Location"] = (
                    f"https://{bucket}.s3.amazonaws.com/templates/{name}.yaml"
                )
    return packaged


def translate(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plain CloudFormation for a packaged SAM template (what CloudFormation runs)."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
    values = {**PSEUDO_PARAMETERS, **(parameters or {})}
    session = boto3.session.Session(region_name=values["AWS::Region"])
    translator = Translator(None, Parser(), boto_session=session)
    try:
        result: dict[str, Any] = translator.translate(
            copy.deepcopy(template), parameter_values=values, get_managed_policy_map=dict
        )
    except InvalidDocumentException as exc:
        reasons = "; ".join(str(cause) for cause in exc.causes)
        raise TemplateError(f"SAM translation failed: {reasons}") from exc
    return result


def translated(stack: str, infra_dir: Path = INFRA_DIR) -> dict[str, Any]:
    """Load, package and translate one stack's template."""
    return translate(with_packaged_code(load_template(template_path(stack, infra_dir))))


def handler_of(stack: str, resource: dict[str, Any], infra_dir: Path = INFRA_DIR) -> str:
    """`module.function` a function runs: its Handler, or an image's Dockerfile CMD."""
    props = resource.get("Properties", {})
    if props.get("PackageType") != "Image":
        return str(props["Handler"])
    metadata = resource["Metadata"]
    dockerfile = infra_dir / stack / metadata["DockerContext"] / metadata["Dockerfile"]
    found = re.search(r'^CMD \["([^"]+)"\]', dockerfile.read_text(encoding="utf-8"), re.MULTILINE)
    if found is None:
        raise TemplateError(f'{dockerfile}: no CMD ["module.handler"]')
    return found.group(1)
