"""The SAM templates, translated by aws-sam-translator as `sam deploy` would, wire what the
design promises: every failure has a destination, stream mappings are bounded and report item
failures, everything is encrypted, roles are inline and scoped, and the code's settings,
handlers, filter and queries agree with the templates."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from cardwatch_ingest.labels_settings import LabelsSettings
from cardwatch_ingest.settings import IngestSettings
from cardwatch_local.templates import (
    INFRA_DIR,
    SERVICE_STACKS,
    functions,
    load_template,
    template_path,
    translated,
    with_packaged_code,
)
from cardwatch_notifier.settings import NotifierSettings
from cardwatch_scorer.settings import ScorerSettings
from cardwatch_shared.verdict_item import FRAUD_INSERT_FILTER

pytestmark = pytest.mark.unit

SETTINGS: dict[str, type[BaseSettings]] = {
    "IngestFunction": IngestSettings,
    "LabelsFunction": LabelsSettings,
    "ScorerFunction": ScorerSettings,
    "NotifierFunction": NotifierSettings,
    "DigestFunction": NotifierSettings,
}
STREAM_FUNCTIONS = {"ScorerFunction", "NotifierFunction"}
ASYNC_FUNCTIONS = {"IngestFunction", "LabelsFunction", "DigestFunction"}
SERVICE_ONLY = ("ingest", "scorer", "notifier")
ROOT = Path(__file__).resolve().parents[3]


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in template["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="module")
def cfn() -> dict[str, dict[str, Any]]:
    """Every stack, translated to plain CloudFormation."""
    return {stack: translated(stack) for stack in (*SERVICE_STACKS, "root")}


def parameter_default(template: dict[str, Any], name: str) -> Any:
    return template["Parameters"][name]["Default"]


def resolve(value: Any, template: dict[str, Any]) -> Any:
    """Parameters to their defaults, imports to a marker: enough to validate settings values."""
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref == "AWS::Region":
            return "us-east-1"
        if ref in template["Parameters"]:
            return str(parameter_default(template, ref))
        return value
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        return f"imported-{value['Fn::ImportValue']['Fn::Sub'].split('-', 1)[1]}"
    return value


def test_every_template_translates(cfn: dict[str, dict[str, Any]]) -> None:
    assert set(resources(cfn["root"], "AWS::CloudFormation::Stack")) == {
        "Core",
        "Ingest",
        "Scorer",
        "Notifier",
    }
    for stack in SERVICE_ONLY:
        assert resources(cfn[stack], "AWS::Lambda::Function"), stack


def test_each_function_has_its_failure_destination(cfn: dict[str, dict[str, Any]]) -> None:
    seen: set[str] = set()
    for stack in SERVICE_ONLY:
        template = cfn[stack]
        for config in resources(template, "AWS::Lambda::EventInvokeConfig").values():
            function = config["Properties"]["FunctionName"]["Ref"]
            destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
            assert "DLQArn" in json.dumps(destination), function
            assert config["Properties"]["MaximumRetryAttempts"] <= 2
            seen.add(function)
        for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
            function = mapping["Properties"]["FunctionName"]["Ref"]
            destination = mapping["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
            assert "DLQArn" in json.dumps(destination), function
            seen.add(function)
    assert seen == STREAM_FUNCTIONS | ASYNC_FUNCTIONS


def test_stream_mappings_are_bounded_and_report_item_failures(
    cfn: dict[str, dict[str, Any]],
) -> None:
    for stack in ("scorer", "notifier"):
        template = cfn[stack]
        (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
        props = {k: resolve(v, template) for k, v in mapping["Properties"].items()}
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["BisectBatchOnFunctionError"] is True
        assert 0 <= int(props["MaximumRetryAttempts"]) <= 10
        assert 60 <= int(props["MaximumRecordAgeInSeconds"]) <= 86400
        assert props["StartingPosition"] == "TRIM_HORIZON"
        assert int(props["BatchSize"]) >= 100


def test_notifier_filter_is_the_codes_fraud_insert_filter(
    cfn: dict[str, dict[str, Any]],
) -> None:
    (mapping,) = resources(cfn["notifier"], "AWS::Lambda::EventSourceMapping").values()
    (pattern,) = mapping["Properties"]["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == FRAUD_INSERT_FILTER


def test_event_rules_retry_and_dead_letter(cfn: dict[str, dict[str, Any]]) -> None:
    rules = {**resources(cfn["ingest"], "AWS::Events::Rule")}
    rules |= resources(cfn["notifier"], "AWS::Events::Rule")
    assert len(rules) == 3
    for name, rule in rules.items():
        (target,) = rule["Properties"]["Targets"]
        assert "EventDeliveryDLQArn" in json.dumps(target["DeadLetterConfig"]), name
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name


def test_upload_rules_match_created_objects_under_incoming_and_labels(
    cfn: dict[str, dict[str, Any]],
) -> None:
    rules = resources(cfn["ingest"], "AWS::Events::Rule").values()
    prefixes = {IngestSettings().incoming_prefix, LabelsSettings().labels_prefix}
    for rule in rules:
        pattern = rule["Properties"]["EventPattern"]
        assert pattern["source"] == ["aws.s3"]
        assert pattern["detail-type"] == ["Object Created"]
        (prefix,) = pattern["detail"]["object"]["key"]
        prefixes.remove(prefix["prefix"])
    assert not prefixes  # one rule for transactions, one for labels


def test_functions_are_traced_limited_encrypted_and_log_to_their_group(
    cfn: dict[str, dict[str, Any]],
) -> None:
    for stack in SERVICE_ONLY:
        template = cfn[stack]
        groups = {
            r["Properties"]["LogGroupName"]["Fn::Sub"]: r
            for r in resources(template, "AWS::Logs::LogGroup").values()
        }
        for name, function in resources(template, "AWS::Lambda::Function").items():
            props = function["Properties"]
            assert props["TracingConfig"] == {"Mode": "Active"}, name
            assert "ReservedConcurrentExecutions" in props, name
            assert "DataKeyArn" in json.dumps(props["KmsKeyArn"]), name
            group = groups["/aws/lambda/" + props["FunctionName"]["Fn::Sub"]]
            assert "DataKeyArn" in json.dumps(group["Properties"]["KmsKeyId"]), name
            assert "RetentionInDays" in group["Properties"], name
            env = props["Environment"]["Variables"]
            assert env["POWERTOOLS_METRICS_NAMESPACE"] == "cardwatch", name
            assert env["POWERTOOLS_SERVICE_NAME"] in {"ingest", "scorer", "notifier"}, name


def _alarmed_functions(alarm: dict[str, Any], metric: str) -> set[str]:
    """The functions whose `metric` the alarm watches: its own metric, or one of its queries."""
    props = alarm["Properties"]
    stats = [props] + [
        q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q
    ]
    return {
        dimension["Value"]["Ref"]
        for stat in stats
        if stat.get("Namespace") == "AWS/Lambda" and stat.get("MetricName") == metric
        for dimension in stat.get("Dimensions", [])
        if dimension["Name"] == "FunctionName"
    }


def test_every_function_pages_ops_when_it_fails_or_is_throttled(
    cfn: dict[str, dict[str, Any]],
) -> None:
    for stack in SERVICE_ONLY:
        template = cfn[stack]
        alarms = resources(template, "AWS::CloudWatch::Alarm").values()
        for metric in ("Errors", "Throttles"):
            watched: set[str] = set()
            for alarm in alarms:
                if "OpsTopicArn" in json.dumps(alarm["Properties"]["AlarmActions"]):
                    watched |= _alarmed_functions(alarm, metric)
            missing = set(resources(template, "AWS::Lambda::Function")) - watched
            assert missing == set(), (stack, metric)


def test_encryption_at_rest_everywhere(cfn: dict[str, dict[str, Any]]) -> None:
    core = cfn["core"]
    for name, bucket in resources(core, "AWS::S3::Bucket").items():
        assert bucket["Properties"]["BucketEncryption"], name
        assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values()), name
    for name, queue in resources(core, "AWS::SQS::Queue").items():
        assert queue["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}, name
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600, name
    for name, topic in resources(core, "AWS::SNS::Topic").items():
        assert topic["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}, name
    for name, table in resources(core, "AWS::DynamoDB::Table").items():
        sse = table["Properties"]["SSESpecification"]
        assert sse["SSEEnabled"] is True, name
        assert sse["SSEType"] == "KMS", name
    (stream,) = resources(core, "AWS::Kinesis::Stream").values()
    assert stream["Properties"]["StreamEncryption"]["EncryptionType"] == "KMS"
    (secret,) = resources(core, "AWS::SecretsManager::Secret").values()
    assert secret["Properties"]["KmsKeyId"] == {"Ref": "DataKey"}
    transactions = core["Resources"]["TransactionsBucket"]["Properties"]
    (rule,) = transactions["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_transactions_bucket_keeps_a_year_then_archives(cfn: dict[str, dict[str, Any]]) -> None:
    core = cfn["core"]
    bucket = core["Resources"]["TransactionsBucket"]["Properties"]
    assert bucket["NotificationConfiguration"]["EventBridgeConfiguration"] == {
        "EventBridgeEnabled": True
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r.get("Prefix"): r for r in bucket["LifecycleConfiguration"]["Rules"]}
    for prefix in ("incoming/", "rejected/"):
        (transition,) = rules[prefix]["Transitions"]
        assert transition["StorageClass"] == "GLACIER"
        assert parameter_default(core, transition["TransitionInDays"]["Ref"]) == 180
        assert parameter_default(core, rules[prefix]["ExpirationInDays"]["Ref"]) >= 366
    assert "NoncurrentVersionExpiration" in rules["models/"]
    policy = core["Resources"]["TransactionsBucketPolicy"]["Properties"]["PolicyDocument"]
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def _statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, role in resources(template, "AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], f"{name}: managed policies"
        for policy in role["Properties"]["Policies"]:
            found += [(name, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


def test_roles_grant_named_actions_on_named_resources(cfn: dict[str, dict[str, Any]]) -> None:
    for stack in SERVICE_ONLY:
        statements = _statements(cfn[stack])
        assert statements, stack
        for role, statement in statements:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            assert not any("*" in action for action in actions), (role, statement["Sid"])
            if statement["Resource"] == "*":
                assert statement["Sid"] == "Tracing", (role, statement["Sid"])
                assert {a.split(":")[0] for a in actions} == {"xray"}


def test_the_scorer_may_make_exactly_the_dynamodb_calls_its_store_makes(
    cfn: dict[str, dict[str, Any]],
) -> None:
    """Least privilege, read off the code: the store's client calls, and the kinds of write
    inside its transactions (IAM checks each one as its own action)."""
    source = (ROOT / "services/scorer/src/cardwatch_scorer/state_store.py").read_text()
    calls = set(re.findall(r"self\._db\.(\w+)\(", source)) - {"transact_write_items"}
    used = {"".join(word.title() for word in call.split("_")) for call in calls}
    used |= {
        f"{kind}Item" for kind in re.findall(r'\{"(Put|Update|Delete|ConditionCheck)":', source)
    }
    granted = set()
    for _, statement in _statements(cfn["scorer"]):
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            if action.startswith("dynamodb:"):
                granted.add(action.split(":")[1])
    assert granted == used


def test_every_wildcard_resource_is_commented() -> None:
    for path in sorted(INFRA_DIR.rglob("template.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.strip() != 'Resource: "*"':
                continue
            start = number
            while not lines[start].lstrip().startswith("- "):
                start -= 1
            above = lines[start - 1].strip()
            assert above.startswith("#"), f"{path}:{number + 1}: wildcard without a comment"


def test_settings_accept_every_environment_variable_the_templates_set(
    cfn: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for stack in SERVICE_ONLY:
        template = cfn[stack]
        for name, function in resources(template, "AWS::Lambda::Function").items():
            settings_type = SETTINGS[name]
            variables = function["Properties"]["Environment"]["Variables"]
            ours = {
                k: resolve(v, template) for k, v in variables.items() if k.startswith("CARDWATCH_")
            }
            fields = {f"CARDWATCH_{field.upper()}" for field in settings_type.model_fields}
            assert set(ours) <= fields, (name, set(ours) - fields)
            for key, value in ours.items():
                monkeypatch.setenv(key, str(value))
            settings_type()
            for key in ours:
                monkeypatch.delenv(key)


def test_handlers_named_by_the_templates_exist() -> None:
    for stack in SERVICE_ONLY:
        template = load_template(template_path(stack))
        for name, function in functions(template).items():
            props = function["Properties"]
            if props.get("PackageType") == "Image":
                dockerfile = INFRA_DIR / stack / function["Metadata"]["DockerContext"]
                text = (dockerfile / function["Metadata"]["Dockerfile"]).read_text()
                handler = re.search(r'CMD \["([^"]+)"\]', text)
                assert handler is not None, name
                target = handler.group(1)
            else:
                target = props["Handler"]
                code = (
                    INFRA_DIR / stack / template["Globals"]["Function"]["CodeUri"]
                    if ("CodeUri" not in props)
                    else INFRA_DIR / stack / props["CodeUri"]
                )
                assert (code.resolve() / "Makefile").is_file(), f"{name}: no build Makefile"
                assert f"build-{name}:" in (code.resolve() / "Makefile").read_text(), name
            module, _, attribute = target.rpartition(".")
            assert callable(getattr(importlib.import_module(module), attribute)), name


def test_query_files_are_the_deployed_query_definitions(cfn: dict[str, dict[str, Any]]) -> None:
    deployed = {
        q["Properties"]["Name"]["Fn::Sub"].split("/", 1)[1]: q["Properties"]["QueryString"]
        for q in resources(cfn["core"], "AWS::Logs::QueryDefinition").values()
    }
    files = {p.stem: p.read_text() for p in (INFRA_DIR / "queries").glob("*.query")}
    assert len(files) >= 6
    assert deployed == files


def test_log_groups_named_in_core_belong_to_service_functions(
    cfn: dict[str, dict[str, Any]],
) -> None:
    names = {
        function["Properties"]["FunctionName"]["Fn::Sub"]
        for stack in SERVICE_ONLY
        for function in resources(cfn[stack], "AWS::Lambda::Function").values()
    }
    for query in resources(cfn["core"], "AWS::Logs::QueryDefinition").values():
        for group in query["Properties"]["LogGroupNames"]:
            assert group["Fn::Sub"].removeprefix("/aws/lambda/") in names


def test_service_stacks_only_import_what_core_exports(cfn: dict[str, dict[str, Any]]) -> None:
    exported = {
        output["Export"]["Name"]["Fn::Sub"].split("}-", 1)[1]
        for output in cfn["core"]["Outputs"].values()
        if "Export" in output
    }
    for stack in SERVICE_ONLY:
        imports = re.findall(r"\$\{CoreStackName\}-(\w+)", json.dumps(cfn[stack]))
        assert imports, stack
        assert set(imports) <= exported, (stack, set(imports) - exported)


def test_packaging_points_code_at_artifacts_without_touching_the_source() -> None:
    source = load_template(template_path("notifier"))
    packaged = with_packaged_code(source)
    assert source["Globals"]["Function"]["CodeUri"].endswith("services/notifier")
    for function in functions(packaged).values():
        assert function["Properties"]["CodeUri"].startswith("s3://")


def test_templates_live_where_the_docs_say() -> None:
    for stack in SERVICE_STACKS:
        assert template_path(stack).is_file()
        assert (template_path(stack).parent / "samconfig.toml").is_file(), stack
    assert Path(INFRA_DIR / "template.yaml").is_file()


def test_score_drift_alarm_watches_the_metric_the_scorer_emits(
    cfn: dict[str, dict[str, Any]],
) -> None:
    from cardwatch_shared.score_drift import PSI_ALARM

    alarm = resources(cfn["scorer"], "AWS::CloudWatch::Alarm")["ScoreDriftAlarm"]["Properties"]
    handler_source = (
        ROOT / "services" / "scorer" / "src" / "cardwatch_scorer" / "handler.py"
    ).read_text()
    assert f'name="{alarm["MetricName"]}"' in handler_source
    assert alarm["Namespace"] == "cardwatch"
    assert alarm["Threshold"] == PSI_ALARM
    assert "OpsTopicArn" in json.dumps(alarm["AlarmActions"])


def dashboard_metrics(template: dict[str, Any]) -> list[list[Any]]:
    """Every metric row of the dashboards, "." expanded from the row before it."""
    rows: list[list[Any]] = []
    for dashboard in resources(template, "AWS::CloudWatch::Dashboard").values():
        body = dashboard["Properties"]["DashboardBody"]
        text = body["Fn::Sub"] if isinstance(body, dict) else body
        for widget in json.loads(re.sub(r"\$\{[^}]+\}", "x", text))["widgets"]:
            previous: list[Any] = []
            for row in widget["properties"].get("metrics", []):
                fields = [f for f in row if not isinstance(f, dict)]
                previous = [previous[i] if f == "." else f for i, f in enumerate(fields)]
                rows.append(previous)
    return rows


def test_dashboard_shows_metrics_each_service_emits(cfn: dict[str, dict[str, Any]]) -> None:
    """A renamed metric would leave its dashboard widget empty without a word: each name the
    dashboard shows is a string in its service's code (a metric's name, or an outcome's)."""
    ours = [row for row in dashboard_metrics(cfn["core"]) if row[0] == "cardwatch"]
    assert len(ours) >= 10
    for _namespace, metric, dimension, service in ours:
        assert dimension == "service"
        source = ROOT / "services" / service / "src" / f"cardwatch_{service}"
        emitted = "".join(path.read_text() for path in source.rglob("*.py"))
        assert f'"{metric}"' in emitted, (service, metric)
