#!/usr/bin/env python3
"""Keystroke latency of `redline lsp` while typing in real Terraform modules.

Usage: lsp_modules.py REDLINE_BINARY [--corpus DIR] [--edits N] [--seed S] [--only NAME,...]
                        [--unfinished-tail]

Each module folder is copied into a fresh git repository under a temporary folder and committed,
so that, as in an editor on a real checkout, the server judges every edit against git `HEAD` and
reads the module's other files from disk. The bench opens `main.tf` (the workspace folder is the
repository), then types N single letters, one at a time, just inside a string literal of a random
line (the file stays valid, as it does for most keystrokes), and times each keystroke to its
diagnostics twice over, in two servers:

- pull: `didChange`, then `textDocument/diagnostic` naming the result id of the report held, as
  VS Code does, timed to the report (a client that pulls);
- push: `didChange` with `debounceMs = 0`, timed to the `publishDiagnostics` of that version.

With `--unfinished-tail`, the opened text ends with a block being written (`resource "aws_s3_bucket"
"typing" {` and an unterminated string, below what is committed), so every keystroke above it is
judged through the repair of a broken edit, as while a block is typed at the end of a file; the
findings shown at the start are then those of the opened text.

The findings are counted at the start and, when they differ, after the last keystroke.

Beside wall time it gives the server's CPU time per keystroke (user + system, from
/proc/PID/stat), since a shared machine makes wall time noisy.

Modules: terraform-aws-s3-bucket, terraform-aws-eks and terraform-aws-vpc from the corpus
(`bench/fetch-corpus`, or `--corpus` pointing at unpacked checkouts), a generated 5,029-line
`main.tf` alone, and a generated 300-line one. Targets: p99 <= 10 ms (3 ms for 300 lines).
It also times first diagnostics after opening a generated 5,000-line file (target <= 50 ms).
"""

import argparse
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp_bench  # noqa: E402


