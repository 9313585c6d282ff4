#!/usr/bin/env python3
"""Generate a deterministic corpus of infrastructure files for benchmarking redline.

Usage: gen_corpus.py OUT_DIR [--files N] [--seed S]

The same seed and file count always produce the same bytes. The mix imitates a monorepo:
Terraform modules, IAM policies, GitHub Actions workflows, GitLab CI, Kubernetes manifests,
CloudFormation templates, shell scripts, Terraform plans, agent configurations, and files
redline skips (Markdown, Python).
"""

import argparse
import json
import os
import random

RESOURCE_TEMPLATES = [
    ('aws_s3_bucket', 'bucket = "{name}-{n}"\n  force_destroy = {flag}\n  tags = {{\n    team = "{team}"\n    env  = var.environment_{file}\n  }}'),
    ('aws_db_instance', 'identifier = "{name}-{n}"\n  engine = "postgres"\n  instance_class = "db.t3.micro"\n  allocated_storage = {size}\n  skip_final_snapshot = {flag}\n  deletion_protection = true'),
    ('aws_dynamodb_table', 'name = "{name}-{n}"\n  billing_mode = "PAY_PER_REQUEST"\n  hash_key = "id"\n  attribute {{\n    name = "id"\n    type = "S"\n  }}'),
    ('aws_iam_role_policy', 'name = "{name}-{n}"\n  role = aws_iam_role.{team}.id\n  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n      Effect = "Allow"\n      Action = ["s3:GetObject", "s3:PutObject"]\n      Resource = "arn:aws:s3:::{name}-{n}/*"\n    }}]\n  }})'),
    ('aws_security_group', 'name = "{name}-{n}"\n  vpc_id = var.vpc_id\n  ingress {{\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }}'),
    ('google_storage_bucket', 'name = "{name}-{n}"\n  location = "EU"\n  force_destroy = {flag}\n  uniform_bucket_level_access = true'),
]

NAMES = ['billing', 'audit', 'orders', 'search', 'media', 'events', 'users', 'reports']
TEAMS = ['core', 'data', 'web', 'platform', 'payments']


def terraform_file(rng, index):
    blocks = ['terraform {\n  required_version = ">= 1.5"\n}\n']
    for n in range(rng.randint(4, 14)):
        kind, body = rng.choice(RESOURCE_TEMPLATES)
        flag = 'true' if rng.random() < 0.08 else 'false'
        text = body.format(name=rng.choice(NAMES), n=index * 100 + n, flag=flag,
                           team=rng.choice(TEAMS), size=rng.choice([20, 50, 100]), file=index)
        # Addresses are unique across the files of a folder, and across the parts joined into
        # one long file: Terraform refuses an address declared twice.
        blocks.append(f'resource "{kind}" "r{index}_{n}" {{\n  {text}\n}}\n')
    blocks.append(f'variable "environment_{index}" {{\n  type    = string\n  default = "dev"\n}}\n')
    return '\n'.join(blocks)


def iam_policy(rng):
    statements = []
    for n in range(rng.randint(1, 6)):
        admin = rng.random() < 0.05
        statements.append({
            'Sid': f'S{n}',
            'Effect': rng.choice(['Allow', 'Allow', 'Deny']),
            'Action': '*' if admin else rng.sample(['s3:GetObject', 's3:PutObject', 'ec2:Describe*',
                                                     'logs:PutLogEvents', 'kms:Decrypt', 'sqs:SendMessage'], 2),
            'Resource': '*' if admin or rng.random() < 0.3 else f'arn:aws:s3:::{rng.choice(NAMES)}/*',
        })
    return json.dumps({'Version': '2012-10-17', 'Statement': statements}, indent=2) + '\n'


def workflow(rng, index):
    permissions = 'write-all' if rng.random() < 0.05 else '\n  contents: read'
    jobs = []
    for n in range(rng.randint(1, 4)):
        steps = '\n'.join(f'      - run: make target-{index}-{n}-{s}' for s in range(rng.randint(2, 6)))
        jobs.append(f'  job{n}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}')
    return f'name: wf{index}\non:\n  push:\n    branches: [main]\npermissions: {permissions}\njobs:\n' + '\n'.join(jobs) + '\n'


