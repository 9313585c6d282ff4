#!/usr/bin/env python3
"""Convert force-new lists in the `type: attr, attr(cond), ...  # source` form into force-new.tsv.

Usage:
    python3 convert_force_new.py VERSION < lists.txt > force-new.tsv

Each input line names a resource type, its force-new attributes and the provider source file
they were read from. Suffixes mark conditional replacement: `?` (framework RequiresReplaceIf),
`(cond)` (customdiff.ForceNewIf / ForceNewIfChange) and `(diff)` (ForceNew from CustomizeDiff).
AzureRM resources also get `name`, `resource_group_name` and `location`, which the provider
makes force-new through shared schema helpers (a resource group has no
`resource_group_name`).

The output has one line per attribute, sorted: `type<TAB>attribute<TAB>kind<TAB>source`, where
kind is `always`, `cond`, `diff` or `if`. The first line records VERSION, the provider
commits the lists were read at.
"""

import sys

AZURE_COMMON = ['name', 'resource_group_name', 'location']


def main():
    version = sys.argv[1]
    rows = set()
    for line in sys.stdin:
        line = line.strip()
        if not line or ':' not in line:
            continue
        body, _, source = line.partition('#')
        resource_type, _, attributes = body.partition(':')
        resource_type = resource_type.strip()
        source = source.strip()
        names = [a.strip() for a in attributes.split(',') if a.strip()]
        if resource_type.startswith('azurerm_'):
            common = [n for n in AZURE_COMMON if n != 'resource_group_name' or resource_type != 'azurerm_resource_group']
            names += [n for n in common if n not in names]
        for name in names:
            kind = 'always'
            for suffix, suffix_kind in (('(cond)', 'cond'), ('(diff)', 'diff'), ('?', 'if')):
                if name.endswith(suffix):
                    name, kind = name[: -len(suffix)], suffix_kind
            name = name.split(' ')[0]
            rows.add((resource_type, name, kind, source.split(' ')[0]))
    print(f'# force-new attributes; providers: {version}')
    for row in sorted(rows):
        print('\t'.join(row))


if __name__ == '__main__':
    main()