def cpu_seconds(pid):
    """CPU time of every thread of the process, in seconds, to the nanosecond (schedstat)."""
    total = 0
    for task in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{task}/schedstat') as stat:
                total += int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def committed_copy(source, work, name):
    """Copies the `.tf`/tfvars files of `source` (one folder) into a new git repository."""
    repo = os.path.join(work, name)
    os.makedirs(repo)
    if os.path.sep in source and os.path.isdir(source):
        for entry in sorted(os.listdir(source)):
            path = os.path.join(source, entry)
            if os.path.isfile(path) and (entry.endswith(('.tf', '.tf.json', '.tfvars', '.tfvars.json'))):
                shutil.copy(path, repo)
    else:
        with open(os.path.join(repo, 'main.tf'), 'w') as out:
            out.write(source)
    git = ['git', '-C', repo, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid']
    subprocess.run(git[:3] + ['init', '-q'], check=True)
    subprocess.run(git + ['add', '-A'], check=True)
    subprocess.run(git + ['commit', '-q', '-m', 'base'], check=True)
    return repo


def start(binary, repo, pull):
    server = lsp_bench.Server(binary)
    capabilities = {'textDocument': {'diagnostic': {'dynamicRegistration': False}},
                    'workspace': {'diagnostics': {'refreshSupport': True}}} if pull else {}
    root = 'file://' + repo
    server.request('initialize', {
        'processId': os.getpid(), 'rootUri': root, 'capabilities': capabilities,
        'workspaceFolders': [{'uri': root, 'name': 'bench'}],
        'initializationOptions': {'debounceMs': 0, 'scanWorkspace': False}})
    server.notify('initialized', {})
    return server


def pull(server, uri, previous=None):
    """Pulls the document's diagnostics, naming the result id of the report the client holds,
    as VS Code does; the server may answer that it is unchanged."""
    params = {'textDocument': {'uri': uri}}
    if previous is not None:
        params['previousResultId'] = previous
    return server.request('textDocument/diagnostic', params)['result']


UNFINISHED_TAIL = '\nresource "aws_s3_bucket" "typing" {\n  bucket = "typ'


def type_in(binary, repo, edits, seed, pull_mode, unfinished_tail=False):
    """Types `edits` letters into main.tf of `repo`; returns (wall ms list, cpu ms list, findings)."""
    rng = random.Random(seed)
    path = os.path.join(repo, 'main.tf')
    with open(path) as source:
        text = source.read()
    quoted_lines = text.count('\n') + 1
    if unfinished_tail:
        text += UNFINISHED_TAIL
    lines = text.split('\n')
    quoted = [index for index, line in enumerate(lines[:quoted_lines]) if '"' in line]
    uri = 'file://' + path
    server = start(binary, repo, pull_mode)
    server.notify('textDocument/didOpen', {'textDocument': {'uri': uri, 'languageId': 'terraform',
                                                           'version': 1, 'text': text}})
    if pull_mode:
        report = pull(server, uri)
        findings = len(report.get('items', []))
        previous = report.get('resultId')
    else:
        findings = len(server.wait_diagnostics(uri, 1))
    last = findings
    walls, cpus = [], []
    for version in range(2, edits + 2):
        line = rng.choice(quoted)
        column = lines[line].index('"') + 1
        letter = rng.choice(string.ascii_lowercase)
        lines[line] = lines[line][:column] + letter + lines[line][column:]
        change = {'range': {'start': {'line': line, 'character': column},
                            'end': {'line': line, 'character': column}}, 'text': letter}
        cpu = cpu_seconds(server.process.pid)
        sent = time.perf_counter()
        server.notify('textDocument/didChange', {'textDocument': {'uri': uri, 'version': version},
                                                 'contentChanges': [change]})
        if pull_mode:
            report = pull(server, uri, previous)
            previous = report.get('resultId')
            if report.get('kind') == 'full':
                last = len(report.get('items', []))
        else:
            last = len(server.wait_diagnostics(uri, version))
        walls.append((time.perf_counter() - sent) * 1000)
        cpus.append((cpu_seconds(server.process.pid) - cpu) * 1000)
    server.stop()
    return walls, cpus, (findings, last)


def first_diagnostics(binary, work, text, runs):
    repo = committed_copy(text, work, f'first-{len(text)}')
    path = os.path.join(repo, 'main.tf')
    times = []
    for _ in range(runs):
        server = start(binary, repo, False)
        sent = time.perf_counter()
        server.notify('textDocument/didOpen', {'textDocument': {'uri': 'file://' + path, 'languageId': 'terraform',
                                                               'version': 1, 'text': text}})
        server.wait_diagnostics('file://' + path, 1)
        times.append((time.perf_counter() - sent) * 1000)
        server.stop()
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('binary')
    parser.add_argument('--corpus', default='/tmp/corpus')
    parser.add_argument('--edits', type=int, default=300)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--only', default='')
    parser.add_argument('--push', action=argparse.BooleanOptionalAction, default=True,
                        help='also time push diagnostics (default: yes)')
    parser.add_argument('--unfinished-tail', action='store_true',
                        help='open main.tf with an unfinished block at its end')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    big = lsp_bench.terraform_text(rng, 5000)
    small = lsp_bench.terraform_text(random.Random(args.seed), 230)
    modules = [
        ('terraform-aws-s3-bucket', ('folder', os.path.join(args.corpus, 'terraform-aws-s3-bucket')), 10),
        ('terraform-aws-eks', ('folder', os.path.join(args.corpus, 'terraform-aws-eks')), 10),
        ('terraform-aws-vpc', ('folder', os.path.join(args.corpus, 'terraform-aws-vpc')), 10),
        (f'{big.count(chr(10)) + 1}-line main.tf alone', ('text', big), 10),
        (f'{small.count(chr(10)) + 1}-line main.tf alone', ('text', small), 3),
    ]
    only = [name for name in args.only.split(',') if name]
    with tempfile.TemporaryDirectory(prefix='redline-lsp-modules-') as work:
        for index, (name, source, target) in enumerate(modules):
            if only and not any(part in name for part in only):
                continue
            kind, source = source
            if kind == 'folder' and not os.path.isdir(source):
                print(f'{name}: not found under {args.corpus}, skipped')
                continue
            repo = committed_copy(source, work, f'module-{index}')
            lines = sum(open(os.path.join(repo, entry)).read().count('\n')
                        for entry in os.listdir(repo) if entry.endswith('.tf'))
            modes = [('pull', True)] + ([('push', False)] if args.push else [])
            for mode, pull_mode in modes:
                walls, cpus, findings = type_in(args.binary, repo, args.edits, args.seed, pull_mode,
                                                args.unfinished_tail)
                p50, p99 = lsp_bench.percentile(walls, 0.5), lsp_bench.percentile(walls, 0.99)
                c50, c99 = lsp_bench.percentile(cpus, 0.5), lsp_bench.percentile(cpus, 0.99)
                verdict = 'meets' if p99 <= target else 'MISSES'
                tail = ', unfinished block at the end' if args.unfinished_tail else ''
                first, last = findings
                shown = f'{first} findings' if first == last else f'{first} findings, {last} after typing'
                print(f'{name} ({lines} lines in the folder, {shown}{tail}), {mode}: '
                      f'n={len(walls)} wall p50={p50:.2f} p99={p99:.2f} ms; '
                      f'cpu p50={c50:.1f} p99={c99:.1f} ms ({verdict} p99 <= {target} ms)', flush=True)
        if not only or any('first' in part for part in only):
            times = first_diagnostics(args.binary, work, big, 5)
            best, median = min(times), lsp_bench.percentile(times, 0.5)
            verdict = 'meets' if median <= 50 else 'MISSES'
            print(f'first diagnostics after opening a {big.count(chr(10)) + 1}-line file: '
                  f'best {best:.1f} ms, median {median:.1f} ms ({verdict} <= 50 ms)')


if __name__ == '__main__':
    main()
