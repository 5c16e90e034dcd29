"""Checks of what SREs receive and copy, against the real schemas.

`cargo xtask test` runs it from a virtual environment in target/py with
tests/ops/requirements.txt (opentelemetry-proto and protobuf, PyYAML):

- `check.py otlp` reads an OTLP/HTTP JSON logs request on standard input,
  parses it with opentelemetry-proto's own `ExportLogsServiceRequest`
  (`json_format.Parse` refuses any field the schema does not have), and
  prints what it holds as JSON: the resource's attributes and, per log
  record, its severity and attributes. The end-to-end suite feeds it the
  bodies the loader sent (tests/e2e/report.spec.js).
- `check.py docs FILE` checks every YAML block of an operations page
  (docs/operations.md): each parses, the collector configuration is one an
  OpenTelemetry Collector can start from (a logs pipeline from an OTLP HTTP
  receiver with CORS for the desk's origin), and the alert rules are a
  Prometheus rule file; its OTLP example parses as an
  `ExportLogsServiceRequest`. Prints one line per check and `N passed`.
"""

import json
import re
import sys


def any_value(v):
    """An OTLP AnyValue as plain Python."""
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if kind == "int_value":
        return int(v.int_value)
    return getattr(v, kind) if kind else None


def otlp():
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    request = json_format.Parse(sys.stdin.read(), ExportLogsServiceRequest())
    out = {"resource": {}, "records": []}
    for resource_logs in request.resource_logs:
        for kv in resource_logs.resource.attributes:
            out["resource"][kv.key] = any_value(kv.value)
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                out["records"].append(
                    {
                        "timeUnixNano": str(record.time_unix_nano),
                        "severityNumber": record.severity_number,
                        "severityText": record.severity_text,
                        "body": any_value(record.body),
                        "attributes": {kv.key: any_value(kv.value) for kv in record.attributes},
                    }
                )
    print(json.dumps(out))


def docs(path):
    import yaml

    text = open(path, encoding="utf-8").read()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    passed = 0

    def check(what, ok):
        nonlocal passed
        if not ok:
            sys.exit(f"{path}: {what}: failed")
        print(f"ok: {what}")
        passed += 1

    check("the page has YAML blocks", len(blocks) >= 2)
    docs = [yaml.safe_load(b) for b in blocks]
    check(f"all {len(blocks)} YAML blocks parse", all(isinstance(d, dict) for d in docs))
    collector = next(d for d in docs if "receivers" in d)
    http = collector["receivers"]["otlp"]["protocols"]["http"]
    check("the collector's OTLP receiver listens for HTTP", "endpoint" in http)
    origins = http["cors"]["allowed_origins"]
    check("the receiver's CORS allows the desk's origin", any(o.startswith("https://") for o in origins))
    check("the receiver's CORS allows the Content-Type header", "Content-Type" in http["cors"].get("allowed_headers", []))
    pipelines = collector["service"]["pipelines"]
    logs = pipelines["logs"]
    check("a logs pipeline reads from the OTLP receiver", "otlp" in logs["receivers"])
    for name in [n for p in pipelines.values() for n in p.get("exporters", [])]:
        check(f"exporter {name} is configured", name in collector.get("exporters", {}) or name in collector.get("connectors", {}))
    for name in [n for p in pipelines.values() for n in p.get("receivers", [])]:
        check(f"receiver {name} is configured", name in collector.get("receivers", {}) or name in collector.get("connectors", {}))
    for name in [n for p in pipelines.values() for n in p.get("processors", [])]:
        check(f"processor {name} is configured", name in collector.get("processors", {}))
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        if '"resourceLogs"' in block:
            request = json_format.Parse(block, ExportLogsServiceRequest())
            check("the OTLP example is an ExportLogsServiceRequest", len(request.resource_logs) == 1)
    rules = next(d for d in docs if "groups" in d)
    for group in rules["groups"]:
        for rule in group["rules"]:
            check(f"alert {rule.get('alert')} has an expression, a duration and labels", all(k in rule for k in ("alert", "expr", "for", "labels")))
    print(f"{passed} passed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["otlp"]:
        otlp()
    elif sys.argv[1:2] == ["docs"] and len(sys.argv) == 3:
        docs(sys.argv[2])
    else:
        sys.exit("usage: check.py otlp < request.json | check.py docs FILE")
