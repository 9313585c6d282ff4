#!/usr/bin/env python3
"""Measure `redline check` on one long workflow and one long Kubernetes stream, against targets.

Usage: yaml_bench.py REDLINE_BINARY [--runs 5] [--seed 1] [--work DIR] [--parse-only BINARY]

The inputs are generated from a fixed seed: a 2,000-line GitHub Actions workflow
(`gen_scripts.py`) and a 1 MB Kubernetes stream (`lsp_bench.yaml_text`).
Each run is a fresh `redline check --format json FILE` under GNU time (for the peak RSS); the
script prints the best and median wall time and the peak RSS, and whether the best time, less
what starting a process under GNU time costs (timed on `true`), meets the target (20 ms for the
workflow, 150 ms for the stream).
With --parse-only, it also times the `parse_only` example (format detection, tree-sitter, the
value model) on the same file, the floor under `check`.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lsp_bench  # noqa: E402

TARGETS_MS = {'2,000-line workflow': 20, '1 MB Kubernetes stream': 150}


def generate(work, seed):
    """Writes the two inputs under `work` and returns (name, path) pairs."""
    subprocess.run([sys.executable, os.path.join(HERE, 'gen_scripts.py'), os.path.join(work, 'scripts'),
                    '--lines', '2000', '--seed', str(seed)], check=True, stdout=subprocess.DEVNULL)
    workflow = os.path.join(work, 'scripts', '.github', 'workflows', 'big.yml')
    stream = os.path.join(work, 'manifests.yaml')
    with open(stream, 'w', encoding='utf-8') as handle:
        handle.write(lsp_bench.yaml_text(random.Random(seed), 1024 * 1024))
    return [('2,000-line workflow', workflow), ('1 MB Kubernetes stream', stream)]


def run_once(command):
    """Wall time in ms and peak RSS in MB of one run of `command`."""
    # GNU time reports the peak of the measured process alone, not of this Python process.
    with tempfile.NamedTemporaryFile('r') as usage:
        start = time.perf_counter()
        status = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', usage.name] + command,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        elapsed = (time.perf_counter() - start) * 1000
        peak_kb = int(usage.read().split()[-1])
    if status not in (0, 1):
        raise SystemExit(f'{command[0]} failed with status {status}')
    return elapsed, peak_kb / 1024


def measure(command, runs):
    results = [run_once(command) for _ in range(runs)]
    times = [elapsed for elapsed, _ in results]
    return min(times), statistics.median(times), max(peak for _, peak in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('binary')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--work', default=None, help='where to write the inputs (a temporary folder by default)')
    parser.add_argument('--parse-only', default=None, help='the parse_only example binary, to time the parse floor')
    args = parser.parse_args()
    # What starting a process under GNU time costs here, measured on `true`: part of every figure
    # below, and none of redline's.
    overhead, _, _ = measure(['true'], max(args.runs, 10))
    print(f'starting a process under /usr/bin/time: best {overhead:.1f} ms')
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or temporary
        os.makedirs(work, exist_ok=True)
        for name, path in generate(work, args.seed):
            size = os.path.getsize(path)
            with open(path, encoding='utf-8') as handle:
                lines = handle.read().count('\n')
            best, median, peak = measure([args.binary, 'check', '--format', 'json', '--fail-on', 'never', path],
                                         args.runs)
            target = TARGETS_MS[name]
            verdict = 'meets' if best - overhead <= target else 'MISSES'
            print(f'{name} ({lines} lines, {size / 1e6:.2f} MB): best {best:.1f} ms '
                  f'({best - overhead:.1f} ms without starting /usr/bin/time), median {median:.1f} ms, '
                  f'peak RSS {peak:.1f} MB ({verdict} the {target} ms target)')
            if args.parse_only:
                best, median, peak = measure([args.parse_only, path], args.runs)
                print(f'  parse only: best {best:.1f} ms, median {median:.1f} ms, peak RSS {peak:.1f} MB')


if __name__ == '__main__':
    main()
