#!/usr/bin/env python3
"""Map the inputs of well-known registry modules to the protective attributes they control.

Usage:
    python3 convert_module_inputs.py CHECKOUTS [OVERRIDES] > module-inputs.tsv

CHECKOUTS is a folder of git checkouts, one per module repository, each named
`<owner>+<repository>` (`terraform-aws-modules+terraform-aws-rds`) and checked out at the
release to pin. The registry address comes from the name (`terraform-<provider>-<name>` is
published as `<owner>/<name>/<provider>`), the version from the tag at HEAD, and the commit from
HEAD. The module at the root of each checkout and each published submodule (`modules/<name>`,
called as `<address>//modules/<name>`) are read; `examples/`, `tests/` and `wrappers/` are not.

For every resource of a module whose type and attribute appear in GUARDS (the tables the rules
read), the attribute's expression is traced back to the module's inputs:

- `var.x`, or a local that is exactly `var.x`: the input feeds the attribute as it is;
- `each.value` in a resource whose `for_each` iterates over `var.x` only: every element of the
  input feeds one resource (shape `each`);
- an input of a module call with a local source (`./modules/db_instance`): the call's argument
  is traced the same way in the caller, so that `deletion_protection` of terraform-aws-rds
  reaches `aws_db_instance.this` of `modules/db_instance`.

Anything else that reads an input (`var.acl == "null" ? null : var.acl`) cannot be told apart
from a value the module computes, and is printed to standard error as unreviewed unless
OVERRIDES (default: module-inputs.overrides.tsv beside this script) decides it: `add` puts the
row in the table as reviewed by hand, `skip` keeps a generated row or a candidate out. Each
override carries a note saying why.

A resource's gates are the inputs its `count` or `for_each` requires to be true
(`count = var.create && var.create_db_instance ? 1 : 0`), each with its default: with one of
them `false`, set so or by default, the resource is not created and the input controls nothing.

The output has a header naming every module read (with its rows), then one line per input and
resource attribute, sorted: source, submodule (`-` for the module itself), version, commit,
input, shape (`value` or `each`), resource type, attribute (nested blocks joined with `.`), rule,
the module's default for the input as HCL (`-` when it has none, `...` when it is not a literal),
the unsafe value (`true`, `false`, `0`, `<=7`, `"a"|"b"`, or `admin-policy` for an AWS-managed
administrator policy ARN), whether leaving the input unset is reported (`flag` when the rule
reports an absent attribute and the default is unsafe, else `-`), the gates as `name=default`
(`-` for none), the
resource's address in the module, and `generated` or `reviewed`.
"""

import os
import re
import subprocess
import sys

# (rule, resource type, attribute, unsafe value, provider default, rule reports it absent)
# Mirrors the rules' tables in src/terraform/ and src/iam/; a test in module_inputs.rs checks
# that every row of the table agrees with them.
GUARDS = []


def guard(rule, types, attribute, unsafe, provider_default=None, report_absent=False):
    for resource_type in types.split():
        GUARDS.append((rule, resource_type, attribute, unsafe, provider_default, report_absent))


guard('RL-TF-008', 'aws_db_instance aws_rds_cluster aws_docdb_cluster aws_neptune_cluster '
      'aws_rds_global_cluster', 'deletion_protection', 'false', 'false', True)
guard('RL-TF-008', 'aws_dynamodb_table', 'deletion_protection_enabled', 'false', 'false', True)
guard('RL-TF-008', 'aws_lb aws_alb', 'enable_deletion_protection', 'false', 'false')
guard('RL-TF-008', 'aws_instance', 'disable_api_termination', 'false', 'false')
guard('RL-TF-008', 'aws_emr_cluster', 'termination_protection', 'false', 'false')
guard('RL-TF-008', 'aws_qldb_ledger', 'deletion_protection', 'false', 'true')
guard('RL-TF-008', 'aws_cognito_user_pool', 'deletion_protection', '"INACTIVE"', '"INACTIVE"')
guard('RL-TF-008', 'google_sql_database_instance google_container_cluster google_bigquery_table '
      'google_alloydb_cluster google_spanner_database google_bigtable_instance '
      'google_bigtable_table google_folder', 'deletion_protection', 'false', 'true')
guard('RL-TF-008', 'google_compute_instance', 'deletion_protection', 'false', 'false')
guard('RL-TF-008', 'google_project', 'deletion_policy', '"DELETE"', '"PREVENT"')
guard('RL-TF-009', 'aws_db_instance aws_rds_cluster aws_docdb_cluster aws_neptune_cluster '
      'aws_redshift_cluster', 'skip_final_snapshot', 'true')
