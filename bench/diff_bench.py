#!/usr/bin/env python3
"""Measure `redline diff` on a git repository with many changed files.

Usage: diff_bench.py REDLINE_BINARY [--files 2000] [--unchanged 500] [--runs 5] [--seed 1]

Builds a temporary git repository of Terraform modules (`gen_terraform.py config`, 25 files
per folder) plus `--unchanged` files that stay as committed, commits it, then edits every one of
the first `--files` files: one attribute value changes, and every fifth file also gains
`force_destroy = true` in its first resource, so the diff has findings to report. Each run is a
fresh `redline diff --format json` process; the median wall time is reported.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GIT_ENV = dict(
    os.environ,
    GIT_CONFIG_NOSYSTEM='1',
    GIT_CONFIG_GLOBAL=os.devnull,
    GIT_AUTHOR_NAME='bench',
    GIT_AUTHOR_EMAIL='bench@example.com',
    GIT_COMMITTER_NAME='bench',
    GIT_COMMITTER_EMAIL='bench@example.com',
)


def git(repo, *args):
    subprocess.run(['git', *args], cwd=repo, env=GIT_ENV, check=True, stdout=subprocess.DEVNULL)


def tf_files(root):
    res = []
    for folder, _, names in os.walk(root):
        if '.git' in folder.split(os.sep):
            continue
        res.extend(os.path.join(folder, name) for name in names if name.endswith('.tf'))
    return sorted(res)


def edit(path, index):
    with open(path) as handle:
        text = handle.read()
    # Change one value, as a routine edit does.
    text = text.replace('= "', '= "edited-', 1)
    if index % 5 == 0:
        start = text.find('resource "')
        brace = text.find('{\n', start)
        if start >= 0 and brace >= 0:
            text = text[:brace + 2] + '  force_destroy = true\n' + text[brace + 2:]
    with open(path, 'w') as handle:
        handle.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('binary')
    parser.add_argument('--files', type=int, default=2000)
    parser.add_argument('--unchanged', type=int, default=500)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)

    with tempfile.TemporaryDirectory(prefix='redline-diff-bench-') as repo:
        subprocess.run(
            [sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'config', repo,
             '--files', str(args.files + args.unchanged), '--seed', str(args.seed)],
            check=True,
        )
        git(repo, 'init', '-q', '-b', 'main')
        git(repo, 'add', '-A')
        git(repo, 'commit', '-q', '-m', 'base')
        files = tf_files(repo)
        for index, path in enumerate(files[:args.files]):
            edit(path, index)
        size = sum(os.path.getsize(path) for path in files)

        times = []
        findings = None
        for _ in range(args.runs):
            start = time.perf_counter()
            process = subprocess.run(
                [binary, 'diff', '--format', 'json', '--fail-on', 'never'],
                cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )
            times.append(time.perf_counter() - start)
            if process.returncode != 0:
                sys.exit(f'redline diff failed ({process.returncode}): {process.stderr.decode()}')
            findings = process.stdout.count(b'"rule":')
        print(f'{args.files} changed files ({len(files)} in the repository, {size / 1e6:.1f} MB), '
              f'{findings} findings')
        print(f'redline diff: median {statistics.median(times):.3f} s, '
              f'min {min(times):.3f} s, max {max(times):.3f} s over {args.runs} runs')


if __name__ == '__main__':
    main()
