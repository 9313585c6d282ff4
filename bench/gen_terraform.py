#!/usr/bin/env python3
"""Generate Terraform benchmark inputs: a large plan and many configuration files.

Usage:
  gen_terraform.py plan OUT.json [--mb 20] [--seed S] [--pretty]
  gen_terraform.py config OUT_DIR [--files 1000] [--seed S]
  gen_terraform.py module OUT_DIR [--resources 2000] [--seed S] [--edit vpc|kms|none]

The plan imitates `terraform show -json` of a large monorepo: modules with `count` and
`for_each` instances, realistic `before`/`after` objects, every `actions` combination and
`action_reason`, written on one line as Terraform does (or indented with --pretty). The
configuration files imitate typical modules of 100-250 lines with resources, variables,
locals, data sources, lifecycle blocks and provisioners. The module is one root module of
about 2,000 resources over 20 files, wired as real ones are: VPCs with their subnets, security
groups, NAT gateways, database subnet groups and databases, KMS keys encrypting volumes,
databases and queues, launch templates behind instances and autoscaling groups, and the roles,
policies, buckets and log groups around them, referencing each other directly and through
locals. `--edit vpc` changes the first VPC's `cidr_block` and `--edit kms` the first key's
`customer_master_key_spec`, both force-new, so that `redline diff` of the folder before and
after reports a replacement with dependents. Same arguments, same bytes.
"""

import argparse
import json
import os
import random

AWS = 'registry.terraform.io/hashicorp/aws'
# (actions, action_reason, weight): mostly unchanged resources, as in a real plan, and every
# destructive combination and reason a few times. `--destructive` multiplies their weights.
ACTIONS = [
    (['no-op'], None, 800), (['update'], None, 100), (['create'], None, 50),
    (['read'], 'read_because_config_unknown', 20),
    (['delete'], 'delete_because_no_resource_config', 4), (['delete'], 'delete_because_count_index', 2),
    (['delete'], 'delete_because_each_key', 2), (['delete'], 'delete_because_no_module', 2),
    (['delete'], 'delete_because_wrong_repetition', 1), (['delete'], 'delete_because_no_move_target', 1),
    (['delete', 'create'], 'replace_because_cannot_update', 4), (['delete', 'create'], 'replace_because_tainted', 1),
    (['create', 'delete'], 'replace_by_request', 1), (['create', 'delete'], 'replace_by_triggers', 1),
    (['forget'], None, 1), (['create', 'forget'], None, 1),
]
TYPES = ['aws_s3_bucket', 'aws_db_instance', 'aws_iam_role', 'aws_security_group', 'aws_instance',
         'aws_lambda_function', 'aws_sqs_queue', 'aws_cloudwatch_log_group', 'aws_route53_record']