guard('RL-TF-009', 'aws_db_instance', 'delete_automated_backups', 'true')
guard('RL-TF-009', 'aws_fsx_windows_file_system', 'skip_final_backup', 'true')
guard('RL-TF-009', 'aws_ebs_volume', 'final_snapshot', 'false')
guard('RL-TF-010', 'aws_s3_bucket aws_s3_directory_bucket aws_route53_zone aws_backup_vault '
      'aws_iam_user aws_rds_global_cluster google_storage_bucket google_spanner_instance '
      'aws_ecrpublic_repository', 'force_destroy', 'true')
guard('RL-TF-010', 'aws_ecr_repository aws_autoscaling_group', 'force_delete', 'true')
guard('RL-TF-010', 'aws_kinesis_stream', 'enforce_consumer_deletion', 'true')
guard('RL-TF-010', 'google_bigquery_dataset', 'delete_contents_on_destroy', 'true')
guard('RL-TF-011', 'aws_kms_key aws_kms_replica_key', 'deletion_window_in_days', '<=7')
guard('RL-TF-011', 'aws_secretsmanager_secret', 'recovery_window_in_days', '<=0')
guard('RL-TF-011', 'azurerm_key_vault', 'soft_delete_retention_days', '<=7')
guard('RL-TF-011', 'azurerm_key_vault', 'purge_protection_enabled', 'false')
guard('RL-TF-012', 'aws_db_instance', 'backup_retention_period', '0')
guard('RL-TF-012', 'aws_elasticache_cluster aws_elasticache_replication_group '
      'aws_memorydb_cluster', 'snapshot_retention_limit', '0')
guard('RL-TF-012', 'aws_fsx_windows_file_system', 'automatic_backup_retention_days', '0')
guard('RL-TF-012', 'aws_dynamodb_table', 'point_in_time_recovery.enabled', 'false')
guard('RL-TF-012', 'aws_s3_bucket_versioning', 'versioning_configuration.status',
      '"Suspended"|"Disabled"')
guard('RL-TF-102', 'aws_s3_bucket aws_s3_bucket_acl aws_s3_object aws_s3_bucket_object', 'acl',
      '"public-read"|"public-read-write"')
for switch in ('block_public_acls', 'block_public_policy', 'ignore_public_acls',
               'restrict_public_buckets'):
    guard('RL-TF-103', 'aws_s3_bucket_public_access_block aws_s3_account_public_access_block',
          switch, 'false')
guard('RL-IAM-012', 'aws_iam_role_policy_attachment aws_iam_user_policy_attachment '
      'aws_iam_group_policy_attachment aws_iam_policy_attachment', 'policy_arn', 'admin-policy')
guard('RL-IAM-012', 'aws_iam_role_policy_attachments_exclusive '
      'aws_iam_user_policy_attachments_exclusive aws_iam_group_policy_attachments_exclusive',
      'policy_arns', 'admin-policy')
guard('RL-IAM-012', 'aws_iam_role', 'managed_policy_arns', 'admin-policy')

SKIPPED_FOLDERS = {'examples', 'tests', 'test', 'wrappers', '.git', '.github'}
MAX_DEPTH = 8


# --- A small HCL reader: blocks, labels, attributes and their expression text. ---


class Block:
    def __init__(self, kind, labels, body):
        self.kind = kind
        self.labels = labels
        self.body = body

    def attributes(self):
        return {item[1]: item[2] for item in self.body if item[0] == 'attr'}

    def blocks(self, kind=None):
        return [item[1] for item in self.body if item[0] == 'block' and kind in (None, item[1].kind)]


def skip_string(text, pos):
    """Skips a quoted string starting at `pos` (on the quote); returns the index after it."""
    pos += 1
    while pos < len(text):
        c = text[pos]
        if c == '\\':
            pos += 2
            continue
        if c == '"':
            return pos + 1
        if text.startswith('${', pos) or text.startswith('%{', pos):
            pos = skip_template_expression(text, pos + 2)
            continue
        if c == '\n':
            return pos
        pos += 1
    return pos


def skip_template_expression(text, pos):
    depth = 1
    while pos < len(text) and depth:
        c = text[pos]
        if c == '"':
            pos = skip_string(text, pos)
            continue
        if c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
        pos += 1
    return pos


HEREDOC = re.compile(r'<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n')


