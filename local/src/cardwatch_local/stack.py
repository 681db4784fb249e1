"""The local stack: the SAM templates of infra/sam deployed into the embedded AWS through moto's
CloudFormation, then read back as what the local runtime needs (functions, triggers, settings)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from cardwatch_local import moto_gaps
from cardwatch_local.templates import (
    ARTIFACTS_BUCKET,
    PSEUDO_PARAMETERS,
    SERVICE_STACKS,
    artifact_key,
    functions,
    handler_of,
    load_template,
    template_path,
    translate,
    with_packaged_code,
)
from kinesis_consumer.esm import MappingSettings

ENVIRONMENT = "local"
LOCAL_ADMIN_EMAIL = "admin@cardwatch.local"
CLIENTS = (
    "cloudformation",
    "lambda",
    "events",
    "sqs",
    "sns",
    "s3",
    "secretsmanager",
    "kinesis",
    "dynamodb",
    "logs",
)


class DeployError(RuntimeError):
    """A stack that did not reach CREATE_COMPLETE, with CloudFormation's reason."""


def stack_name(part: str, environment: str = ENVIRONMENT) -> str:
    """cardwatch-<part>-<environment>, as the samconfig files name them."""
    return f"cardwatch-{part}-{environment}"


@dataclass(frozen=True)
class AsyncTrigger:
    """An EventBridge rule (pattern or schedule) and the function it invokes asynchronously."""

    rule: str
    function: str
    handler: str
    timeout_s: int
    queue_url: str | None
    rate_s: float | None
    max_retries: int
    max_event_age_s: int
    on_failure_arn: str | None


@dataclass(frozen=True)
class StreamTrigger:
    """An event source mapping (Kinesis or DynamoDB stream) and its function."""

    function: str
    handler: str
    timeout_s: int
    kind: str
    source_arn: str
    settings: MappingSettings
    on_failure_arn: str | None


@dataclass(frozen=True)
class LocalStack:
    """The deployed stacks, as the local runtime and the CLI see them."""

    environment: str
    outputs: dict[str, str]
    variables: dict[str, str]
    async_triggers: tuple[AsyncTrigger, ...]
    stream_triggers: tuple[StreamTrigger, ...]
    mailbox_url: str
    admin_emails: tuple[str, ...]

    @property
    def bucket(self) -> str:
        return self.outputs["TransactionsBucketName"]

    @property
    def stream(self) -> str:
        return self.outputs["TransactionsStreamName"]

    @property
    def verdicts_table(self) -> str:
        return self.outputs["VerdictsTableName"]

    @property
    def dlq_arns(self) -> dict[str, str]:
        """Every dead-letter queue of the core stack, by output name without `DLQArn`."""
        return {
            key.removesuffix("DLQArn"): value
            for key, value in self.outputs.items()
            if key.endswith("DLQArn")
        }


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "The local runtime runs this function's code in-process.\n")
    return buffer.getvalue()


def _upload_artifacts(s3: Any) -> None:
    """What `sam package` would upload: here a placeholder per zip function."""
    s3.create_bucket(Bucket=ARTIFACTS_BUCKET)
    body = _placeholder_zip()
    for part in SERVICE_STACKS:
        for name, resource in functions(load_template(template_path(part))).items():
            if resource.get("Properties", {}).get("PackageType") != "Image":
                s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=artifact_key(name), Body=body)


def _given(environment: str, admin_email: str | None = None) -> dict[str, str]:
    given = {"Environment": environment, "CoreStackName": stack_name("core", environment)}
    return given | ({"AdminEmail": admin_email} if admin_email else {})


def _translated(part: str, given: dict[str, str]) -> dict[str, Any]:
    """Translated with the deployment's parameters, as CloudFormation runs the transform."""
    source = load_template(template_path(part))
    declared = source.get("Parameters", {})
    return translate(with_packaged_code(source), {k: v for k, v in given.items() if k in declared})


