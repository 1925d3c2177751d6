"""fhir_schema.py — validate NDJSON FHIR resources against the official FHIR R4
JSON schema (draft 6), with Debian's python3-jsonschema, for tests/check_export.

usage: python3 fhir_schema.py fhir.schema.json FILE.ndjson...
Prints each invalid resource's errors; exit status 1 when any is invalid,
0 when every line of every file is valid (and prints how many were checked).
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft6Validator(schema)
    checked = bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                resource = json.loads(line)
                checked += 1
                errors = list(validator.iter_errors(resource))
                if errors:
                    bad += 1
                    for e in errors[:5]:
                        where = "/".join(str(p) for p in e.absolute_path)
                        print(f"{path}:{n}: {resource.get('resourceType')}: {where}: {e.message[:300]}",
                              file=sys.stderr)
    print(f"{checked} resources checked, {bad} invalid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