def skip_heredoc(text, pos):
    match = HEREDOC.match(text, pos)
    if not match:
        return None
    end = re.compile(r'^[ \t]*' + re.escape(match.group(1)) + r'[ \t]*$', re.M).search(text, match.end())
    return end.end() if end else len(text)


def skip_comment(text, pos):
    if text.startswith('#', pos) or text.startswith('//', pos):
        end = text.find('\n', pos)
        return len(text) if end < 0 else end
    if text.startswith('/*', pos):
        end = text.find('*/', pos + 2)
        return len(text) if end < 0 else end + 2
    return None


def read_expression(text, pos):
    """The expression text from `pos` to the end of its line (or the `}` closing its block)."""
    start = pos
    depth = 0
    while pos < len(text):
        c = text[pos]
        if c == '"':
            pos = skip_string(text, pos)
            continue
        if c == '<' and text.startswith('<<', pos):
            end = skip_heredoc(text, pos)
            if end is not None:
                pos = end
                continue
        comment = skip_comment(text, pos)
        if comment is not None:
            if depth == 0 and not text.startswith('/*', pos):
                return text[start:pos].strip(), comment
            pos = comment
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                return text[start:pos].strip(), pos
            depth -= 1
        elif c == '\n' and depth == 0:
            return text[start:pos].strip(), pos
        pos += 1
    return text[start:pos].strip(), pos


IDENT = re.compile(r'[A-Za-z_][A-Za-z0-9_-]*')


def parse_body(text, pos):
    """Reads attributes and blocks until the `}` closing the body; returns (items, index)."""
    items = []
    while pos < len(text):
        c = text[pos]
        if c in ' \t\r\n;,':
            pos += 1
            continue
        comment = skip_comment(text, pos)
        if comment is not None:
            pos = comment
            continue
        if c == '}':
            return items, pos + 1
        match = IDENT.match(text, pos)
        if not match:
            # Not HCL this reader understands: skip the line.
            end = text.find('\n', pos)
            pos = len(text) if end < 0 else end + 1
            continue
        name = match.group(0)
        pos = match.end()
        while pos < len(text) and text[pos] in ' \t':
            pos += 1
        if text.startswith('=', pos) and not text.startswith('==', pos):
            expression, pos = read_expression(text, pos + 1)
            items.append(('attr', name, expression))
            continue
        labels = []
        while pos < len(text) and text[pos] != '{':
            if text[pos] == '"':
                end = skip_string(text, pos)
                labels.append(text[pos + 1:end - 1])
                pos = end
            elif text[pos] in ' \t':
                pos += 1
            else:
                label = IDENT.match(text, pos)
                if not label:
                    break
                labels.append(label.group(0))
                pos = label.end()
        if pos < len(text) and text[pos] == '{':
            body, pos = parse_body(text, pos + 1)
            items.append(('block', Block(name, labels, body)))
    return items, pos


# --- One module folder. ---


class Module:
    def __init__(self, folder):
        self.folder = folder
        self.variables = {}
        self.locals = {}
        self.resources = []
        self.calls = []
        for name in sorted(os.listdir(folder)):
            if not name.endswith('.tf'):
                continue
            with open(os.path.join(folder, name), encoding='utf-8') as handle:
                items, _ = parse_body(handle.read(), 0)
            for item in items:
                if item[0] != 'block':
                    continue
                block = item[1]
                if block.kind == 'variable' and block.labels:
                    self.variables[block.labels[0]] = block.attributes()
                elif block.kind == 'locals':
                    self.locals.update(block.attributes())
                elif block.kind == 'resource' and len(block.labels) == 2:
                    self.resources.append(block)
                elif block.kind == 'module' and block.labels:
                    self.calls.append(block)


def attribute_paths(block, prefix=''):
    """Every attribute of a block body, nested blocks and `dynamic` contents joined with `.`."""
    for item in block.body:
        if item[0] == 'attr':
            yield prefix + item[1], item[2]
        elif item[1].kind == 'dynamic' and item[1].labels:
            for content in item[1].blocks('content'):
                yield from attribute_paths(content, prefix + item[1].labels[0] + '.')
        elif item[1].kind not in ('lifecycle', 'provisioner', 'connection'):
            yield from attribute_paths(item[1], prefix + item[1].kind + '.')


VAR = re.compile(r'\bvar\.([A-Za-z_][A-Za-z0-9_-]*)')
LOCAL = re.compile(r'^local\.([A-Za-z_][A-Za-z0-9_-]*)$')


