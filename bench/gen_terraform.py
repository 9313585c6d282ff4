#!/usr/bin/env python3
"""Generate Terraform benchmark inputs: a large plan and many configuration files.

Usage:
  gen_terraform.py plan OUT.json [--mb 20] [--seed S] [--pretty] [--references]
  gen_terraform.py config OUT_DIR [--files 1000] [--seed S]
  gen_terraform.py module OUT_DIR [--resources 2000] [--seed S] [--edit vpc|kms|none]

The plan imitates `terraform show -json` of a large monorepo: modules with `count` and
`for_each` instances, realistic `before`/`after` objects, every `actions` combination and
`action_reason`, written on one line as Terraform does (or indented with --pretty). With
--references the plan's `configuration` section lists every resource with its `expressions`
and their `references`, as Terraform writes them, and the plan also holds 40 wired units
(a VPC with its subnets, security groups, NAT gateways, database subnet group and databases,
a KMS key encrypting volumes, databases and logs, a launch template behind an autoscaling
group and instances), in the root module and in module calls; in 7 of them a VPC, a key, a
launch template or a subnet is replaced and the objects that read it are replaced too, so that
RL-TFP-002 has cascades to name. The
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


def plan(rng, target_bytes, destructive=1, references=False):
    weights = [weight * (destructive if 'delete' in actions else 1) for actions, _, weight in ACTIONS]
    changes = []
    size = 0
    n = 0
    configuration = {'root_module': {}}
    # The changes of each wired unit, spread evenly over the random ones: Terraform sorts
    # changes by address, so a real plan has them anywhere on its (one) line.
    wired = []
    # By module, the last address of each type: what later resources reference.
    scopes = {}
    if references:
        wired, configuration = wired_units(40)
        size = sum(len(json.dumps(entry)) + 1 for unit in wired for entry in unit) + len(json.dumps(configuration))
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
        if references:
            resource = configured_resource(kind, f'r{n}', mode, repetition, n, scopes.setdefault(module, {}))
            size += len(json.dumps(resource)) + 1
            module_config(configuration, module)['resources'].append(resource)
        n += 1
    for unit, unit_changes in reversed(list(enumerate(wired))):
        at = (2 * unit + 1) * len(changes) // (2 * len(wired))
        changes[at:at] = unit_changes
    return {'format_version': '1.2', 'terraform_version': '1.9.5', 'planned_values': {'root_module': {}},
            'resource_changes': changes, 'configuration': configuration,
            'timestamp': '2026-11-20T10:00:00Z', 'applyable': True, 'complete': True, 'errored': False}


def module_config(configuration, module):
    """The configuration of `module` (None for the root module, `module.svc3`,
    `module.region["eu-west-1"]`): one for all instances of a call, created on first use."""
    res = configuration['root_module']
    if module:
        name = module[len('module.'):].split('[')[0]
        calls = res.setdefault('module_calls', {})
        if name not in calls:
            call = {'source': f'./modules/{name.rstrip("0123456789")}',
                    'expressions': {'prefix': {'references': ['var.prefix']}}}
            if '[' in module:
                call['for_each_expression'] = {'references': ['var.regions']}
            call['module'] = {}
            calls[name] = call
        res = calls[name]['module']
    res.setdefault('resources', [])
    return res


def const(value):
    return {'constant_value': value}


def refs(address, *attributes):
    """`references` of `address.attribute` as Terraform writes them: each attribute read, then
    the object (and, for an instance, the resource)."""
    res = [f'{address}.{attribute}' for attribute in attributes] + [address]
    if address.endswith(']'):
        res.append(address[:address.index('[')])
    return {'references': res}


def configured_resource(kind, name, mode, repetition, n, scope):
    """The `configuration` entry of a random resource of `plan`: constants, and references to
    variables, locals and the resources declared before it in the same module (`scope`, the
    last address of each type)."""
    def read(other_kind, attribute):
        other = scope.get(other_kind)
        return refs(other, attribute) if other else {'references': [f'var.{attribute}']}
    expressions = {}
    if kind == 'aws_db_instance':
        expressions.update(identifier={'references': ['var.prefix']}, engine=const('postgres'),
                           engine_version=const('16.3'), instance_class={'references': ['var.instance_class']},
                           deletion_protection=const(True), backup_retention_period=const(7),
                           vpc_security_group_ids=read('aws_security_group', 'id'))
    else:
        expressions['name'] = {'references': ['var.prefix', 'local.name']}
        if kind == 'aws_s3_bucket':
            expressions['force_destroy'] = const(False)
        elif kind == 'aws_iam_role':
            expressions['assume_role_policy'] = refs('data.aws_iam_policy_document.assume', 'json')
        elif kind == 'aws_lambda_function':
            expressions.update(role=read('aws_iam_role', 'arn'), handler=const('index.handler'),
                               runtime=const('nodejs20.x'),
                               environment=[{'variables': {'references': ['var.environment']}}])
        elif kind == 'aws_instance':
            expressions.update(subnet_id={'references': ['var.subnet_id']},
                               vpc_security_group_ids=read('aws_security_group', 'id'))
        elif kind == 'aws_security_group':
            expressions.update(vpc_id={'references': ['var.vpc_id']},
                               ingress=[{'from_port': const(443), 'to_port': const(443), 'protocol': const('tcp'),
                                         'cidr_blocks': const(['10.0.0.0/8'])}])
        elif kind == 'aws_sqs_queue':
            expressions['visibility_timeout_seconds'] = const(60)
        elif kind == 'aws_cloudwatch_log_group':
            expressions['retention_in_days'] = const(30)
        elif kind == 'aws_route53_record':
            expressions.update(zone_id={'references': ['var.zone_id']}, type=const('A'),
                               records=read('aws_instance', 'private_ip'))
    expressions['tags'] = {'references': ['local.tags']}
    res = {'address': f'{kind}.{name}', 'mode': mode, 'type': kind, 'name': name,
           'provider_config_key': 'aws', 'expressions': expressions, 'schema_version': 0}
    if repetition == 1:
        res['count_expression'] = const(n % 7 + 1)
    elif repetition == 2:
        res['for_each_expression'] = {'references': ['var.services']}
    scope[kind] = f'{kind}.{name}'
    return res


def unit_resources(unit, s):
    """The resources of wired unit `unit`, names ending in `s`: (type, name, instance keys or
    None, expressions)."""
    vpc, kms, subnet, sg = f'aws_vpc.net_{s}', f'aws_kms_key.main_{s}', f'aws_subnet.net_{s}', f'aws_security_group.net_{s}'
    dbsg, db, lt = f'aws_db_subnet_group.net_{s}', f'aws_db_instance.net_{s}', f'aws_launch_template.net_{s}'
    return [
        ('aws_vpc', f'net_{s}', None, {'cidr_block': const(f'10.{unit}.0.0/16'), 'enable_dns_hostnames': const(True),
                                       'tags': {'references': ['local.tags']}}),
        ('aws_kms_key', f'main_{s}', None, {'description': const(f'unit {unit}'),
                                            'customer_master_key_spec': const('SYMMETRIC_DEFAULT'),
                                            'deletion_window_in_days': const(30), 'enable_key_rotation': const(True)}),
        ('aws_subnet', f'net_{s}', list(range(6)), {
            'vpc_id': refs(vpc, 'id'), 'cidr_block': {'references': [f'{vpc}.cidr_block', vpc, 'count.index']},
            'availability_zone': {'references': ['data.aws_availability_zones.all.names',
                                                 'data.aws_availability_zones.all', 'count.index']}}),
        ('aws_security_group', f'net_{s}', ['app', 'db', 'lb'], {
            'name': {'references': ['var.prefix', 'each.key']}, 'vpc_id': refs(vpc, 'id'),
            'ingress': [{'from_port': const(443), 'to_port': const(443), 'protocol': const('tcp'),
                         'cidr_blocks': refs(vpc, 'cidr_block')}]}),
        ('aws_eip', f'net_{s}', list(range(3)), {'domain': const('vpc')}),
        ('aws_nat_gateway', f'net_{s}', list(range(3)), {
            'subnet_id': {'references': [subnet, 'count.index']},
            'allocation_id': {'references': [f'aws_eip.net_{s}', 'count.index']}}),
        ('aws_db_subnet_group', f'net_{s}', None, {'name': {'references': ['var.prefix']},
                                                   'subnet_ids': {'references': [subnet]}}),
        ('aws_db_instance', f'net_{s}', ['primary', 'replica'], {
            'identifier': {'references': ['var.prefix', 'each.key']}, 'engine': const('postgres'),
            'instance_class': {'references': ['var.instance_class']}, 'storage_encrypted': const(True),
            'kms_key_id': refs(kms, 'arn'), 'db_subnet_group_name': refs(dbsg, 'name'),
            'vpc_security_group_ids': refs(f'{sg}["db"]', 'id'), 'deletion_protection': const(True)}),
        ('aws_ebs_volume', f'net_{s}', list(range(3)), {
            'availability_zone': refs(f'{subnet}[0]', 'availability_zone'), 'size': const(100),
            'encrypted': const(True), 'kms_key_id': refs(kms, 'arn')}),
        ('aws_launch_template', f'net_{s}', None, {
            'name': {'references': ['var.prefix']}, 'image_id': refs('data.aws_ami.base', 'id'),
            'instance_type': const('t3.micro'), 'vpc_security_group_ids': refs(f'{sg}["app"]', 'id'),
            'block_device_mappings': [{'device_name': const('/dev/xvda'),
                                       'ebs': [{'encrypted': const(True), 'kms_key_id': refs(kms, 'arn')}]}]}),
        ('aws_autoscaling_group', f'net_{s}', None, {
            'name': {'references': ['var.prefix', f'{lt}.latest_version', lt]}, 'min_size': const(1),
            'max_size': const(3), 'vpc_zone_identifier': {'references': [subnet]},
            'launch_template': [{'id': refs(lt, 'id'), 'version': const('$Latest')}]}),
        ('aws_instance', f'net_{s}', list(range(2)), {
            'subnet_id': {'references': [subnet, 'count.index']},
            'launch_template': [{'id': refs(lt, 'id')}]}),
        ('aws_route53_record', f'db_{s}', None, {
            'zone_id': {'references': ['var.zone_id']}, 'name': const(f'db.unit{unit}'), 'type': const('CNAME'),
            'ttl': const(60), 'records': refs(f'{db}["primary"]', 'address')}),
        ('aws_cloudwatch_log_group', f'net_{s}', None, {
            'name': const(f'/unit/{unit}'), 'retention_in_days': const(30), 'kms_key_id': refs(kms, 'arn')}),
    ]


REPLACE = (['delete', 'create'], 'replace_because_cannot_update')
CREATE_FIRST = (['create', 'delete'], 'replace_because_cannot_update')
UPDATE = (['update'], None)
# What a change of the VPC, the key or the launch template of a unit does to each type:
# (actions, action_reason, replace_paths), `replace_paths` as the provider forces them.
VPC = {'aws_vpc': (*REPLACE, [['cidr_block']]), 'aws_subnet': (*REPLACE, [['vpc_id'], ['cidr_block']]),
       'aws_security_group': (*REPLACE, [['vpc_id']]), 'aws_db_subnet_group': (*REPLACE, [['subnet_ids']]),
       'aws_db_instance': (*REPLACE, [['db_subnet_group_name']]), 'aws_nat_gateway': (*REPLACE, [['subnet_id']]),
       'aws_instance': (*REPLACE, [['subnet_id']]), 'aws_launch_template': (*UPDATE, None),
       'aws_autoscaling_group': (*UPDATE, None), 'aws_route53_record': (*UPDATE, None)}
KMS = {'aws_kms_key': (*REPLACE, [['customer_master_key_spec']]), 'aws_ebs_volume': (*REPLACE, [['kms_key_id']]),
       'aws_db_instance': (*REPLACE, [['kms_key_id']]), 'aws_cloudwatch_log_group': (*UPDATE, None),
       'aws_launch_template': (*UPDATE, None)}
TEMPLATE = {'aws_launch_template': (*CREATE_FIRST, [['name']]), 'aws_autoscaling_group': (*CREATE_FIRST, [['name']]),
            'aws_instance': (*REPLACE, [['launch_template', 0, 'id']])}
# The wired units where something is replaced, spread over the plan. 20: the VPC and the key,
# and the databases read both; 27: the key, and the primary database's `engine` changes too (a
# root of its own); 30: the first subnet is tainted, and its NAT gateway goes with it.
HOT = {
    1: KMS, 6: VPC, 13: TEMPLATE, 35: VPC,
    20: {**VPC, **KMS, 'aws_db_instance': (*REPLACE, [['kms_key_id'], ['db_subnet_group_name']])},
    27: {**KMS, 'aws_db_instance["primary"]': (*REPLACE, [['engine'], ['kms_key_id']])},
    30: {'aws_subnet[0]': (['delete', 'create'], 'replace_because_tainted', None),
         'aws_nat_gateway[0]': (*REPLACE, [['subnet_id']])},
}


def unit_scope(unit):
    """The module instance (None for the root module) of wired unit `unit`, and its name suffix;
    the two instances of `module.region` share their configuration."""
    if unit in (1, 2):
        return f'module.region["eu-west-{unit}"]', 'main'
    if unit % 2:
        return f'module.stack{unit % 4}', f'u{unit}'
    return None, f'u{unit}'


def wired_units(units):
    """The `resource_changes` of each of `units` wired units, and a `configuration` with
    their resources."""
    res = []
    configuration = {'root_module': {}}
    configured = set()
    for unit in range(units):
        module, suffix = unit_scope(unit)
        hot = HOT.get(unit, {})
        changes = []
        res.append(changes)
        for kind, name, keys, expressions in unit_resources(unit, suffix):
            # The instances of a module call share one configuration.
            configured_as = ((module or '').split('[')[0], kind, name)
            if configured_as not in configured:
                configured.add(configured_as)
                resource = {'address': f'{kind}.{name}', 'mode': 'managed', 'type': kind, 'name': name,
                            'provider_config_key': 'aws', 'expressions': expressions, 'schema_version': 0}
                if isinstance(keys, list):
                    key = 'count_expression' if isinstance(keys[0], int) else 'for_each_expression'
                    resource[key] = const(len(keys)) if isinstance(keys[0], int) else {'references': ['local.names']}
                module_config(configuration, module)['resources'].append(resource)
            for key in keys if keys is not None else [None]:
                index = '' if key is None else f'[{json.dumps(key)}]'
                actions, reason, paths = hot.get(f'{kind}{index}', hot.get(kind, (['no-op'], None, None)))
                address = f'{module + "." if module else ""}{kind}.{name}{index}'
                instance = f'{unit:03d}' if key is None else f'{unit:03d}-{key}'
                before = {'id': f'{kind[4:]}-{instance}', 'arn': f'arn:aws:{kind[4:]}:eu-west-1:123456789012:{name}/{instance}',
                          'tags': {'unit': str(unit), 'env': 'prod'}, 'tags_all': {'unit': str(unit), 'env': 'prod', 'managed-by': 'terraform'}}
                after = dict(before)
                unknown = {}
                if 'delete' in actions:
                    # A forcing attribute set in the configuration changes; one that reads a
                    # replaced object is known only after the apply.
                    for path in paths or []:
                        if 'constant_value' in expressions.get(path[0], {}):
                            after[path[0]] = 'changed'
                        else:
                            unknown[path[0]] = True
                    del after['id'], after['arn']
                    unknown.update(id=True, arn=True)
                elif actions == ['update']:
                    after['tags'] = {'unit': str(unit), 'env': 'prod', 'rev': '2'}
                change = {'actions': actions, 'before': before, 'after': after, 'after_unknown': unknown,
                          'before_sensitive': {}, 'after_sensitive': {}}
                if paths:
                    change['replace_paths'] = paths
                entry = {'address': address}
                if module:
                    entry['module_address'] = module
                entry.update({'mode': 'managed', 'type': kind, 'name': name})
                if key is not None:
                    entry['index'] = key
                entry.update({'provider_name': AWS, 'change': change})
                if reason:
                    entry['action_reason'] = reason
                changes.append(entry)
    return res, configuration


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
    p.add_argument('--references', action='store_true',
                   help='write the configuration with references, and wired units with cascades')
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
        document = plan(rng, int(args.mb * 1e6), args.destructive, args.references)
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
