#!/usr/bin/env python3
"""Measure what the blast radius of a replacement costs `redline diff`.

Usage:
  cascade_bench.py --redline NEW_BINARY --baseline MAIN_BINARY [--work DIR] [--runs 7]
                   [--resources 2000]

Generates a root module of about 2,000 resources (`gen_terraform.py module`) and two edits of
it: the first VPC's `cidr_block` and the first KMS key's `customer_master_key_spec`, both
force-new. For each edit it runs `redline diff OLD NEW --format json` with both binaries,
checks that the new one finds the cascade (a finding with a non-empty `impact`), and reports
the median wall time of each and the time the cascade adds. Exit status 1 when the cascade is
not found.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def generate(work, resources):
    for edit in ('none', 'vpc', 'kms'):
        folder = os.path.join(work, f'module-{edit}')
        if not os.path.isdir(folder):
            subprocess.run([sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'module', folder,
                            '--resources', str(resources), '--edit', edit], check=True)


def run(binary, old, new):
    started = time.perf_counter()
    done = subprocess.run([binary, 'diff', old, new, '--format', 'json'], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f'{binary} diff failed ({done.returncode}): {done.stderr}')
    return elapsed, json.loads(done.stdout)


def impact_of(report):
    """The largest impact among the findings: (rule, root, replaced, destroyed)."""
    best = None
    for finding in report['findings']:
        impact = finding.get('impact')
        if not impact:
            continue
        size = (len(impact['replaced']), len(impact['destroyed']))
        if best is None or size > best[2:]:
            best = (finding['rule'], impact['root'], *size)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--redline', required=True, help='the build with the cascade')
    parser.add_argument('--baseline', required=True, help='the build of main')
    parser.add_argument('--work', default='/tmp/redline-bench/cascade')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--resources', type=int, default=2000)
    args = parser.parse_args()
    generate(args.work, args.resources)
    old = os.path.join(args.work, 'module-none')
    failed = False
    print('| edit | impact found | main (median s) | this build (median s) | added |')
    print('|---|---|---|---|---|')
    for edit in ('vpc', 'kms'):
        new = os.path.join(args.work, f'module-{edit}')
        times = {'main': [], 'new': []}
        found = None
        # Interleaved, after one warm-up run each, so both see the same cache and load.
        run(args.baseline, old, new)
        run(args.redline, old, new)
        for _ in range(args.runs):
            elapsed, _ = run(args.baseline, old, new)
            times['main'].append(elapsed)
            elapsed, report = run(args.redline, old, new)
            times['new'].append(elapsed)
            found = impact_of(report)
        main_time = statistics.median(times['main'])
        new_time = statistics.median(times['new'])
        if found is None or found[2] + found[3] == 0:
            failed = True
            description = 'none'
        else:
            rule, root, replaced, destroyed = found
            description = f'{rule} `{root}`: {replaced} replaced, {destroyed} destroyed'
        added = (new_time - main_time) / main_time * 100
        print(f'| {edit} | {description} | {main_time:.3f} | {new_time:.3f} | {added:+.1f}% |')
    if failed:
        print('the cascade was not found', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