def direct_input(module, expression, depth=0):
    """The input an expression is exactly (`var.x`, or a local that is), else None."""
    expression = expression.strip()
    match = re.fullmatch(r'var\.([A-Za-z_][A-Za-z0-9_-]*)', expression)
    if match:
        return match.group(1)
    match = LOCAL.match(expression)
    if match and depth < MAX_DEPTH and match.group(1) in module.locals:
        return direct_input(module, module.locals[match.group(1)], depth + 1)
    return None


def inputs_read(module, expression, depth=0):
    """Every input an expression reads, through locals."""
    res = set(VAR.findall(expression))
    if depth < MAX_DEPTH:
        for name in re.findall(r'\blocal\.([A-Za-z_][A-Za-z0-9_-]*)', expression):
            if name in module.locals:
                res |= inputs_read(module, module.locals[name], depth + 1)
    return res


def split_top(expression, separator):
    """Splits at `separator` outside brackets, parentheses and strings."""
    parts, depth, start, pos = [], 0, 0, 0
    while pos < len(expression):
        c = expression[pos]
        if c == '"':
            pos = skip_string(expression, pos)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif depth == 0 and expression.startswith(separator, pos):
            parts.append(expression[start:pos])
            pos += len(separator)
            start = pos
            continue
        pos += 1
    parts.append(expression[start:])
    return [part.strip() for part in parts]


def strip_parens(expression):
    expression = expression.strip()
    while expression.startswith('(') and expression.endswith(')') and \
            len(split_top(expression[1:-1], ')')) == 1:
        expression = expression[1:-1].strip()
    return expression


def required_true(module, condition, depth=0):
    """The expressions a condition requires to be true: its `&&` conjuncts, through locals."""
    res = []
    for conjunct in split_top(strip_parens(condition), '&&'):
        conjunct = strip_parens(conjunct)
        match = LOCAL.match(conjunct)
        if match and depth < MAX_DEPTH and match.group(1) in module.locals:
            res += required_true(module, module.locals[match.group(1)], depth + 1)
        else:
            res.append(conjunct)
    return res


def gates(module, block):
    """The conditions `count` or `for_each` of a resource or module call requires."""
    attributes = block.attributes()
    conditions = []
    count = attributes.get('count')
    if count:
        parts = split_top(count, '?')
        if len(parts) == 2 and split_top(parts[1], ':')[-1] == '0':
            conditions += required_true(module, parts[0])
    for_each = attributes.get('for_each')
    if for_each:
        parts = split_top(for_each, '?')
        if len(parts) == 2 and split_top(parts[1], ':')[-1] in ('{}', '[]', 'toset([])'):
            conditions += required_true(module, parts[0])
        match = re.search(r'\bif\s+(.+?)\s*[}\]]\s*$', for_each, re.S)
        if match:
            conditions += required_true(module, match.group(1))
    return conditions


def gate_inputs(module, conditions):
    return sorted({direct_input(module, condition) for condition in conditions} - {None})


def each_input(module, block):
    """The input a resource's `for_each` iterates over, when it iterates over one input only."""
    for_each = block.attributes().get('for_each')
    if not for_each:
        return None
    read = inputs_read(module, for_each)
    read -= set(gate_inputs(module, gates(module, block)))
    return read.pop() if len(read) == 1 else None


class Row:
    def __init__(self, input_name, shape, resource_type, attribute, address, gates_, review):
        self.input = input_name
        self.shape = shape
        self.resource_type = resource_type
        self.attribute = attribute
        self.address = address
        self.gates = gates_
        self.review = review
        self.default = None
        self.nullable = True


GUARD_INDEX = {(g[1], g[2]): g for g in GUARDS}