def _values(template: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """Pseudo parameters, the template's defaults and the given parameters."""
    defaults = {
        name: str(spec["Default"])
        for name, spec in template.get("Parameters", {}).items()
        if "Default" in spec
    }
    return {**PSEUDO_PARAMETERS, **defaults, **given}


def _create(
    cloudformation: Any, name: str, template: dict[str, Any], given: dict[str, str]
) -> None:
    declared = template.get("Parameters", {})
    parameters = [
        {"ParameterKey": key, "ParameterValue": value}
        for key, value in given.items()
        if key in declared
    ]
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=parameters,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise DeployError(f"{name}: {stack['StackStatus']} {stack.get('StackStatusReason', '')}")


def is_deployed(clients: dict[str, Any], environment: str = ENVIRONMENT) -> bool:
    """True when the core stack of `environment` exists."""
    try:
        clients["cloudformation"].describe_stacks(StackName=stack_name("core", environment))
    except clients["cloudformation"].exceptions.ClientError:
        return False
    return True


def deploy(
    clients: dict[str, Any],
    environment: str = ENVIRONMENT,
    admin_email: str = LOCAL_ADMIN_EMAIL,
    overrides: dict[str, str] | None = None,
) -> LocalStack:
    """Deploy core, ingest, scorer and notifier from their templates; apply the moto gaps.
    `overrides` set template parameters, as `sam deploy --parameter-overrides` does (each stack
    takes the ones it declares)."""
    _upload_artifacts(clients["s3"])
    given = _given(environment, admin_email) | (overrides or {})
    for part in SERVICE_STACKS:
        template = _translated(part, given)
        prepared = moto_gaps.prepare(template, _values(template, given), clients["secretsmanager"])
        _create(clients["cloudformation"], stack_name(part, environment), prepared.template, given)
        if part == "core":
            _after_core(clients, environment)
        for rule in _pattern_rules(prepared.template, _values(template, given)):
            moto_gaps.shadow_target(clients["events"], clients["sqs"], rule)
    return read(clients, environment)


def _outputs(cloudformation: Any, name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: str(o["OutputValue"]) for o in stack.get("Outputs", [])}


def _mailbox_name(environment: str) -> str:
    return f"cardwatch-{environment}-mailbox"


def _after_core(clients: dict[str, Any], environment: str) -> None:
    outputs = _outputs(clients["cloudformation"], stack_name("core", environment))
    moto_gaps.enable_eventbridge(clients["s3"], outputs["TransactionsBucketName"])
    moto_gaps.mailbox_queue(
        clients["sns"], clients["sqs"], outputs["AlertsTopicArn"], _mailbox_name(environment)
    )


def _pattern_rules(template: dict[str, Any], values: dict[str, str]) -> list[str]:
    return [
        moto_gaps.resolve_name(r["Properties"]["Name"], values)
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Events::Rule" and "EventPattern" in r["Properties"]
    ]


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours)\)")


def rate_seconds(expression: str) -> float:
    """rate(N minute[s]|hour[s]) in seconds."""
    found = _RATE.fullmatch(expression)
    if found is None:
        raise DeployError(f"unsupported schedule locally: {expression}")
    unit = 60 if found.group(2).startswith("minute") else 3600
    return float(int(found.group(1)) * unit)


def _resolve(value: Any, exports: dict[str, str], values: dict[str, str]) -> str:
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        return exports[moto_gaps.resolve_name(value["Fn::ImportValue"], values)]
    return moto_gaps.resolve_name(value, values)


