#!/usr/bin/env python3
"""Generate a 2,000-line shell script and a 2,000-line GitHub Actions workflow.

Usage: gen_scripts.py OUT_DIR [--lines 2000] [--seed 1]
"""

import argparse
import os
import random

COMMANDS = [
    'echo "step {n}"', 'mkdir -p "$OUT/{n}"', 'cp -r src "$OUT/{n}"', 'terraform plan -out=plan{n}',
    'kubectl get pods -n ns{n}', 'aws s3 cp build{n}.zip s3://artifacts/', 'helm template app{n} ./chart',
    'if [ -f x{n} ]; then rm -f x{n}; fi', 'for f in *.log; do gzip "$f"; done', 'docker build -t app:{n} .',
    'sudo -u deploy env A=1 make target{n}', 'bash -c "echo nested {n} && ls"',
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out')
    parser.add_argument('--lines', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, 'scripts'), exist_ok=True)
    os.makedirs(os.path.join(args.out, '.github', 'workflows'), exist_ok=True)
    lines = ['#!/usr/bin/env bash', 'set -euo pipefail']
    while len(lines) < args.lines:
        lines.append(rng.choice(COMMANDS).format(n=len(lines)))
    with open(os.path.join(args.out, 'scripts', 'big.sh'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines) + '\n')
    workflow = ['name: big', 'on: push', 'permissions:', '  contents: read', 'jobs:']
    job = 0
    while len(workflow) < args.lines:
        workflow += [f'  job{job}:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/checkout@v4', '      - run: |']
        for _ in range(20):
            workflow.append('          ' + rng.choice(COMMANDS).format(n=job))
        job += 1
    with open(os.path.join(args.out, '.github', 'workflows', 'big.yml'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(workflow[:args.lines]) + '\n')
    print(f'wrote scripts/big.sh and .github/workflows/big.yml ({args.lines} lines each) in {args.out}')


if __name__ == '__main__':
    main()