def module_rows(folder, candidates, depth=0):
    """The rows of the module in `folder`, keyed by its own inputs."""
    module = Module(folder)
    rows = []
    for resource in module.resources:
        resource_type, name = resource.labels
        address = f'{resource_type}.{name}'
        resource_gates = gate_inputs(module, gates(module, resource))
        for path, expression in attribute_paths(resource):
            if (resource_type, path) not in GUARD_INDEX:
                continue
            input_name = direct_input(module, expression)
            shape = 'value'
            if input_name is None and expression.strip() == 'each.value':
                input_name, shape = each_input(module, resource), 'each'
            if input_name is not None and input_name in module.variables:
                rows.append(Row(input_name, shape, resource_type, path, address, resource_gates,
                                'generated'))
                continue
            for read in sorted(inputs_read(module, expression) & set(module.variables)):
                candidates.append((read, resource_type, path, address, expression))
    if depth < MAX_DEPTH:
        for call in module.calls:
            arguments = call.attributes()
            source = (arguments.get('source') or '').strip().strip('"')
            if not source.startswith(('./', '../')):
                continue
            child = os.path.normpath(os.path.join(folder, source))
            if not os.path.isdir(child):
                continue
            call_gates = gate_inputs(module, gates(module, call))
            child_candidates = []
            for row in module_rows(child, child_candidates, depth + 1):
                argument = arguments.get(row.input)
                if argument is None:
                    continue
                input_name = direct_input(module, argument)
                row_gates = set(call_gates)
                for gate in row.gates:
                    if gate in arguments:
                        row_gates |= set(gate_inputs(module, required_true(module, arguments[gate])))
                address = f'module.{call.labels[0]}.{row.address}'
                if input_name is not None and input_name in module.variables:
                    parent = Row(input_name, row.shape, row.resource_type, row.attribute, address,
                                 sorted(row_gates), row.review)
                    parent.default = row.default
                    parent.nullable = row.nullable
                    parent.child_variable = row
                    rows.append(parent)
                else:
                    for read in sorted(inputs_read(module, argument) & set(module.variables)):
                        candidates.append((read, row.resource_type, row.attribute, address, argument))
            for read, resource_type, path, address, expression in child_candidates:
                argument = arguments.get(read)
                if argument is None:
                    continue
                for parent_read in sorted(inputs_read(module, argument) & set(module.variables)):
                    candidates.append((parent_read, resource_type, path,
                                       f'module.{call.labels[0]}.{address}', expression))
    for row in rows:
        resolve_default(module, row)
    return rows


def resolve_default(module, row):
    """The default of the row's input in this module, falling through to the child's default
    when this one is null and the child's variable is not nullable."""
    variable = module.variables.get(row.input, {})
    default = literal(variable.get('default'))
    child = getattr(row, 'child_variable', None)
    if child is not None and default == 'null' and not child.nullable:
        default = child.default
    row.default = default
    row.nullable = variable.get('nullable', 'true').strip() != 'false'


def literal(expression):
    """A default as table text: a literal as written, `...` for anything else, `-` for none."""
    if expression is None:
        return '-'
    expression = ' '.join(expression.split())
    if re.fullmatch(r'true|false|null|-?[0-9]+(\.[0-9]+)?|"[^"\\$%]*"|\[\]|\{\}', expression):
        return expression
    return '...'


# --- The table. ---


def registry_address(folder_name):
    owner, _, repository = folder_name.partition('+')
    match = re.fullmatch(r'terraform-([a-z0-9]+)-(.+)', repository)
    if not owner or not match:
        return None
    return f'{owner}/{match.group(2)}/{match.group(1)}'


