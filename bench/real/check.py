#!/usr/bin/env python3
"""Check redline against the triaged real-world corpus: precision of its loud findings, labeled
mistakes that come back, true findings that go away, and listed misses.

Usage: check.py [--redline PATH] [--corpus DIR | --archives DIR | --keep DIR] [--report FILE]
                [--report-only] [--markdown]

The corpus is the two archives of the shared corpus (`../shared/corpus/*.tar.gz` beside the
repository, or --archives), unpacked into a temporary folder at run time (--keep DIR unpacks
into DIR once and reuses it), or an already unpacked copy given with --corpus. redline runs there
as `redline check --format json --fail-on never .`, so report paths, and with them fingerprints,
are relative to the corpus root. --report reads a report made that way instead of running
redline.

Labels are in `triage.jsonl` beside this file (one loud finding per line, matched by
fingerprint), and the dangers redline should report but does not are in `misses.jsonl`. A miss
counts as found when an error or warning of its rule (of any rule when `rule` is null) starts
within its lines of its file. A miss with an `explained` text is one redline knowingly leaves
unreported, for the reason given there: it is listed, and does not fail the check.

Exits 1 when a finding labeled fp or noise comes back, a finding labeled tp is not reported, a
listed miss that is not explained is not found, or an error or warning has no label; with --report-only it exits 0
after the report. Exits 2 when the labels, redline or the corpus cannot be used.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOUD = ('error', 'warning')
LABELS = ('tp', 'fp', 'noise')
CATEGORIES = ('destructive', 'permissions', 'approval')
# A fixed "today" for rules that compare dates (expiring suppressions), as in bench/run.py.
TODAY = {'REDLINE_TODAY': '2026-06-01'}


def fail(message):
    print(f'check.py: {message}', file=sys.stderr)
    sys.exit(2)


def read_jsonl(path):
    rows = []
    with open(path, encoding='utf-8') as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    fail(f'{path}:{number}: {error}')
    return rows


def load_labels(path):
    labels = {}
    for row in read_jsonl(path):
        if row.get('label') not in LABELS:
            fail(f'{path}: the label of {row.get("fingerprint")} is {row.get("label")!r}, '
                 f'not one of {", ".join(LABELS)}')
        if row['fingerprint'] in labels:
            fail(f'{path}: fingerprint {row["fingerprint"]} is labeled twice')
        labels[row['fingerprint']] = row
    return labels


def load_misses(path):
    misses = read_jsonl(path)
    for miss in misses:
        if miss.get('category') not in CATEGORIES:
            fail(f'{path}: the category of the miss in {miss.get("path")} is {miss.get("category")!r}')
        lines = miss.get('lines', [])
        if len(lines) != 2 or lines[0] > lines[1]:
            fail(f'{path}: the lines of the miss in {miss.get("path")} must be [first, last]')
        if 'explained' in miss and not (isinstance(miss['explained'], str) and miss['explained'].strip()):
            fail(f'{path}: the explanation of the miss in {miss.get("path")} must be a text')
    return misses


def default_redline():
    target = os.environ.get('CARGO_TARGET_DIR', os.path.join(ROOT, 'target'))
    return os.path.join(target, 'release', 'redline')


def unpack(archives, dest):
    names = sorted(name for name in os.listdir(archives) if name.endswith('.tar.gz'))
    if not names:
        fail(f'no .tar.gz archive in {archives}')
    for name in names:
        with tarfile.open(os.path.join(archives, name)) as archive:
            if hasattr(tarfile, 'data_filter'):
                archive.extractall(dest, filter='data')
            else:
                archive.extractall(dest)


def run_redline(binary, corpus):
    """The JSON report of `redline check` on the corpus and the wall time it took."""
    if not os.path.exists(binary):
        fail(f'no redline binary at {binary} (build it with `cargo build --release` or pass --redline)')
    start = time.perf_counter()
    process = subprocess.run([binary, 'check', '--format', 'json', '--fail-on', 'never', '.'], cwd=corpus,
                             capture_output=True, env={**os.environ, **TODAY})
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        fail(f'redline exited with {process.returncode}: {process.stderr.decode(errors="replace")[-500:]}')
    try:
        return json.loads(process.stdout), wall
    except json.JSONDecodeError as error:
        fail(f'redline printed no JSON report: {error}')


def repository(path):
    """The corpus folder a path belongs to: `terraform-aws-eks/…`, or `real-iac-2/<repository>/…`."""
    parts = path.replace(os.sep, '/').split('/')
    if parts[0] == 'real-iac-2' and len(parts) > 2:
        return parts[1]
    return parts[0]


def count_files(corpus):
    """Files on disk per repository (the archives hold only files redline may read)."""
    files = collections.Counter()
    for folder, _, names in os.walk(corpus):
        relative = os.path.relpath(folder, corpus)
        if relative not in ('.', 'real-iac-2'):
            files[repository(relative + '/file')] += len(names)
    return files


def start_line(finding):
    return finding['range']['start']['line']


def evaluate(report, labels, misses):
    loud = [f for f in report['findings'] if f['severity'] in LOUD]
    seen = {f['fingerprint'] for f in loud}
    res = {
        'loud': loud,
        'back': [],  # (finding, label row) of labeled fp/noise reported again
        'unreviewed': [],
        'counts': collections.Counter(),
        'by_repo': collections.defaultdict(collections.Counter),
        'by_rule': collections.defaultdict(collections.Counter),
    }
    for finding in loud:
        row = labels.get(finding['fingerprint'])
        label = row['label'] if row else 'unreviewed'
        res['counts'][label] += 1
        res['by_repo'][repository(finding['path'])][label] += 1
        res['by_rule'][finding['rule']][label] += 1
        if row is None:
            res['unreviewed'].append(finding)
        elif label != 'tp':
            res['back'].append((finding, row))
    gone = [row for fingerprint, row in labels.items() if fingerprint not in seen]
    res['tp_gone'] = [row for row in gone if row['label'] == 'tp']
    res['mistakes_gone'] = [row for row in gone if row['label'] != 'tp']
    starts = collections.defaultdict(list)
    for finding in loud:
        starts[finding['path']].append((start_line(finding), finding['rule']))
    res['misses_found'], res['misses_open'], res['misses_explained'] = [], [], []
    for miss in misses:
        first, last = miss['lines']
        found = any(first <= line <= last and miss['rule'] in (None, rule) for line, rule in starts[miss['path']])
        if found:
            res['misses_found'].append(miss)
        elif miss.get('explained'):
            res['misses_explained'].append(miss)
        else:
            res['misses_open'].append(miss)
    return res


def precision(counts):
    judged = counts['tp'] + counts['fp'] + counts['noise']
    return counts['tp'] / judged if judged else None


def percent(share):
    return '–' if share is None else f'{share:.1%}'


def table(headers, rows, markdown):
    rows = [[str(cell) for cell in row] for row in rows]
    if markdown:
        lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join('---' for _ in headers) + '|']
        return '\n'.join(lines + ['| ' + ' | '.join(row) + ' |' for row in rows])
    widths = [max([len(headers[i])] + [len(row[i]) for row in rows]) for i in range(len(headers))]
    lines = [headers] + rows
    return '\n'.join('  '.join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines)


def label_row(name, counts, extra=()):
    loud = counts['tp'] + counts['fp'] + counts['noise'] + counts['unreviewed']
    return [name, *extra, loud, counts['tp'], counts['fp'], counts['noise'], counts['unreviewed'],
            percent(precision(counts))]


def finding_text(pair):
    finding, row = pair
    what = f"{row['label']}, {row['class']}" if row.get('class') else row['label']
    return (f"{finding['fingerprint']} {finding['rule']} {finding['path']}:{start_line(finding)} ({what}): "
            f"{row['reason']}")


def row_text(row):
    return f"{row['fingerprint']} {row['rule']} {row['path']}:{row['line']}: {row['reason']}"


def miss_text(miss):
    first, last = miss['lines']
    return f"{miss['path']}:{first}-{last} [{miss['category']}, {miss['rule'] or 'any rule'}]: {miss['reason']}"


def explained_text(miss):
    return f"{miss_text(miss)}\n    explained: {miss['explained']}"


def unreviewed_text(finding):
    return (f"{finding['fingerprint']} {finding['rule']} {finding['severity']} "
            f"{finding['path']}:{start_line(finding)}: {finding['message'][:160]}")


def render_report(res, report, files, wall, markdown):
    """The summary and the tables; the plain report also lists every entry behind the check's counts."""
    counts = res['counts']
    heading = '#### ' if markdown else ''
    version = report.get('tool', {}).get('version', '?')
    timing = f'; `redline check` took {wall:.1f} s wall' if wall is not None else ''
    n_misses = len(res['misses_found']) + len(res['misses_open']) + len(res['misses_explained'])
    out = [f"redline {version}: {report['summary']['files']:,} files analysed, {len(res['loud']):,} errors and "
           f"warnings{timing}.",
           f"Precision of loud findings: {percent(precision(counts))} = tp {counts['tp']} / (tp {counts['tp']} + "
           f"fp {counts['fp']} + noise {counts['noise']}); {counts['unreviewed']} unreviewed.",
           f"Listed misses found: {len(res['misses_found'])} of {n_misses}; "
           f"{len(res['misses_explained'])} explained, {len(res['misses_open'])} open.",
           '']

    headers = ['Repository', 'Files', 'Loud', 'tp', 'fp', 'noise', 'Unreviewed', 'Precision']
    repos = sorted(set(files) | set(res['by_repo']), key=lambda r: (-sum(res['by_repo'][r].values()), r))
    rows = [label_row(repo, res['by_repo'][repo], (files.get(repo, 0),)) for repo in repos]
    rows.append(label_row('all', counts, (sum(files.values()),)))
    out += [f'{heading}By repository', '', table(headers, rows, markdown), '']

    rules = sorted(res['by_rule'], key=lambda r: (-sum(res['by_rule'][r].values()), r))
    rows = [label_row(rule, res['by_rule'][rule]) for rule in rules]
    headers = ['Rule', 'Loud', 'tp', 'fp', 'noise', 'Unreviewed', 'Precision']
    out += [f'{heading}By rule', '', table(headers, rows, markdown), '']

    by_category = collections.defaultdict(lambda: [0, 0, 0])
    for column, key in enumerate(('misses_found', 'misses_explained', 'misses_open')):
        for miss in res[key]:
            by_category[miss['category']][column] += 1
    rows = [[category, sum(counts), *counts] for category, counts in sorted(by_category.items())]
    out += [f'{heading}Misses', '',
            table(['Category', 'Listed', 'Found', 'Explained', 'Open'], rows, markdown), '']

    checks = [('Labeled fp/noise reported again', res['back'], finding_text),
              ('Labeled tp no longer reported', res['tp_gone'], row_text),
              ('Listed misses not found', res['misses_open'], miss_text),
              ('Listed misses explained', res['misses_explained'], explained_text),
              ('Unreviewed errors and warnings', res['unreviewed'], unreviewed_text)]
    rows = [[title, len(entries)] for title, entries, _ in checks]
    rows.append(['Labeled fp/noise no longer reported', len(res['mistakes_gone'])])
    out += [f'{heading}Check', '', table(['', 'Count'], rows, markdown)]
    if not markdown:
        for title, entries, render in checks:
            if entries:
                out += ['', f'{title}:'] + ['  ' + render(entry) for entry in entries]
    return '\n'.join(out) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--redline', default=default_redline(),
                        help='the redline binary (default target/release/redline)')
    parser.add_argument('--corpus', help='an unpacked corpus instead of the archives')
    parser.add_argument('--archives', default=os.path.join(os.path.dirname(ROOT), 'shared', 'corpus'),
                        help='the folder holding the corpus archives')
    parser.add_argument('--keep', help='unpack the archives into this folder, once, and keep it')
    parser.add_argument('--report', help='a JSON report of the corpus to read instead of running redline')
    parser.add_argument('--labels', default=os.path.join(HERE, 'triage.jsonl'))
    parser.add_argument('--misses', default=os.path.join(HERE, 'misses.jsonl'))
    parser.add_argument('--report-only', action='store_true', help='report, and exit 0 whatever the result')
    parser.add_argument('--markdown', action='store_true',
                        help='print the summary and tables in Markdown, for a closing note, without the lists')
    args = parser.parse_args()

    labels = load_labels(args.labels)
    misses = load_misses(args.misses)
    temporary = None
    corpus = args.corpus
    if corpus is None:
        if not os.path.isdir(args.archives):
            fail(f'no corpus archives in {args.archives} (pass --archives or --corpus)')
        if args.keep:
            corpus = args.keep
            if not os.path.isdir(corpus) or not os.listdir(corpus):
                os.makedirs(corpus, exist_ok=True)
                unpack(args.archives, corpus)
        else:
            corpus = temporary = tempfile.mkdtemp(prefix='redline-real-')
            unpack(args.archives, corpus)
    try:
        if args.report:
            with open(args.report, encoding='utf-8') as handle:
                report, wall = json.load(handle), None
        else:
            report, wall = run_redline(os.path.abspath(args.redline), corpus)
        files = count_files(corpus)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)

    res = evaluate(report, labels, misses)
    print(render_report(res, report, files, wall, args.markdown), end='')
    failed = res['back'] or res['tp_gone'] or res['misses_open'] or res['unreviewed']
    if failed and not args.report_only:
        sys.exit(1)


if __name__ == '__main__':
    main()
