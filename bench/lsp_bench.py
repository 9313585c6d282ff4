#!/usr/bin/env python3
"""Measure `redline lsp`: start-up, keystroke-to-diagnostics latency, and memory.

Usage: lsp_bench.py REDLINE_BINARY [--seed S] [--edits N] [--yaml-edits N] [--documents N]

Everything is generated from the seed, so runs are comparable. The server runs with
`debounceMs = 0`, so each latency is the time from sending one `didChange` to receiving the
`publishDiagnostics` of that version: the analysis after the debounce plus the protocol round
trip, an upper bound on the analysis time the targets are about.

Targets: p99 <= 10 ms on a 5,000-line Terraform file, p99 <= 50 ms on a 1 MB YAML
file, start to `initialize` result <= 50 ms, RSS <= 200 MB with 1,000 open documents (~5 MB).
"""

import argparse
import json
import os
import random
import string
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus  # noqa: E402


class Server:
    """A `redline lsp` process and a blocking JSON-RPC client for it."""

    def __init__(self, binary):
        self.started = time.perf_counter()
        self.process = subprocess.Popen([binary, 'lsp'], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env={**os.environ, 'REDLINE_TODAY': '2026-06-01'})
        self.next_id = 1

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b'Content-Length: %d\r\n\r\n' % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError('the server closed its output')
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b'content-length:'):
                length = int(line.split(b':')[1])
        message = json.loads(self.process.stdout.read(length))
        if 'id' in message and 'method' in message:
            self.send({'jsonrpc': '2.0', 'id': message['id'], 'result': None})
        return message

    def request(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.send({'jsonrpc': '2.0', 'id': request_id, 'method': method, 'params': params})
        while True:
            message = self.receive()
            if message.get('id') == request_id and 'method' not in message:
                return message

    def notify(self, method, params):
        self.send({'jsonrpc': '2.0', 'method': method, 'params': params})

    def initialize(self):
        result = self.request('initialize', {
            'processId': os.getpid(), 'rootUri': None, 'capabilities': {},
            'initializationOptions': {'debounceMs': 0, 'scanWorkspace': False}})
        self.notify('initialized', {})
        return result

    def wait_diagnostics(self, uri, version):
        while True:
            message = self.receive()
            if (message.get('method') == 'textDocument/publishDiagnostics'
                    and message['params']['uri'] == uri and message['params'].get('version') == version):
                return message['params']['diagnostics']

    def rss_kib(self):
        with open(f'/proc/{self.process.pid}/status') as status:
            fields = dict(line.split(':', 1) for line in status)
        return int(fields['VmRSS'].split()[0]), int(fields['VmHWM'].split()[0])

    def stop(self):
        self.request('shutdown', None)
        self.notify('exit', None)
        self.process.wait(timeout=10)
        return self.process.returncode


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def describe(name, latencies_ms, target_ms):
    p50 = percentile(latencies_ms, 0.50)
    p99 = percentile(latencies_ms, 0.99)
    verdict = 'meets' if p99 <= target_ms else 'MISSES'
    print(f'{name}: n={len(latencies_ms)} p50={p50:.2f} ms p99={p99:.2f} ms max={max(latencies_ms):.2f} ms '
          f'({verdict} the p99 <= {target_ms} ms target)')


def edit_latencies(binary, uri, text, language, n_edits, rng, in_strings=False):
    """Opens `text` and times `n_edits` random one-character insertions or deletions.

    With `in_strings`, every edit inserts a letter just inside the first string literal of a
    random line instead, which keeps the file valid, as most keystrokes do."""
    server = Server(binary)
    server.initialize()
    lines = text.split('\n')
    server.notify('textDocument/didOpen', {'textDocument': {'uri': uri, 'languageId': language, 'version': 1, 'text': text}})
    n_findings = len(server.wait_diagnostics(uri, 1))
    latencies = []
    quoted = [index for index, line in enumerate(lines) if '"' in line]
    for version in range(2, n_edits + 2):
        line = rng.randrange(len(lines))
        column = rng.randint(0, len(lines[line]))
        if in_strings:
            line = rng.choice(quoted)
            column = lines[line].index('"') + 1
        if not in_strings and lines[line] and column < len(lines[line]) and rng.random() < 0.5:
            change = {'range': {'start': {'line': line, 'character': column},
                                'end': {'line': line, 'character': column + 1}}, 'text': ''}
            lines[line] = lines[line][:column] + lines[line][column + 1:]
        else:
            letter = rng.choice(string.ascii_lowercase)
            change = {'range': {'start': {'line': line, 'character': column},
                                'end': {'line': line, 'character': column}}, 'text': letter}
            lines[line] = lines[line][:column] + letter + lines[line][column:]
        sent = time.perf_counter()
        server.notify('textDocument/didChange', {'textDocument': {'uri': uri, 'version': version},
                                                 'contentChanges': [change]})
        server.wait_diagnostics(uri, version)
        latencies.append((time.perf_counter() - sent) * 1000)
    server.stop()
    return latencies, n_findings


def terraform_text(rng, n_lines):
    parts, count, index = [], 0, 0
    while count < n_lines:
        part = gen_corpus.terraform_file(rng, index)
        parts.append(part)
        count += part.count('\n') + 1
        index += 1
    return '\n'.join(parts)


def yaml_text(rng, n_bytes):
    docs, size, index = [], 0, 0
    while size < n_bytes:
        doc = gen_corpus.kubernetes(rng, index)
        docs.append(doc)
        size += len(doc) + 4
        index += 1
    return '---\n'.join(docs)


def mixed_document(rng, index, target_bytes=5000):
    kind = index % 4
    if kind == 0:
        return 'tf', 'terraform', terraform_text(rng, target_bytes // 28)
    if kind == 1:
        return 'yaml', 'yaml', yaml_text(rng, target_bytes)
    if kind == 2:
        statements = []
        while len(json.dumps(statements)) < target_bytes:
            statements.extend(json.loads(gen_corpus.iam_policy(rng))['Statement'])
        return 'json', 'json', json.dumps({'Version': '2012-10-17', 'Statement': statements}, indent=2)
    lines = ['#!/usr/bin/env bash', 'set -euo pipefail']
    while sum(len(line) + 1 for line in lines) < target_bytes:
        lines.append(f'kubectl get pods -n ns{len(lines)} && echo "step {len(lines)}"')
    return 'sh', 'shellscript', '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('binary')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--edits', type=int, default=500)
    parser.add_argument('--yaml-edits', type=int, default=200)
    parser.add_argument('--documents', type=int, default=1000)
    parser.add_argument('--starts', type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    starts = []
    for _ in range(args.starts):
        server = Server(args.binary)
        server.initialize()
        starts.append((time.perf_counter() - server.started) * 1000)
        server.stop()
    print(f'start to initialize result: n={len(starts)} p50={percentile(starts, 0.5):.2f} ms '
          f'max={max(starts):.2f} ms (target <= 50 ms)')

    text = terraform_text(rng, 5000)
    latencies, n_findings = edit_latencies(args.binary, 'file:///bench/main.tf', text, 'terraform', args.edits, rng)
    print(f'terraform file: {text.count(chr(10)) + 1} lines, {len(text)} bytes, {n_findings} findings')
    describe('keystroke to publishDiagnostics, 5,000-line .tf', latencies, 10)
    latencies, _ = edit_latencies(args.binary, 'file:///bench/main.tf', text, 'terraform', args.edits, rng,
                                  in_strings=True)
    describe('keystroke to publishDiagnostics, 5,000-line .tf, typing inside strings', latencies, 10)

    text = yaml_text(rng, 1024 * 1024)
    latencies, n_findings = edit_latencies(args.binary, 'file:///bench/manifests.yaml', text, 'yaml', args.yaml_edits, rng)
    print(f'yaml file: {text.count(chr(10)) + 1} lines, {len(text)} bytes, {n_findings} findings')
    describe('keystroke to publishDiagnostics, 1 MB YAML', latencies, 50)

    server = Server(args.binary)
    server.initialize()
    total = 0
    uris = []
    for index in range(args.documents):
        extension, language, text = mixed_document(rng, index)
        uri = f'file:///bench/doc{index}.{extension}'
        total += len(text)
        uris.append(uri)
        server.notify('textDocument/didOpen', {'textDocument': {'uri': uri, 'languageId': language, 'version': 1, 'text': text}})
    pending = set(uris)
    while pending:
        message = server.receive()
        if message.get('method') == 'textDocument/publishDiagnostics':
            pending.discard(message['params']['uri'])
    rss, peak = server.rss_kib()
    print(f'{args.documents} open documents, {total / 1e6:.1f} MB: RSS {rss / 1024:.1f} MB, '
          f'peak {peak / 1024:.1f} MB (target <= 200 MB)')
    print(f'exit code after shutdown/exit: {server.stop()}')


if __name__ == '__main__':
    main()
