#!/usr/bin/env python3
"""Validates OCSF Detection Findings (one JSON object per line, from a file or stdin) against the
published OCSF schema of their metadata.version, as packaged by PyPI's pydantic-ocsf (the schema
files of OCSF 1.0-1.7), with jsonschema on the JSON Schema of the class and with the model's own
validators (enum siblings, uids). Exit 0 when every line is valid, 1 when one is not, 3 when the
packages are missing (pip install pydantic-ocsf jsonschema)."""
import json
import sys

try:
    import importlib
    import jsonschema
except ImportError as e:
    print(f"validate-ocsf: missing Python package: {e.name} (pip install pydantic-ocsf jsonschema)", file=sys.stderr)
    sys.exit(3)

source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
schemas = {}
bad = 0
count = 0
for number, line in enumerate(source, 1):
    if not line.strip():
        continue
    count += 1
    finding = json.loads(line)
    version = finding.get("metadata", {}).get("version", "")
    if version not in schemas:
        try:
            module = importlib.import_module("ocsf.v" + version.replace(".", "_") + ".events")
        except ImportError as e:
            if e.name and e.name.split(".")[0] == "ocsf" and "v" not in e.name.split(".")[-1][:1]:
                print(f"validate-ocsf: missing Python package: pydantic-ocsf ({e})", file=sys.stderr)
                sys.exit(3)
            print(f"line {number}: no published OCSF schema for metadata.version {version!r}: {e}", file=sys.stderr)
            bad += 1
            continue
        model = module.DetectionFinding
        schemas[version] = (model, model.model_json_schema())
    model, schema = schemas[version]
    problems = []
    if finding.get("class_uid") != 2004:
        problems.append(f"class_uid is {finding.get('class_uid')!r}, not 2004 (Detection Finding)")
    problems += [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                 for e in jsonschema.Draft202012Validator(schema).iter_errors(finding)]
    try:
        model.model_validate(finding)
    except Exception as e:  # pydantic.ValidationError
        problems.append(str(e))
    if problems:
        bad += 1
        for p in problems:
            print(f"line {number}: {p}", file=sys.stderr)
print(f"validate-ocsf: {count} findings, {bad} invalid", file=sys.stderr)
sys.exit(1 if bad or count == 0 else 0)