def kubernetes(rng, index):
    docs = []
    for n in range(rng.randint(1, 4)):
        docs.append(
            f'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{index}-{n}\n  labels:\n    team: {rng.choice(TEAMS)}\n'
            f'spec:\n  replicas: {rng.randint(1, 5)}\n  selector:\n    matchLabels:\n      app: app-{index}-{n}\n'
            f'  template:\n    metadata:\n      labels:\n        app: app-{index}-{n}\n    spec:\n      containers:\n'
            f'        - name: main\n          image: registry.example.com/app:{rng.randint(1, 99)}\n'
            f'          resources:\n            limits:\n              memory: 256Mi\n')
    return '---\n'.join(docs)


def cloudformation(rng, index):
    resources = []
    for n in range(rng.randint(2, 8)):
        resources.append(
            f'  Bucket{n}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${{AWS::StackName}}-{index}-{n}"\n'
            f'      VersioningConfiguration:\n        Status: Enabled\n')
    return 'AWSTemplateFormatVersion: "2010-09-09"\nDescription: generated\nResources:\n' + ''.join(resources)


def shell(rng, index):
    lines = ['#!/usr/bin/env bash', 'set -euo pipefail', f'DIR="${{BUILD_DIR:-/tmp/build-{index}}}"']
    for n in range(rng.randint(3, 15)):
        lines.append(rng.choice(['echo "step {n}"', 'mkdir -p "$DIR/{n}"', 'cp -r src "$DIR/{n}"',
                                 'terraform plan -out plan.out', 'kubectl get pods -n ns{n}']).format(n=n))
    return '\n'.join(lines) + '\n'


def plan(rng, index):
    changes = []
    for n in range(rng.randint(2, 10)):
        action = rng.choice([['no-op'], ['update'], ['create'], ['delete', 'create']])
        changes.append({'address': f'aws_s3_bucket.b{n}', 'type': 'aws_s3_bucket', 'name': f'b{n}',
                        'change': {'actions': action, 'before': {'bucket': f'b-{index}-{n}'},
                                   'after': {'bucket': f'b-{index}-{n}'}}})
    return json.dumps({'format_version': '1.2', 'terraform_version': '1.9.0',
                       'resource_changes': changes}, indent=1) + '\n'


def gitlab(rng, index):
    return (f'stages: [test, deploy]\ntest:\n  stage: test\n  script:\n    - make test-{index}\n'
            f'deploy:\n  stage: deploy\n  script:\n    - terraform apply plan.out\n  when: manual\n')


def agent_config(rng, index):
    return json.dumps({'permissions': {'allow': ['Bash(npm test:*)', 'Read'], 'deny': ['Bash(rm:*)']}}, indent=2) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out')
    parser.add_argument('--files', type=int, default=5000)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds = [
        (30, 'tf'), (10, 'iam'), (8, 'workflow'), (14, 'k8s'), (8, 'cfn'), (10, 'sh'),
        (3, 'plan'), (2, 'gitlab'), (1, 'agent'), (14, 'skipped'),
    ]
    population = [kind for weight, kind in kinds for _ in range(weight)]
    total_bytes = 0
    for index in range(args.files):
        kind = rng.choice(population)
        module = f'svc{index // 40:04d}'
        if kind == 'tf':
            path, text = f'{module}/terraform/main{index}.tf', terraform_file(rng, index)
        elif kind == 'iam':
            path, text = f'{module}/iam/policy{index}.json', iam_policy(rng)
        elif kind == 'workflow':
            path, text = f'{module}/.github/workflows/wf{index}.yml', workflow(rng, index)
        elif kind == 'k8s':
            path, text = f'{module}/k8s/deploy{index}.yaml', kubernetes(rng, index)
        elif kind == 'cfn':
            path, text = f'{module}/cfn/stack{index}.yaml', cloudformation(rng, index)
        elif kind == 'sh':
            path, text = f'{module}/scripts/run{index}.sh', shell(rng, index)
        elif kind == 'plan':
            path, text = f'{module}/plans/plan{index}.json', plan(rng, index)
        elif kind == 'gitlab':
            path, text = f'{module}/ci{index}/.gitlab-ci.yml', gitlab(rng, index)
        elif kind == 'agent':
            path, text = f'{module}/agent{index}/.claude/settings.json', agent_config(rng, index)
        else:
            path, text = f'{module}/docs/notes{index}.md', f'# Notes {index}\n\nforce_destroy = true\n'
        full = os.path.join(args.out, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w', encoding='utf-8') as handle:
            handle.write(text)
        total_bytes += len(text.encode())
    print(f'{args.files} files, {total_bytes / 1e6:.1f} MB in {args.out}')


if __name__ == '__main__':
    main()