@dataclass(frozen=True)
class _Reader:
    clients: dict[str, Any]
    environment: str
    exports: dict[str, str]

    def given(self, part: str) -> dict[str, str]:
        """The parameters the part's stack was deployed with."""
        return _given(self.environment) | _deployed_parameters(self.clients, part, self.environment)

    def values(self, part: str, template: dict[str, Any]) -> dict[str, str]:
        return _values(template, self.given(part))

    def functions(self, part: str, template: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Logical id → {name, handler, timeout, variables} of the part's functions."""
        values, found = self.values(part, template), {}
        source = functions(load_template(template_path(part)))
        for logical, resource in template["Resources"].items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            name = moto_gaps.resolve_name(resource["Properties"]["FunctionName"], values)
            config = self.clients["lambda"].get_function_configuration(FunctionName=name)
            found[logical] = {
                "name": name,
                "handler": handler_of(part, source[logical]),
                "timeout": int(config.get("Timeout", 3)),
                "variables": config.get("Environment", {}).get("Variables", {}),
            }
        return found

    def async_triggers(self, part: str, template: dict[str, Any]) -> list[AsyncTrigger]:
        values, fns = self.values(part, template), self.functions(part, template)
        configs = {
            r["Properties"]["FunctionName"]["Ref"]: r["Properties"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::Lambda::EventInvokeConfig"
        }
        triggers = []
        for resource in template["Resources"].values():
            if resource["Type"] != "AWS::Events::Rule":
                continue
            props = resource["Properties"]
            rule = moto_gaps.resolve_name(props["Name"], values)
            logical = props["Targets"][0]["Arn"]["Fn::GetAtt"][0]
            config = configs.get(logical, {})
            destination = config.get("DestinationConfig", {}).get("OnFailure", {})
            schedule = props.get("ScheduleExpression")
            triggers.append(
                AsyncTrigger(
                    rule=rule,
                    function=fns[logical]["name"],
                    handler=fns[logical]["handler"],
                    timeout_s=fns[logical]["timeout"],
                    queue_url=None if schedule else self.queue_url(f"{rule}-shadow"),
                    rate_s=rate_seconds(schedule) if schedule else None,
                    max_retries=int(config.get("MaximumRetryAttempts", 2)),
                    max_event_age_s=int(config.get("MaximumEventAgeInSeconds", 21600)),
                    on_failure_arn=(
                        _resolve(destination["Destination"], self.exports, values)
                        if destination
                        else None
                    ),
                )
            )
        return triggers

    def stream_triggers(self, part: str, template: dict[str, Any]) -> list[StreamTrigger]:
        values, fns = self.values(part, template), self.functions(part, template)
        return [
            _stream_trigger(
                fns[r["Properties"]["FunctionName"]["Ref"]],
                moto_gaps.resolve_value(r["Properties"], values, self.exports),
            )
            for r in template["Resources"].values()
            if r["Type"] == "AWS::Lambda::EventSourceMapping"
        ]

    def queue_url(self, name: str) -> str:
        return str(self.clients["sqs"].get_queue_url(QueueName=name)["QueueUrl"])


def _stream_trigger(function: dict[str, Any], mapping: dict[str, Any]) -> StreamTrigger:
    """From an AWS::Lambda::EventSourceMapping's resolved properties."""
    filters = [f["Pattern"] for f in mapping.get("FilterCriteria", {}).get("Filters", [])]
    settings = MappingSettings(
        batch_size=int(mapping.get("BatchSize", 100)),
        maximum_batching_window_s=float(mapping.get("MaximumBatchingWindowInSeconds", 0)),
        bisect_batch_on_function_error=bool(mapping.get("BisectBatchOnFunctionError", False)),
        maximum_retry_attempts=int(mapping.get("MaximumRetryAttempts", -1)),
        maximum_record_age_s=int(mapping.get("MaximumRecordAgeInSeconds", -1)),
        report_batch_item_failures="ReportBatchItemFailures"
        in mapping.get("FunctionResponseTypes", []),
        filters=list(filters),
        function_name=function["name"],
        parallelization_factor=int(mapping.get("ParallelizationFactor", 1)),
        starting_position=str(mapping.get("StartingPosition", "TRIM_HORIZON")),
    )
    on_failure = mapping.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return StreamTrigger(
        function=function["name"],
        handler=function["handler"],
        timeout_s=function["timeout"],
        kind="kinesis" if ":kinesis:" in mapping["EventSourceArn"] else "dynamodb",
        source_arn=mapping["EventSourceArn"],
        settings=settings,
        on_failure_arn=on_failure,
    )


def _merged_variables(per_function: list[dict[str, str]]) -> dict[str, str]:
    """The CARDWATCH_ settings of every function: one process hosts them all, so they must agree."""
    merged: dict[str, str] = {}
    for variables in per_function:
        for key, value in variables.items():
            if not key.startswith("CARDWATCH_"):
                continue
            if merged.get(key, str(value)) != str(value):
                raise DeployError(f"functions disagree on {key}: {merged[key]!r} vs {value!r}")
            merged[key] = str(value)
    return merged


def _deployed_parameters(clients: dict[str, Any], part: str, environment: str) -> dict[str, str]:
    """The parameters a deployed stack was created with (overrides included)."""
    name = stack_name(part, environment)
    stack = clients["cloudformation"].describe_stacks(StackName=name)["Stacks"][0]
    return {p["ParameterKey"]: str(p["ParameterValue"]) for p in stack.get("Parameters", [])}


def read(clients: dict[str, Any], environment: str = ENVIRONMENT) -> LocalStack:
    """The deployed stacks of `environment`, read from the emulator and the templates."""
    cloudformation = clients["cloudformation"]
    core = stack_name("core", environment)
    exports = {e["Name"]: str(e["Value"]) for e in cloudformation.list_exports()["Exports"]}
    reader = _Reader(clients, environment, exports)
    async_triggers: list[AsyncTrigger] = []
    stream_triggers: list[StreamTrigger] = []
    variables: list[dict[str, str]] = []
    for part in SERVICE_STACKS[1:]:
        template = _translated(part, reader.given(part))
        async_triggers += reader.async_triggers(part, template)
        stream_triggers += reader.stream_triggers(part, template)
        variables += [f["variables"] for f in reader.functions(part, template).values()]
    parameters = cloudformation.describe_stacks(StackName=core)["Stacks"][0]["Parameters"]
    admin = [p["ParameterValue"] for p in parameters if p["ParameterKey"] == "AdminEmail"]
    return LocalStack(
        environment=environment,
        outputs=_outputs(cloudformation, core),
        variables=_merged_variables(variables),
        async_triggers=tuple(async_triggers),
        stream_triggers=tuple(stream_triggers),
        mailbox_url=reader.queue_url(_mailbox_name(environment)),
        admin_emails=tuple(admin),
    )
