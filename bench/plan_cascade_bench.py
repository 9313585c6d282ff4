#!/usr/bin/env python3
"""Measure what the plan cascade costs `redline plan` on a 20 MB plan.

Usage:
  plan_cascade_bench.py --redline NEW_BINARY --baseline BASELINE_BINARY [--work DIR] [--runs 7]
                        [--mb 20] [--seed 1]

Generates a plan of about 20 MB whose `configuration` section carries references
(`gen_terraform.py plan --references`): every resource with its `expressions`, and wired units
in which a VPC, a KMS key, a launch template or a subnet is replaced together with the objects
that read it. Runs `redline plan PLAN --format json` with both binaries, interleaved after one
warm-up run each, checks that the new one names cascades (findings with a non-empty `impact`),
and reports for each binary the median wall time, the median CPU time (user + system of the
child), the largest peak RSS, and the new binary's cost relative to the baseline's. Exit
status 1 when no cascade is found.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def generate(work, mb, seed):
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, f'plan-references-{mb:g}mb-seed{seed}.json')
    # Written again each time (a few seconds), so that it always matches the generator.
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'plan', path,
                    '--mb', str(mb), '--seed', str(seed), '--references'], check=True)
    return path


def run(binary, plan, out):
    """One run: (wall s, CPU s, peak RSS bytes, report)."""
    with open(out, 'w') as stdout:
        started = time.perf_counter()
        child = subprocess.Popen([binary, 'plan', plan, '--format', 'json'], stdout=stdout,
                                 stderr=subprocess.PIPE, cwd=os.path.dirname(plan))
        # wait4 gives the resources of this child alone.
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode(errors='replace')
        child.stderr.close()
    if child.returncode not in (0, 1):
        raise SystemExit(f'{binary} plan failed ({child.returncode}): {stderr}')
    with open(out) as handle:
        report = json.load(handle)
    # ru_maxrss is in KiB on Linux.
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, report


def cascades(report):
    """(findings with a non-empty impact, objects they name, findings in all)."""
    found = [finding for finding in report['findings']
             if finding.get('impact') and (finding['impact']['replaced'] or finding['impact']['destroyed'])]
    named = sum(len(finding['impact']['replaced']) + len(finding['impact']['destroyed']) for finding in found)
    return len(found), named, len(report['findings'])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--redline', required=True, help='the build with plan cascades')
    parser.add_argument('--baseline', required=True, help='the build before plan cascades')
    parser.add_argument('--work', default='/tmp/redline-bench/plan-cascade')
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--mb', type=float, default=20)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    plan = generate(args.work, args.mb, args.seed)
    print(f'plan: {plan}, {os.path.getsize(plan)} bytes')
    binaries = {'baseline': args.baseline, 'new': args.redline}
    samples = {name: {'wall': [], 'cpu': [], 'rss': []} for name in binaries}
    reports = {}
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        # Interleaved, after one warm-up run each, so both see the same cache and load.
        for name, binary in binaries.items():
            run(binary, plan, os.path.join(scratch, f'{name}.json'))
        for _ in range(args.runs):
            for name, binary in binaries.items():
                wall, cpu, rss, reports[name] = run(binary, plan, os.path.join(scratch, f'{name}.json'))
                samples[name]['wall'].append(wall)
                samples[name]['cpu'].append(cpu)
                samples[name]['rss'].append(rss)
    median = {name: {key: statistics.median(values) for key, values in sample.items()}
              for name, sample in samples.items()}
    print('| binary | median wall (s) | wall range (s) | median CPU (s) | peak RSS (MiB) | findings | cascades | objects in cascades |')
    print('|---|---|---|---|---|---|---|---|')
    for name in binaries:
        found, named, findings = cascades(reports[name])
        wall = samples[name]['wall']
        print(f'| {name} | {median[name]["wall"]:.3f} | {min(wall):.3f}-{max(wall):.3f} | {median[name]["cpu"]:.3f} '
              f'| {max(samples[name]["rss"]) / 2**20:.1f} | {findings} | {found} | {named} |')
    wall_ratio = median['new']['wall'] / median['baseline']['wall']
    cpu_ratio = median['new']['cpu'] / median['baseline']['cpu']
    rss_ratio = max(samples['new']['rss']) / max(samples['baseline']['rss'])
    print(f'new / baseline: wall {wall_ratio:.3f} ({(wall_ratio - 1) * 100:+.1f}%), '
          f'CPU {cpu_ratio:.3f} ({(cpu_ratio - 1) * 100:+.1f}%), peak RSS {rss_ratio:.3f} ({(rss_ratio - 1) * 100:+.1f}%)')
    found, named, _ = cascades(reports['new'])
    print(f'cascades found by the new binary: {found} ({named} objects)')
    if found == 0:
        print('no cascade was found', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
