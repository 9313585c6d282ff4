#!/usr/bin/env python3
"""Run the whole benchmark: redline check across corpus sizes, the parse-only floor, single large
files, start-up, the language server, `redline diff` when there is one, and peers side by side.

Usage: run.py [--work DIR] [--sizes 1,100,1000,5000,20000] [--runs N] [--no-build]
              [--peers checkov,cfn-lint,zizmor,semgrep] [--peer-files N] [--no-lsp] [--quick]
              [--real-corpus DIR] [--baseline REV] [--only-real]

The real Terraform corpus: the `.tf`, `.tf.json` and tfvars files of the shared corpus archives
(`../shared/corpus/*.tar.gz` beside the repository, or --real-corpus), unpacked at run time into
the work folder. With --baseline REV, the same files are also checked by the release build of
that revision (built once, in a git worktree under the work folder), and the report gives the
ratio of CPU time and peak RSS: what the analysis of the current tree costs beyond REV's.

Everything is generated from fixed seeds, so two runs measure the same bytes. A real checkout
can be added with REDLINE_BENCH_CORPUS=/path/to/checkout (see fetch-corpus). Peers are
installed from PyPI into virtual environments under the work folder the first time; a peer
that cannot be installed is reported as missing, and `--peers ''` skips them all.

Prints a Markdown report and writes it, with the raw figures as JSON, to the work folder
(results.md, results.json). Not part of the test suite: nothing here passes or fails.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_corpus  # noqa: E402
import lsp_bench  # noqa: E402

TODAY = {'REDLINE_TODAY': '2026-06-01'}

# PyPI package and how to run it on a folder of the kind it knows; `{dir}` is the folder.
PEERS = {
    'checkov': {
        'package': 'checkov',
        'command': ['checkov', '--quiet', '--compact', '--skip-download', '--framework', 'terraform',
                    '-o', 'json', '-d', '{dir}'],
        'input': 'terraform',
    },
    'cfn-lint': {
        'package': 'cfn-lint',
        'command': ['cfn-lint', '--format', 'json', '{dir}/**/*.yaml'],
        'input': 'cloudformation',
    },
    'zizmor': {
        'package': 'zizmor',
        'command': ['zizmor', '--offline', '--format', 'json', '{dir}'],
        'input': 'workflows',
    },
    'semgrep': {
        'package': 'semgrep',
        'command': ['semgrep', 'scan', '--metrics', 'off', '--disable-version-check', '--quiet', '--json',
                    '--config', os.path.join(HERE, 'semgrep-rules.yml'), '{dir}'],
        'input': 'terraform',
    },
}


def run_measured(command, cwd=None, env=None, ok=(0, 1)):
    """Runs `command`; returns wall seconds, CPU seconds (user + system, children included),
    peak RSS in MB and standard output."""
    # Linux carries the peak RSS of a process over `exec`, so a child forked from this Python
    # process would start with Python's. GNU time is small: the peak it reports is the tool's.
    with tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile('r') as usage:
        start = time.perf_counter()
        process = subprocess.Popen(['/usr/bin/time', '-f', '%U %S %M', '-o', usage.name] + command, cwd=cwd,
                                   stdout=subprocess.PIPE, stderr=stderr,
                                   env={**os.environ, **TODAY, **(env or {})})
        output = process.stdout.read()
        code = process.wait()
        wall = time.perf_counter() - start
        stderr.seek(0)
        errors = stderr.read()
        fields = usage.read().split()[-3:]
    if ok is not None and code not in ok:
        raise RuntimeError(f'{command[0]} exited with {code}: {errors.decode(errors="replace")[-500:]}')
    user, system, peak_kb = float(fields[0]), float(fields[1]), int(fields[2])
    return wall, user + system, peak_kb / 1024, output


def repeat(command, runs, **kwargs):
    """The median wall and CPU time over `runs` fresh processes, the largest peak RSS, and the
    output of the last run."""
    walls, cpus, peaks = [], [], []
    output = b''
    for _ in range(runs):
        wall, cpu, peak, output = run_measured(command, **kwargs)
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
    return {'wall_s': statistics.median(walls), 'wall_min_s': min(walls), 'cpu_s': statistics.median(cpus),
            'rss_mb': max(peaks), 'runs': runs}, output


def tree_size(root):
    if os.path.isfile(root):
        return 1, os.path.getsize(root)
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, 'rb') as handle:  # also warms the page cache
                size += len(handle.read())
            files += 1
    return files, size


def check(binary, target, runs):
    # A plan is over `check`'s default `max_file_size`: it is measured with `redline plan`.
    command = 'plan' if target.endswith('plan.json') else 'check'
    result, output = repeat([binary, command, '--format', 'json', '--fail-on', 'never', target], runs)
    summary = json.loads(output)['summary']
    result.update(files_analysed=summary['files'], findings=summary['findings'])
    return result


def parse_only(binary, target, runs):
    result, output = repeat([binary, target], runs)
    result['files_parsed'] = json.loads(output)['files']
    return result


def measure_input(name, target, args, binaries):
    files, size = tree_size(target)
    row = {'input': name, 'files': files, 'bytes': size}
    row['check'] = check(binaries['redline'], target, args.runs)
    if target.endswith('plan.json'):
        # Plans are read without tree-sitter; `parse_only` would skip the file as too large.
        row['parse_only'] = {'wall_s': float('nan'), 'cpu_s': float('nan'), 'files_parsed': 1}
    else:
        row['parse_only'] = parse_only(binaries['parse_only'], target, args.runs)
    wall = row['check']['wall_s']
    row['files_per_s'] = row['check']['files_analysed'] / wall
    row['mb_per_s'] = size / 1e6 / wall
    row['overhead'] = wall / row['parse_only']['wall_s']
    row['cpu_overhead'] = row['check']['cpu_s'] / max(row['parse_only']['cpu_s'], 1e-2)
    print(f"  {name}: {files} files, {size / 1e6:.1f} MB: check {wall:.3f} s (cpu {row['check']['cpu_s']:.2f} s), "
          f"{row['check']['rss_mb']:.1f} MB RSS, parse-only {row['parse_only']['wall_s']:.3f} s", flush=True)
    return row


TERRAFORM_SUFFIXES = ('.tf', '.tf.json', '.tfvars', '.tfvars.json')


def real_terraform(args):
    """The Terraform files of the real corpus, copied once into their own tree (folders kept, so
    modules stay modules); None when no archive is found."""
    folder = os.path.join(args.work, 'real-terraform')
    if os.path.isdir(folder):
        return folder
    source = args.real_corpus
    if not source:
        archives = os.path.join(os.path.dirname(ROOT), 'shared', 'corpus')
        if not os.path.isdir(archives):
            return None
        source = os.path.join(args.work, 'real-unpacked')
        if not os.path.isdir(source):
            os.makedirs(source)
            for name in sorted(os.listdir(archives)):
                if name.endswith('.tar.gz'):
                    subprocess.run(['tar', 'xzf', os.path.join(archives, name), '-C', source], check=True)
    for base, _, names in os.walk(source):
        for name in names:
            if name.endswith(TERRAFORM_SUFFIXES):
                relative = os.path.relpath(os.path.join(base, name), source)
                os.makedirs(os.path.join(folder, os.path.dirname(relative)), exist_ok=True)
                shutil.copy(os.path.join(base, name), os.path.join(folder, relative))
    return folder


def baseline_binary(args):
    """The release binary of `args.baseline`, built once in its own worktree and target."""
    revision = subprocess.run(['git', 'rev-parse', '--short', args.baseline], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    tree = os.path.join(args.work, f'baseline-{revision}')
    target = os.path.join(args.work, 'baseline-target')
    binary = os.path.join(target, revision, 'release', 'redline')
    if not os.path.exists(binary):
        if not os.path.isdir(tree):
            subprocess.run(['git', 'worktree', 'add', '--detach', tree, revision], cwd=ROOT, check=True)
        subprocess.run(['cargo', 'build', '--release', '--locked', '-p', 'redline-cli'], cwd=tree, check=True,
                       env={**os.environ, 'CARGO_TARGET_DIR': os.path.join(target, revision)})
    return revision, binary


def measure_real(args, binaries):
    folder = real_terraform(args)
    if folder is None:
        print('  real Terraform corpus: no archive found, skipped', flush=True)
        return None
    files, size = tree_size(folder)
    row = {'files': files, 'bytes': size, 'check': check(binaries['redline'], folder, args.runs)}
    if args.baseline:
        revision, binary = baseline_binary(args)
        tree_size(folder)
        row['baseline'] = check(binary, folder, args.runs)
        row['baseline_revision'] = revision
        row['cpu_ratio'] = row['check']['cpu_s'] / row['baseline']['cpu_s']
        row['wall_ratio'] = row['check']['wall_s'] / row['baseline']['wall_s']
        row['rss_ratio'] = row['check']['rss_mb'] / row['baseline']['rss_mb']
    print(f"  real Terraform corpus: {files} files, {size / 1e6:.1f} MB: check {row['check']['wall_s']:.3f} s "
          f"(cpu {row['check']['cpu_s']:.2f} s), {row['check']['rss_mb']:.1f} MB RSS", flush=True)
    return row


def triage(args, binaries):
    """With --triage: precision, labeled mistakes and misses on the triaged real corpus; reported,
    never failed here."""
    if not args.triage:
        return
    corpus = (['--corpus', args.real_corpus] if args.real_corpus
              else ['--keep', os.path.join(args.work, 'real-unpacked')])
    subprocess.run([sys.executable, os.path.join(HERE, 'real', 'check.py'), '--redline', binaries['redline'],
                    '--report-only', '--markdown'] + corpus, check=False)


def generate(args):
    """Writes every generated input under the work folder, once."""
    work = args.work
    inputs = []
    for size in args.sizes:
        folder = os.path.join(work, f'corpus-{size}')
        if not os.path.isdir(folder):
            subprocess.run([sys.executable, os.path.join(HERE, 'gen_corpus.py'), folder, '--files', str(size),
                            '--seed', '1'], check=True, stdout=subprocess.DEVNULL)
        inputs.append((f'mixed corpus, {size} files', folder))
    singles = os.path.join(work, 'singles')
    if not os.path.isdir(singles):
        os.makedirs(singles)
        import random
        text = lsp_bench.terraform_text(random.Random(1), 5000)
        with open(os.path.join(singles, 'main.tf'), 'w') as handle:
            handle.write(text)
        subprocess.run([sys.executable, os.path.join(HERE, 'gen_kubernetes.py'), os.path.join(work, 'k8s'),
                        '--large-mb', '1', '--small', '1'], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(HERE, 'gen_scripts.py'), os.path.join(work, 'scripts'),
                        '--lines', '2000'], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'plan',
                        os.path.join(singles, 'plan.json'), '--mb', '20'], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(singles, 'small.tf'), 'w') as handle:
            handle.write(gen_corpus.terraform_file(random.Random(1), 0))
    large_yaml = os.path.join(work, 'k8s', 'large')
    large_yaml = os.path.join(large_yaml, sorted(os.listdir(large_yaml))[0])
    script = os.path.join(work, 'scripts', 'scripts', 'big.sh')
    workflow_dir = os.path.join(work, 'scripts', '.github', 'workflows')
    inputs += [
        ('5,000-line .tf', os.path.join(singles, 'main.tf')),
        ('1 MB Kubernetes YAML', large_yaml),
        ('2,000-line shell script', script),
        ('2,000-line workflow', os.path.join(workflow_dir, sorted(os.listdir(workflow_dir))[0])),
        ('20 MB Terraform plan (`redline plan`)', os.path.join(singles, 'plan.json')),
    ]
    real = os.environ.get('REDLINE_BENCH_CORPUS')
    if real:
        inputs.append((f'real corpus ({os.path.basename(os.path.normpath(real))})', real))
    return inputs


def peer_inputs(args):
    """Folders of one kind each, for peers that know one kind."""
    work = args.work
    terraform = os.path.join(work, f'peer-terraform-{args.peer_files}')
    if not os.path.isdir(terraform):
        subprocess.run([sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'config', terraform,
                        '--files', str(args.peer_files)], check=True, stdout=subprocess.DEVNULL)
    source = os.path.join(work, 'corpus-5000')
    if not os.path.isdir(source):
        subprocess.run([sys.executable, os.path.join(HERE, 'gen_corpus.py'), source, '--files', '5000',
                        '--seed', '1'], check=True, stdout=subprocess.DEVNULL)
    cloudformation = os.path.join(work, 'peer-cloudformation')
    workflows = os.path.join(work, 'peer-workflows')
    for folder, part in ((cloudformation, 'cfn'), (workflows, os.path.join('.github', 'workflows'))):
        if os.path.isdir(folder):
            continue
        target = os.path.join(folder, '.github', 'workflows') if part.startswith('.github') else folder
        os.makedirs(target)
        for module in sorted(os.listdir(source)):
            found = os.path.join(source, module, part)
            if os.path.isdir(found):
                for name in sorted(os.listdir(found)):
                    shutil.copy(os.path.join(found, name), os.path.join(target, f'{module}-{name}'))
    return {'terraform': terraform, 'cloudformation': cloudformation, 'workflows': workflows}


def install_peer(work, name):
    venv = os.path.join(work, 'peers', name)
    spec = PEERS[name]
    executable = os.path.join(venv, 'bin', spec['command'][0])
    if os.path.exists(executable):
        return executable
    print(f'  installing {spec["package"]} into {venv}', flush=True)
    try:
        subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
        subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q', spec['package']], check=True)
    except subprocess.CalledProcessError as error:
        print(f'  {name}: not installed ({error})', flush=True)
        return None
    return executable if os.path.exists(executable) else None


def version_of(executable):
    try:
        output = subprocess.run([executable, '--version'], capture_output=True, text=True, timeout=120)
        return (output.stdout or output.stderr).strip().splitlines()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return '?'


def measure_peers(args, binaries):
    rows = []
    folders = peer_inputs(args)
    for name in args.peers:
        executable = install_peer(args.work, name)
        if executable is None:
            rows.append({'peer': name, 'missing': True})
            continue
        spec = PEERS[name]
        folder = folders[spec['input']]
        files, size = tree_size(folder)
        command = [executable] + [part.format(dir=folder) for part in spec['command'][1:]]
        shell = any('*' in part for part in command)
        if shell:
            command = ['bash', '-O', 'globstar', '-c', ' '.join(command)]
        try:
            peer, _ = repeat(command, args.peer_runs, ok=None)
        except OSError as error:
            rows.append({'peer': name, 'missing': True, 'error': str(error)})
            continue
        ours = check(binaries['redline'], folder, args.runs)
        row = {'peer': name, 'version': version_of(executable), 'input': spec['input'], 'files': files,
               'bytes': size, 'peer_result': peer, 'redline': ours,
               'time_ratio': peer['wall_s'] / ours['wall_s'], 'cpu_ratio': peer['cpu_s'] / max(ours['cpu_s'], 1e-3),
               'rss_ratio': peer['rss_mb'] / ours['rss_mb']}
        print(f"  {name} on {files} {spec['input']} files: {peer['wall_s']:.2f} s, {peer['rss_mb']:.0f} MB; "
              f"redline {ours['wall_s']:.3f} s, {ours['rss_mb']:.1f} MB", flush=True)
        rows.append(row)
    return rows


def cold_start(binary, work, runs):
    target = os.path.join(work, 'singles', 'small.tf')
    result, _ = repeat([binary, 'check', '--fail-on', 'never', target], runs)
    return result


def measure_diff(binary, args):
    """`redline diff OLD NEW` on two generated Terraform folders, when the binary has it."""
    probe = subprocess.run([binary, 'diff', '--help'], capture_output=True)
    if probe.returncode != 0:
        return None
    old = os.path.join(args.work, 'diff-old')
    new = os.path.join(args.work, 'diff-new')
    for folder, seed in ((old, 1), (new, 2)):
        if not os.path.isdir(folder):
            subprocess.run([sys.executable, os.path.join(HERE, 'gen_terraform.py'), 'config', folder,
                            '--files', '1000', '--seed', str(seed)], check=True, stdout=subprocess.DEVNULL)
    try:
        result, _ = repeat([binary, 'diff', old, new], args.runs, ok=(0, 1))
    except RuntimeError as error:
        return {'error': str(error)}
    return result


def measure_lsp(binary, args):
    """The language server figures of lsp_bench.py, with fewer edits when --quick."""
    command = [sys.executable, os.path.join(HERE, 'lsp_bench.py'), binary, '--seed', '1']
    if args.quick:
        command += ['--edits', '100', '--yaml-edits', '50', '--documents', '200', '--starts', '5']
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    return output.stdout.strip().splitlines()


def build(args):
    if not args.no_build:
        subprocess.run(['cargo', 'build', '--release', '--locked', '-p', 'redline-cli'], cwd=ROOT, check=True)
        subprocess.run(['cargo', 'build', '--release', '--locked', '-p', 'redline-workspace', '--example',
                        'parse_only'], cwd=ROOT, check=True)
    target = os.environ.get('CARGO_TARGET_DIR', os.path.join(ROOT, 'target'))
    return {'redline': os.path.join(target, 'release', 'redline'),
            'parse_only': os.path.join(target, 'release', 'examples', 'parse_only')}


def machine():
    model = '?'
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            model = next(line.split(':', 1)[1].strip() for line in cpuinfo if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    memory = '?'
    try:
        with open('/proc/meminfo') as meminfo:
            memory = f"{int(meminfo.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {'cpu': model, 'cpus': os.cpu_count(), 'memory': memory, 'system': platform.platform(),
            'load_before': os.getloadavg()}


def markdown(report):
    m = report['machine']
    lines = [f"Measured {report['date']} on {m['cpus']} × {m['cpu']}, {m['memory']} RAM, {m['system']}.",
             f"Load average (1, 5, 15 min) {', '.join(f'{x:.1f}' for x in m['load_before'])} before and "
             f"{', '.join(f'{x:.1f}' for x in m['load_after'])} after: the machine was shared with other work, "
             "so wall times are noisy; CPU time (user + system) is what the process itself needed.",
             '', '### `redline check`', '',
             '| Input | Files analysed | MB | Wall (median) | CPU | Files/s | MB/s | Peak RSS | Findings '
             '| Parse-only wall | Overhead (wall, CPU) |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
    for row in report['inputs']:
        c, p = row['check'], row['parse_only']
        lines.append(f"| {row['input']} | {c['files_analysed']:,} | {row['bytes'] / 1e6:.1f} | {c['wall_s']:.3f} s "
                     f"| {c['cpu_s']:.2f} s | {row['files_per_s']:,.0f} | {row['mb_per_s']:.1f} "
                     f"| {c['rss_mb']:.1f} MB | {c['findings']:,} | {p['wall_s']:.3f} s "
                     f"| {row['overhead']:.2f}×, {row['cpu_overhead']:.2f}× |")
    real = report.get('real')
    if real:
        c = real['check']
        lines += ['', '### Real Terraform corpus', '',
                  f"The `.tf`, `.tf.json` and tfvars files of the shared corpus: {real['files']:,} files, "
                  f"{real['bytes'] / 1e6:.1f} MB. `redline check`: {c['wall_s']:.3f} s wall (median of {c['runs']}), "
                  f"{c['cpu_s']:.2f} s CPU, {c['rss_mb']:.1f} MB peak RSS, {c['findings']:,} findings."]
        if 'baseline' in real:
            b = real['baseline']
            lines.append(f"Revision {real['baseline_revision']} on the same files: {b['wall_s']:.3f} s wall, "
                         f"{b['cpu_s']:.2f} s CPU, {b['rss_mb']:.1f} MB, {b['findings']:,} findings. "
                         f"Ratio now / then: CPU {real['cpu_ratio']:.2f}×, wall {real['wall_ratio']:.2f}×, "
                         f"peak RSS {real['rss_ratio']:.2f}×.")
    if 'cold_start' not in report:
        return '\n'.join(lines) + '\n'
    cold = report['cold_start']
    lines += ['', f"Cold start, `redline check` on one 50-line `.tf` file: median {cold['wall_s'] * 1000:.1f} ms, "
              f"fastest {cold['wall_min_s'] * 1000:.1f} ms ({cold['runs']} runs), {cold['rss_mb']:.1f} MB."]
    if report.get('diff'):
        diff = report['diff']
        if 'error' in diff:
            lines += ['', f"`redline diff`: failed: {diff['error']}"]
        else:
            lines += ['', f"`redline diff OLD NEW` on two 1,000-file Terraform folders: {diff['wall_s']:.3f} s, "
                      f"{diff['rss_mb']:.1f} MB."]
    if report['peers']:
        lines += ['', '### Peers on the same files', '',
                  '| Tool | Input | Files | Tool wall | redline wall | Time ratio (wall, CPU) | Tool RSS '
                  '| redline RSS | Memory ratio |', '|---|---|---|---|---|---|---|---|---|']
        for row in report['peers']:
            if row.get('missing'):
                lines.append(f"| {row['peer']} | not installable here | | | | | | | |")
                continue
            p, r = row['peer_result'], row['redline']
            version = row['version'] if row['version'].startswith(row['peer']) else f"{row['peer']} {row['version']}"
            lines.append(f"| {version} | {row['input']} | {row['files']:,} | {p['wall_s']:.2f} s "
                         f"| {r['wall_s']:.3f} s | {row['time_ratio']:.0f}×, {row['cpu_ratio']:.0f}× "
                         f"| {p['rss_mb']:.0f} MB | {r['rss_mb']:.1f} MB | {row['rss_ratio']:.1f}× |")
    if report.get('lsp'):
        lines += ['', '### Language server (`lsp_bench.py`)', '', '```'] + report['lsp'] + ['```']
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work', default='/tmp/redline-bench')
    parser.add_argument('--sizes', default='1,100,1000,5000,20000')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--peer-runs', type=int, default=1)
    parser.add_argument('--peer-files', type=int, default=200, help='Terraform files given to the peers')
    parser.add_argument('--peers', default='checkov,cfn-lint,zizmor,semgrep')
    parser.add_argument('--no-build', action='store_true')
    parser.add_argument('--no-lsp', action='store_true')
    parser.add_argument('--quick', action='store_true', help='fewer sizes, runs and edits')
    parser.add_argument('--real-corpus', help='an unpacked corpus instead of the shared archives')
    parser.add_argument('--baseline', help='a git revision whose release build is measured on the real corpus too')
    parser.add_argument('--only-real', action='store_true', help='measure only the real Terraform corpus')
    parser.add_argument('--triage', action='store_true',
                        help='at the end, check the findings on the shared corpus against bench/real/triage.jsonl')
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(',') if size]
    args.peers = [peer for peer in args.peers.split(',') if peer]
    if args.quick:
        args.sizes = [size for size in args.sizes if size <= 1000]
        args.runs = 1
    os.makedirs(args.work, exist_ok=True)
    binaries = build(args)
    report = {'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), 'machine': machine()}
    print('real Terraform corpus', flush=True)
    report['real'] = measure_real(args, binaries)
    if args.only_real:
        report['inputs'] = []
        report['peers'] = []
        report['machine']['load_after'] = os.getloadavg()
        print()
        print(markdown(report))
        triage(args, binaries)
        return
    print('generating inputs', flush=True)
    inputs = generate(args)
    print('redline check', flush=True)
    report['inputs'] = [measure_input(name, target, args, binaries) for name, target in inputs]
    report['cold_start'] = cold_start(binaries['redline'], args.work, 20)
    report['diff'] = measure_diff(binaries['redline'], args)
    print('peers', flush=True)
    report['peers'] = measure_peers(args, binaries)
    if not args.no_lsp:
        print('language server', flush=True)
        report['lsp'] = measure_lsp(binaries['redline'], args)
    report['machine']['load_after'] = os.getloadavg()
    text = markdown(report)
    with open(os.path.join(args.work, 'results.md'), 'w') as handle:
        handle.write(text)
    with open(os.path.join(args.work, 'results.json'), 'w') as handle:
        json.dump(report, handle, indent=2)
    print()
    print(text)
    print(f"written to {os.path.join(args.work, 'results.md')} and results.json")
    triage(args, binaries)


if __name__ == '__main__':
    main()
