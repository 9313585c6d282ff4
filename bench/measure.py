#!/usr/bin/env python3
"""Measure `redline check` on a folder: wall time, files/s, MB/s and peak RSS.

Usage: measure.py REDLINE_BINARY CORPUS_DIR [--runs N]
       measure.py REDLINE_BINARY PLAN.json --plan [--runs N]

With --plan, it measures `redline plan PLAN.json --format json` instead.

Each run is a fresh process; the median wall time and the largest peak RSS are reported.
The corpus is read once before the runs so that every run sees a warm page cache.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def corpus_size(root):
    files = 0
    size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, 'rb') as handle:
                size += len(handle.read())
            files += 1
    return files, size


def run_once(binary, corpus, is_plan=False):
    if is_plan:
        command = [binary, 'plan', '--format', 'json', '--fail-on', 'never', corpus]
    else:
        command = [binary, 'check', '--format', 'json', '--fail-on', 'never', corpus]
    # Linux carries the peak RSS of a process over `exec`, so a child forked from this Python
    # process would start with Python's (which holds the previous report). GNU time is small:
    # the peak it reports is redline's.
    with tempfile.NamedTemporaryFile('r') as usage:
        start = time.perf_counter()
        process = subprocess.Popen(['/usr/bin/time', '-f', '%M', '-o', usage.name] + command,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        output = process.stdout.read()
        status = process.wait()
        elapsed = time.perf_counter() - start
        peak_kb = int(usage.read().split()[-1])
    if status not in (0, 1):
        raise SystemExit(f'redline failed with status {status}')
    report = json.loads(output)
    return elapsed, peak_kb / 1024, report['summary']


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('binary')
    parser.add_argument('corpus')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--plan', action='store_true', help='measure `redline plan` on one plan file')
    args = parser.parse_args()
    if args.plan:
        files_on_disk = 1
        with open(args.corpus, 'rb') as handle:
            size = len(handle.read())
    else:
        files_on_disk, size = corpus_size(args.corpus)
    times, peaks = [], []
    summary = None
    for _ in range(args.runs):
        elapsed, peak, summary = run_once(args.binary, args.corpus, args.plan)
        times.append(elapsed)
        peaks.append(peak)
    median = statistics.median(times)
    result = {
        'files_on_disk': files_on_disk,
        'files_analysed': summary['files'],
        'bytes': size,
        'findings': summary['findings'],
        'runs': args.runs,
        'median_seconds': round(median, 4),
        'files_per_second': round(summary['files'] / median),
        'mb_per_second': round(size / 1e6 / median, 1),
        'peak_rss_mb': round(max(peaks), 1),
        'peak_rss_per_input_byte': round(max(peaks) * 1024 * 1024 / size, 2),
        'cpus': os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