def git(folder, *arguments):
    result = subprocess.run(['git', '-C', folder, *arguments], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ''


def unset_reported(row, rule_guard):
    """Whether leaving the input unset leaves the attribute at an unsafe value that the rule
    reports when the attribute is absent."""
    _, _, _, unsafe, provider_default, report_absent = rule_guard
    if not report_absent or row.shape != 'value':
        return False
    default = row.default
    if default == 'null':
        default = provider_default
    return default == unsafe


def read_overrides(path):
    res = []
    if not os.path.exists(path):
        return res
    with open(path, encoding='utf-8') as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            fields = line.split('\t')
            if len(fields) != 8:
                sys.exit(f'{path}:{number}: expected 8 tab-separated fields')
            res.append(dict(zip(
                ('action', 'source', 'submodule', 'input', 'shape', 'resource', 'attribute', 'note'),
                fields)))
    return res


def main():
    checkouts = sys.argv[1]
    overrides_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'module-inputs.overrides.tsv')
    overrides = read_overrides(overrides_path)
    used = set()
    lines = []
    pinned = []
    unreviewed = []
    for folder_name in sorted(os.listdir(checkouts)):
        root = os.path.join(checkouts, folder_name)
        source = registry_address(folder_name)
        if source is None or not os.path.isdir(root):
            continue
        commit = git(root, 'rev-parse', 'HEAD')
        tag = git(root, 'describe', '--tags', '--exact-match', 'HEAD')
        version = tag[1:] if tag.startswith('v') else (tag or commit[:12])
        folders = [('-', root)]
        modules_folder = os.path.join(root, 'modules')
        if os.path.isdir(modules_folder):
            folders += [(f'modules/{name}', os.path.join(modules_folder, name))
                        for name in sorted(os.listdir(modules_folder))
                        if os.path.isdir(os.path.join(modules_folder, name))]
        n_rows = 0
        for submodule, folder in folders:
            candidates = []
            rows = module_rows(folder, candidates)
            module = Module(folder)
            for index, override in enumerate(overrides):
                if override['source'] != source or override['submodule'] != submodule:
                    continue
                if override['action'] == 'add':
                    used.add(index)
                    for candidate in candidates:
                        if candidate[0] == override['input'] and candidate[1] == override['resource'] \
                                and candidate[2] == override['attribute']:
                            row = Row(override['input'], override['shape'], candidate[1], candidate[2],
                                      candidate[3], [], 'reviewed')
                            resolve_default(module, row)
                            row.gates = gates_of_address(folder, candidate[3])
                            rows.append(row)
                            break
                    else:
                        sys.exit(f'override {index + 1} ({source} {override["input"]}) matches nothing')
            decided = set()
            for index, override in enumerate(overrides):
                if override['source'] != source or override['submodule'] != submodule:
                    continue
                used.add(index)
                key = (override['input'], override['resource'], override['attribute'])
                decided.add(key)
                if override['action'] == 'skip':
                    kept = [row for row in rows if (row.input, row.resource_type, row.attribute) != key
                            or row.review != 'generated']
                    if len(kept) == len(rows) and not any(c[:3] == key for c in candidates):
                        sys.exit(f'override {index + 1} ({source} {override["input"]}) matches nothing')
                    rows = kept
                elif override['action'] != 'add':
                    sys.exit(f'override {index + 1}: unknown action {override["action"]}')
            for candidate in candidates:
                if candidate[:3] not in decided:
                    unreviewed.append(f'{source} {submodule}: {candidate[0]} -> {candidate[3]}.'
                                      f'{candidate[2]} = {candidate[4]}')
            seen = set()
            for row in rows:
                rule_guard = GUARD_INDEX[(row.resource_type, row.attribute)]
                key = (row.input, row.resource_type, row.attribute, row.address)
                if key in seen:
                    continue
                seen.add(key)
                n_rows += 1
                lines.append('\t'.join([
                    source, submodule, version, commit, row.input, row.shape, row.resource_type,
                    row.attribute, rule_guard[0], row.default, rule_guard[3],
                    'flag' if unset_reported(row, rule_guard) else '-',
                    gate_defaults(module, row.gates), row.address, row.review]))
        pinned.append(f'{source} {version} ({commit[:12]}, {n_rows} rows)')
    for index, override in enumerate(overrides):
        if index not in used:
            sys.exit(f'override {index + 1} ({override["source"]} {override["input"]}) names no module')
    for line in sorted(set(unreviewed)):
        print(f'unreviewed: {line}', file=sys.stderr)
    print('# module inputs and the protective attributes they control; generated by '
          'convert_module_inputs.py, reviewed by module-inputs.overrides.tsv')
    print(f'# modules read: {"; ".join(pinned)}')
    print('\t'.join(['# source', 'submodule', 'version', 'commit', 'input', 'shape', 'resource',
                     'attribute', 'rule', 'default', 'unsafe', 'unset', 'gates', 'address',
                     'review']))
    print('\n'.join(sorted(lines)))


def gate_defaults(module, names):
    """Gates as `name=default`, the default as the module writes it (`-` when it has none)."""
    return ','.join(f'{name}={literal(module.variables[name].get("default"))}'
                    for name in names if name in module.variables) or '-'


def gates_of_address(folder, address):
    """The gates of the resource at `address` (through module calls) in the module at `folder`."""
    module = Module(folder)
    parts = address.split('.')
    if parts[0] == 'module':
        for call in module.calls:
            if call.labels[0] == parts[1]:
                source = call.attributes().get('source', '').strip().strip('"')
                child_gates = gates_of_address(os.path.normpath(os.path.join(folder, source)),
                                               '.'.join(parts[2:]))
                res = set(gate_inputs(module, gates(module, call)))
                arguments = call.attributes()
                for gate in child_gates:
                    if gate in arguments:
                        res |= set(gate_inputs(module, required_true(module, arguments[gate])))
                return sorted(res)
        return []
    for resource in module.resources:
        if '.'.join(resource.labels) == address:
            return gate_inputs(module, gates(module, resource))
    return []


if __name__ == '__main__':
    main()