def attributes(rng, kind, n):
    res = {'id': f'{kind}-{n:08d}', 'arn': f'arn:aws:service:eu-west-1:123456789012:{kind}/{n}',
           'tags': {'team': rng.choice(['core', 'data', 'web']), 'env': 'prod', 'service': f'svc{n % 97}'},
           'tags_all': {'team': 'core', 'env': 'prod', 'managed-by': 'terraform'}}
    if kind == 'aws_db_instance':
        res.update({'engine': 'postgres', 'engine_version': '16.3', 'deletion_protection': rng.random() < 0.9,
                    'skip_final_snapshot': False, 'backup_retention_period': 7, 'allocated_storage': 100})
    elif kind == 'aws_s3_bucket':
        res.update({'bucket': f'acme-{n}', 'force_destroy': False, 'versioning': [{'enabled': True, 'mfa_delete': False}]})
    elif kind == 'aws_iam_role':
        res['assume_role_policy'] = json.dumps({'Version': '2012-10-17', 'Statement': [
            {'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]})
    else:
        res['description'] = ' '.join(rng.choice(['alpha', 'beta', 'gamma', 'delta']) for _ in range(12))
    return res


def plan(rng, target_bytes, destructive=1):
    weights = [weight * (destructive if 'delete' in actions else 1) for actions, _, weight in ACTIONS]
    changes = []
    size = 0
    n = 0
    while size < target_bytes:
        kind = rng.choice(TYPES)
        actions, reason, _ = rng.choices(ACTIONS, weights)[0]
        module = f'module.svc{n % 40}' if n % 3 else None
        repetition = n % 4
        index = None
        address = f'{kind}.r{n}'
        if repetition == 1:
            index = n % 7
            address = f'{kind}.r{n}[{index}]'
        elif repetition == 2:
            index = f'k{n % 11}'
            address = f'{kind}.r{n}["{index}"]'
        if module:
            address = f'{module}.{address}'
        mode = 'data' if actions == ['read'] else 'managed'
        before = None if actions in (['create'], ['read']) else attributes(rng, kind, n)
        after = None if actions == ['delete'] else attributes(rng, kind, n)
        if after and actions == ['update']:
            after['tags']['service'] = 'changed'
        change = {'actions': actions, 'before': before, 'after': after,
                  'after_unknown': {'id': True} if actions == ['create'] else {},
                  'before_sensitive': {} if before else False, 'after_sensitive': {} if after else False}
        if reason and reason.startswith('replace_because_cannot'):
            change['replace_paths'] = [['engine'] if kind == 'aws_db_instance' else ['name']]
        entry = {'address': address}
        if module:
            entry['module_address'] = module
        entry.update({'mode': mode, 'type': kind, 'name': f'r{n}'})
        if index is not None:
            entry['index'] = index
        entry.update({'provider_name': AWS, 'change': change})
        if reason:
            entry['action_reason'] = reason
        text = json.dumps(entry)
        size += len(text) + 1
        changes.append(entry)
        n += 1
    return {'format_version': '1.2', 'terraform_version': '1.9.5', 'planned_values': {'root_module': {}},
            'resource_changes': changes, 'configuration': {'root_module': {}},
            'timestamp': '2026-11-20T10:00:00Z', 'applyable': True, 'complete': True, 'errored': False}


RESOURCES = [
    ('aws_s3_bucket', '  bucket        = "${{var.prefix}}-{n}"\n  force_destroy = {flag}\n\n  tags = local.tags\n'),
    ('aws_s3_bucket_public_access_block', '  bucket                  = aws_s3_bucket.r{m}.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n'),
    ('aws_db_instance', '  identifier              = "${{var.prefix}}-db-{n}"\n  engine                  = "postgres"\n  instance_class          = var.instance_class\n  allocated_storage       = 100\n  deletion_protection     = {notflag}\n  skip_final_snapshot     = {flag}\n  backup_retention_period = 7\n  final_snapshot_identifier = "${{var.prefix}}-db-{n}-final"\n\n  lifecycle {{\n    prevent_destroy = true\n    ignore_changes  = [password]\n  }}\n'),
    ('aws_security_group', '  name   = "${{var.prefix}}-sg-{n}"\n  vpc_id = var.vpc_id\n\n  ingress {{\n    description = "https"\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n\n  egress {{\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n'),
    ('aws_kms_key', '  description             = "key {n}"\n  deletion_window_in_days = 30\n  enable_key_rotation     = true\n'),
    ('aws_iam_role', '  name = "${{var.prefix}}-role-{n}"\n  assume_role_policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n      Effect    = "Allow"\n      Principal = {{ Service = "lambda.amazonaws.com" }}\n      Action    = "sts:AssumeRole"\n    }}]\n  }})\n'),
    ('aws_lambda_function', '  function_name = "${{var.prefix}}-fn-{n}"\n  role          = aws_iam_role.r{m}.arn\n  handler       = "index.handler"\n  runtime       = "nodejs20.x"\n  filename      = "${{path.module}}/build/fn.zip"\n\n  environment {{\n    variables = {{\n      STAGE = var.environment\n    }}\n  }}\n'),
    ('null_resource', '  triggers = {{\n    build = filemd5("${{path.module}}/src/main.js")\n  }}\n\n  provisioner "local-exec" {{\n    command = "npm ci && npm run build -- --out ${{path.module}}/build"\n  }}\n'),
    ('aws_cloudwatch_log_group', '  name              = "/aws/lambda/${{var.prefix}}-fn-{n}"\n  retention_in_days = 30\n'),
]


def config_file(rng, index):
    parts = ['terraform {\n  required_version = ">= 1.5"\n\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n',
             'variable "prefix" {\n  type        = string\n  description = "Name prefix"\n}\n',
             'variable "environment" {\n  type    = string\n  default = "dev"\n}\n',
             'locals {\n  tags = {\n    team        = "platform"\n    environment = var.environment\n    module      = "m%d"\n  }\n}\n' % index,
             'data "aws_caller_identity" "current" {}\n']
    for n in range(rng.randint(6, 12)):
        kind, body = rng.choice(RESOURCES)
        flag = 'true' if rng.random() < 0.05 else 'false'
        notflag = 'false' if flag == 'true' else 'true'
        header = f'resource "{kind}" "r{n}" {{\n'
        if rng.random() < 0.2:
            header += '  count = var.enabled ? 1 : 0\n\n'
        parts.append(header + body.format(n=index * 100 + n, m=max(n - 1, 0), flag=flag, notflag=notflag) + '}\n')
    parts.append('output "arn" {\n  value = data.aws_caller_identity.current.arn\n}\n')
    parts.append('moved {\n  from = aws_s3_bucket.old\n  to   = aws_s3_bucket.r0\n}\n')
    return '\n'.join(parts)


def module_files(rng, resources, edit):
    """The files of one root module of about `resources` resources, by name."""
    # One unit is a VPC and a key with what uses them: 37 or 38 resources.
    units = max(1, round(resources / 37.5))
    files = {}
    for unit in range(units):
        cidr = '10.99.0.0/16' if edit == 'vpc' and unit == 0 else f'10.{unit % 250}.0.0/16'
        spec = 'RSA_4096' if edit == 'kms' and unit == 0 else 'SYMMETRIC_DEFAULT'
        parts = [f'locals {{\n  vpc_{unit}_id = aws_vpc.net_{unit}.id\n  key_{unit}_arn = aws_kms_key.main_{unit}.arn\n}}\n',
                 f'resource "aws_vpc" "net_{unit}" {{\n  cidr_block           = "{cidr}"\n  enable_dns_hostnames = true\n'
                 f'  tags = {{\n    Name = "net-{unit}"\n  }}\n}}\n',
                 f'resource "aws_kms_key" "main_{unit}" {{\n  description              = "unit {unit}"\n'
                 f'  customer_master_key_spec = "{spec}"\n  deletion_window_in_days  = 30\n}}\n',
                 f'resource "aws_kms_alias" "main_{unit}" {{\n  name          = "alias/unit-{unit}"\n'
                 f'  target_key_id = aws_kms_key.main_{unit}.key_id\n}}\n']
        for index in range(6):
            vpc = f'aws_vpc.net_{unit}.id' if index % 2 else f'local.vpc_{unit}_id'
            parts.append(f'resource "aws_subnet" "u{unit}_{index}" {{\n  vpc_id            = {vpc}\n'
                         f'  cidr_block        = cidrsubnet(aws_vpc.net_{unit}.cidr_block, 8, {index})\n'
                         f'  availability_zone = "eu-west-1{"abc"[index % 3]}"\n}}\n')
        for index in range(3):
            parts.append(f'resource "aws_nat_gateway" "u{unit}_{index}" {{\n  subnet_id     = aws_subnet.u{unit}_{index}.id\n'
                         f'  allocation_id = aws_eip.u{unit}_{index}.id\n}}\n')
            parts.append(f'resource "aws_eip" "u{unit}_{index}" {{\n  domain = "vpc"\n}}\n')
            parts.append(f'resource "aws_security_group" "u{unit}_{index}" {{\n  name   = "sg-{unit}-{index}"\n'
                         f'  vpc_id = aws_vpc.net_{unit}.id\n\n  ingress {{\n    from_port   = 443\n    to_port     = 443\n'
                         f'    protocol    = "tcp"\n    cidr_blocks = [aws_vpc.net_{unit}.cidr_block]\n  }}\n}}\n')
        subnets = ', '.join(f'aws_subnet.u{unit}_{index}.id' for index in range(6))
        parts.append(f'resource "aws_db_subnet_group" "u{unit}" {{\n  name       = "db-{unit}"\n  subnet_ids = [{subnets}]\n}}\n')
        for index in range(2):
            parts.append(f'resource "aws_db_instance" "u{unit}_{index}" {{\n  identifier             = "db-{unit}-{index}"\n'
                         f'  engine                 = "postgres"\n  instance_class         = "db.t3.micro"\n'
                         f'  allocated_storage      = 20\n  storage_encrypted      = true\n'
                         f'  kms_key_id             = local.key_{unit}_arn\n'
                         f'  db_subnet_group_name   = aws_db_subnet_group.u{unit}.name\n'
                         f'  vpc_security_group_ids = [aws_security_group.u{unit}_0.id]\n  deletion_protection    = true\n}}\n')
        for index in range(3):
            parts.append(f'resource "aws_ebs_volume" "u{unit}_{index}" {{\n  availability_zone = "eu-west-1a"\n  size = 100\n'
                         f'  encrypted         = true\n  kms_key_id        = aws_kms_key.main_{unit}.arn\n}}\n')
        parts.append(f'resource "aws_sqs_queue" "u{unit}" {{\n  name              = "queue-{unit}"\n'
                     f'  kms_master_key_id = aws_kms_key.main_{unit}.id\n}}\n')
        parts.append(f'resource "aws_launch_template" "u{unit}" {{\n  name                   = "lt-{unit}"\n'
                     f'  image_id               = "ami-0123456789abcdef0"\n  instance_type          = "t3.micro"\n'
                     f'  vpc_security_group_ids = [aws_security_group.u{unit}_1.id]\n}}\n')
        parts.append(f'resource "aws_autoscaling_group" "u{unit}" {{\n  name                = "asg-{unit}"\n  min_size = 1\n  max_size = 3\n'
                     f'  vpc_zone_identifier = [aws_subnet.u{unit}_0.id, aws_subnet.u{unit}_1.id]\n\n'
                     f'  launch_template {{\n    id      = aws_launch_template.u{unit}.id\n    version = "$Latest"\n  }}\n}}\n')
        for index in range(2):
            parts.append(f'resource "aws_instance" "u{unit}_{index}" {{\n  subnet_id = aws_subnet.u{unit}_{index + 2}.id\n\n'
                         f'  launch_template {{\n    id = aws_launch_template.u{unit}.id\n  }}\n}}\n')
        parts.append(f'resource "aws_iam_role" "u{unit}" {{\n  name               = "role-{unit}"\n'
                     f'  assume_role_policy = jsonencode({{ Statement = [{{ Action = "sts:AssumeRole", Effect = "Allow", '
                     f'Principal = {{ Service = "ec2.amazonaws.com" }} }}] }})\n}}\n')
        parts.append(f'resource "aws_iam_role_policy" "u{unit}" {{\n  name = "use-key-{unit}"\n  role = aws_iam_role.u{unit}.id\n'
                     f'  policy = jsonencode({{ Statement = [{{ Action = ["kms:Decrypt"], Effect = "Allow", '
                     f'Resource = aws_kms_key.main_{unit}.arn }}] }})\n}}\n')
        parts.append(f'resource "aws_s3_bucket" "u{unit}" {{\n  bucket = "acme-unit-{unit}"\n}}\n')
        parts.append(f'resource "aws_s3_bucket_server_side_encryption_configuration" "u{unit}" {{\n'
                     f'  bucket = aws_s3_bucket.u{unit}.id\n\n  rule {{\n    apply_server_side_encryption_by_default {{\n'
                     f'      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.main_{unit}.arn\n    }}\n  }}\n}}\n')
        for index in range(3):
            parts.append(f'resource "aws_cloudwatch_log_group" "u{unit}_{index}" {{\n  name              = "/unit/{unit}/{index}"\n'
                         f'  retention_in_days = 30\n  kms_key_id        = aws_kms_key.main_{unit}.arn\n}}\n')
        for index in range(rng.randint(1, 2)):
            parts.append(f'resource "aws_route53_record" "u{unit}_{index}" {{\n  zone_id = "Z123"\n  name = "db{index}.unit{unit}"\n'
                         f'  type    = "CNAME"\n  ttl = 60\n  records = [aws_db_instance.u{unit}_0.address]\n}}\n')
        name = f'unit{unit // max(1, units // 20):02d}.tf'
        files[name] = files.get(name, '') + '\n'.join(parts)
    files['versions.tf'] = 'terraform {\n  backend "s3" {}\n}\n\nprovider "aws" {\n  region = "eu-west-1"\n}\n'
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='what', required=True)
    p = sub.add_parser('plan')
    p.add_argument('out')
    p.add_argument('--mb', type=float, default=20)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--pretty', action='store_true')
    p.add_argument('--destructive', type=float, default=1,
                   help='multiply the share of deletions and replacements (default: about 2%%)')
    c = sub.add_parser('config')
    c.add_argument('out')
    c.add_argument('--files', type=int, default=1000)
    c.add_argument('--seed', type=int, default=1)
    m = sub.add_parser('module')
    m.add_argument('out')
    m.add_argument('--resources', type=int, default=2000)
    m.add_argument('--seed', type=int, default=1)
    m.add_argument('--edit', choices=['none', 'vpc', 'kms'], default='none')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.what == 'module':
        os.makedirs(args.out, exist_ok=True)
        files = module_files(rng, args.resources, args.edit)
        for name, text in files.items():
            with open(os.path.join(args.out, name), 'w') as handle:
                handle.write(text)
        n_resources = sum(text.count('\nresource "') + text.startswith('resource "') for text in files.values())
        print(f'{args.out}: {len(files)} files, {n_resources} resources')
        return
    if args.what == 'plan':
        document = plan(rng, int(args.mb * 1e6), args.destructive)
        with open(args.out, 'w') as handle:
            handle.write(json.dumps(document, indent=2 if args.pretty else None) + '\n')
        destroying = sum('delete' in change['change']['actions'] for change in document['resource_changes'])
        print(f'{args.out}: {os.path.getsize(args.out)} bytes, {len(document["resource_changes"])} changes, '
              f'{destroying} deleting or replacing')
        return
    for index in range(args.files):
        folder = os.path.join(args.out, f'module{index // 25:03d}')
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f'main{index % 25:02d}.tf'), 'w') as handle:
            handle.write(config_file(rng, index))
    print(f'{args.out}: {args.files} .tf files')


if __name__ == '__main__':
    main()
