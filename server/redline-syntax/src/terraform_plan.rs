//! A Terraform plan as `terraform show -json PLANFILE` renders it, read from the JSON value
//! model so that every change keeps its exact range in the plan file.
//!
//! Every field is optional: plans from Terraform 0.12 to the current release and from
//! OpenTofu share this shape, and older versions omit `action_reason`, `replace_paths` and
//! `previous_address`. Fields a version does not have are simply absent here.

use redline_text::TextRange;

use crate::value::{Node, NodeKind, ScalarKind};

/// The parts of a plan that describe what will change.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// `format_version`, e.g. `1.2`.
    pub format_version: Option<&'a str>,
    /// `terraform_version` (also set by OpenTofu).
    pub terraform_version: Option<&'a str>,
    /// `resource_changes[]`, in file order.
    pub resource_changes: Vec<ResourceChange<'a>>,
    /// The plan's `configuration` section, read on demand; `None` when the plan has none.
    pub configuration: Option<Configuration<'a>>,
}

/// The `configuration` section of a plan: which resources are configured and what their
/// attributes reference. Nothing is built until asked, and only for the resources asked.
#[derive(Clone, Copy, Debug)]
pub struct Configuration<'a> {
    /// The section: an `Unknown` node when `plan_json` left it unread.
    section: &'a Node,
}

/// One resource of the plan's `configuration`, with what its attributes reference.
#[derive(Clone, Debug)]
pub struct ConfiguredResource {
    /// The address with its module path and without an instance key
    /// (`module.net.aws_subnet.a`).
    pub address: String,
    /// The module path of `address` (`module.net.`), empty in the root module.
    prefix: String,
    /// The resource's entry in `configuration`, with at least its `expressions`.
    node: Node,
}

/// One entry of `resource_changes`.
#[derive(Clone, Debug)]
pub struct ResourceChange<'a> {
    /// The entry object.
    pub node: &'a Node,
    /// Where findings about this change point: the `address` value, or the entry itself.
    pub range: TextRange,
    /// The full instance address, e.g. `module.db.aws_db_instance.main[0]`; it also holds the
    /// module path, the name and the instance key.
    pub address: &'a str,
    /// The address before a `moved` block applied.
    pub previous_address: Option<&'a str>,
    /// `managed` or `data`.
    pub mode: &'a str,
    /// The resource type, e.g. `aws_db_instance`.
    pub resource_type: &'a str,
    /// The deposed object key, when the change concerns a deposed object.
    pub deposed: Option<&'a str>,
    /// `change.actions`, e.g. `["delete", "create"]`.
    pub actions: Vec<&'a str>,
    /// `action_reason`, e.g. `replace_because_cannot_update`.
    pub action_reason: Option<&'a str>,
    /// `change.replace_paths`, each rendered as an attribute path (`ebs_block_device[0].size`).
    pub replace_paths: Vec<String>,
    /// `change.before`: the object before the change; read its members with
    /// `ResourceChange::before_attribute`.
    pub before: Option<&'a Node>,
    /// `change.after`: the object after the change (unknown values are absent or null).
    pub after: Option<&'a Node>,
}

/// What a change does, decided from `change.actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `["delete"]`.
    Delete,
    /// `["delete", "create"]`: destroy first, then create.
    DeleteThenCreate,
    /// `["create", "delete"]`: create the new object first (`create_before_destroy`).
    CreateThenDelete,
    /// Any other list containing `delete` (Terraform asks callers to treat these as deletes).
    OtherDelete,
    /// No deletion: create, read, update, no-op, forget.
    Keep,
}

impl<'a> Plan<'a> {
    /// Reads the plan from the root document of a plan file.
    pub fn from_document(root: &'a Node) -> Plan<'a> {
        let resource_changes = root
            .get("resource_changes")
            .map(|changes| changes.items().iter().filter_map(resource_change).collect())
            .unwrap_or_default();
        Plan {
            format_version: root.get("format_version").and_then(Node::as_str),
            terraform_version: root.get("terraform_version").and_then(Node::as_str),
            resource_changes,
            configuration: root
                .get("configuration")
                .filter(|section| {
                    matches!(section.kind, NodeKind::Unknown)
                        || section.get("root_module").is_some()
                })
                .map(|section| Configuration { section }),
        }
    }
}

impl Configuration<'_> {
    /// The configured resources whose address (with its module path, without instance keys)
    /// `wanted` accepts, root module first, then module calls in file order; `text` is the
    /// plan's text. Only those resources are built.
    pub fn resources(&self, text: &str, wanted: impl Fn(&str) -> bool) -> Vec<ConfiguredResource> {
        if matches!(self.section.kind, NodeKind::Unknown) {
            let entries = crate::plan_json::configured_resources(text, self.section.range, &wanted)
                .unwrap_or_default();
            return entries
                .into_iter()
                .map(|entry| ConfiguredResource {
                    address: format!("{}{}", entry.prefix, entry.address),
                    prefix: entry.prefix,
                    node: entry.node,
                })
                .collect();
        }
        let Some(root_module) = self.section.get("root_module") else {
            return Vec::new();
        };
        let mut res = Vec::new();
        let mut address = String::new();
        configured_resources(root_module, "", 0, &mut |prefix, local, node| {
            address.clear();
            address.push_str(prefix);
            address.push_str(local);
            if wanted(&address) {
                res.push(ConfiguredResource {
                    address: address.clone(),
                    prefix: prefix.to_owned(),
                    node: node.clone(),
                });
            }
        });
        res
    }
}

impl ConfiguredResource {
    /// The objects the expressions of the top-level attribute or nested block `attribute`
    /// reference, prefixed with the module path like `address` (`vpc_id` →
    /// `aws_vpc.main.id`, `aws_vpc.main`), in file order; empty when it references nothing.
    pub fn references(&self, attribute: &str) -> Vec<String> {
        let mut res = Vec::new();
        if let Some(expression) = self
            .node
            .get("expressions")
            .and_then(|expressions| expressions.get(attribute))
        {
            collect_references(expression, &self.prefix, &mut res);
        }
        res
    }
}

/// The module path of an instance address, with its instance keys:
/// `module.app[0].module.net["eu"].aws_subnet.a[1]` → `module.app[0].module.net["eu"].`;
/// empty for a resource of the root module.
pub fn module_instance(address: &str) -> &str {
    let bytes = address.as_bytes();
    let mut end = 0;
    while address[end..].starts_with("module.") {
        let mut position = end + "module.".len();
        while position < bytes.len() && !matches!(bytes[position], b'.' | b'[') {
            position += 1;
        }
        if bytes.get(position) == Some(&b'[') {
            let mut in_string = false;
            let mut escaped = false;
            loop {
                position += 1;
                match bytes.get(position) {
                    None => return &address[..end],
                    Some(_) if escaped => escaped = false,
                    Some(b'\\') if in_string => escaped = true,
                    Some(b'"') => in_string = !in_string,
                    Some(b']') if !in_string => break,
                    Some(_) => {}
                }
            }
            position += 1;
        }
        if bytes.get(position) != Some(&b'.') {
            break;
        }
        end = position + 1;
    }
    &address[..end]
}

/// `address` without instance keys, as `configuration` writes it:
/// `module.app[0].aws_subnet.a["eu"]` → `module.app.aws_subnet.a`.
pub fn configured_address(address: &str) -> String {
    let mut res = String::with_capacity(address.len());
    let mut in_key = false;
    let mut in_string = false;
    let mut escaped = false;
    for c in address.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if in_key {
            match c {
                '"' => in_string = true,
                ']' => in_key = false,
                _ => {}
            }
        } else if c == '[' {
            in_key = true;
        } else {
            res.push(c);
        }
    }
    res
}

impl ResourceChange<'_> {
    /// What the change does.
    pub fn kind(&self) -> ChangeKind {
        match self.actions.as_slice() {
            ["delete"] => ChangeKind::Delete,
            ["delete", "create"] => ChangeKind::DeleteThenCreate,
            ["create", "delete"] => ChangeKind::CreateThenDelete,
            actions if actions.contains(&"delete") => ChangeKind::OtherDelete,
            _ => ChangeKind::Keep,
        }
    }

    /// Whether the change destroys an object: the actions contain `delete`.
    pub fn is_destructive(&self) -> bool {
        self.kind() != ChangeKind::Keep
    }

    /// Whether the change destroys an object and creates its replacement.
    pub fn is_replace(&self) -> bool {
        matches!(
            self.kind(),
            ChangeKind::DeleteThenCreate | ChangeKind::CreateThenDelete
        )
    }

    /// The top-level attribute `name` of `before`; `text` is the plan's text.
    pub fn before_attribute(&self, name: &str, text: &str) -> Option<Node> {
        member(self.before?, name, text)
    }

    /// The top-level attribute `name` of `after`; `text` is the plan's text.
    pub fn after_attribute(&self, name: &str, text: &str) -> Option<Node> {
        member(self.after?, name, text)
    }

    /// Whether this is a managed resource (not a data source).
    pub fn is_managed(&self) -> bool {
        self.mode != "data"
    }

    /// `action_reason` in words, for messages.
    pub fn reason_in_words(&self) -> Option<String> {
        let reason = self.action_reason?;
        let words = match reason {
            "replace_because_cannot_update" => {
                if self.replace_paths.is_empty() {
                    "an attribute that cannot be updated in place changed".to_owned()
                } else {
                    format!(
                        "{} changed, which forces replacement",
                        quoted_list(&self.replace_paths)
                    )
                }
            }
            "replace_because_tainted" => "the object is tainted".to_owned(),
            "replace_by_request" => "replacement was requested with `-replace`".to_owned(),
            "replace_by_triggers" => {
                "an object named in `lifecycle.replace_triggered_by` changed".to_owned()
            }
            "delete_because_no_resource_config" => "removed from configuration".to_owned(),
            "delete_because_wrong_repetition" => {
                "the block switched between `count`, `for_each` and a single instance".to_owned()
            }
            "delete_because_count_index" => "count index out of range".to_owned(),
            "delete_because_each_key" => "its `for_each` key is no longer in the map".to_owned(),
            "delete_because_no_module" => "its module call was removed".to_owned(),
            "delete_because_no_move_target" => {
                "the target of its `moved` block has no configuration".to_owned()
            }
            "delete_because_no_resource_config_and_no_module" => {
                "removed from configuration with its module".to_owned()
            }
            other => format!("action reason `{other}`"),
        };
        Some(words)
    }
}

/// A member of an object that is either built or left unread by `plan_json`.
fn member(object: &Node, name: &str, text: &str) -> Option<Node> {
    match object.kind {
        NodeKind::Unknown => crate::plan_json::shallow_object(text, object.range)?
            .get(name)
            .cloned(),
        _ => object.get(name).cloned(),
    }
}

/// `a`, `b` and `c` with backticks.
pub fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

use crate::plan_json::MAX_MODULE_DEPTH;

/// Calls `visit` with the module path, the address in its module and the entry of each
/// resource of `module` and its calls, the module path starting with `prefix`.
fn configured_resources<'a>(
    module: &'a Node,
    prefix: &str,
    depth: usize,
    visit: &mut dyn FnMut(&str, &str, &'a Node),
) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    for resource in module.get("resources").map_or(&[][..], Node::items) {
        let Some(address) = resource.get("address").and_then(Node::as_str) else {
            continue;
        };
        visit(prefix, address, resource);
    }
    if let Some(NodeKind::Mapping(calls)) = module.get("module_calls").map(|calls| &calls.kind) {
        for call in calls {
            let (Some(name), Some(child)) = (call.key.as_str(), call.value.get("module")) else {
                continue;
            };
            configured_resources(child, &format!("{prefix}module.{name}."), depth + 1, visit);
        }
    }
}

/// The `references` anywhere inside an expression or nested block.
fn collect_references(node: &Node, prefix: &str, res: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for entry in entries {
                if entry.key.as_str() == Some("references") {
                    res.extend(
                        entry
                            .value
                            .items()
                            .iter()
                            .filter_map(Node::as_str)
                            .map(|reference| format!("{prefix}{reference}")),
                    );
                } else {
                    collect_references(&entry.value, prefix, res);
                }
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                collect_references(item, prefix, res);
            }
        }
        _ => {}
    }
}

fn resource_change(node: &Node) -> Option<ResourceChange<'_>> {
    let address_node = node.get("address")?;
    let address = address_node.as_str()?;
    let change = node.get("change");
    let field = |key: &str| node.get(key).and_then(Node::as_str);
    let actions = change
        .and_then(|change| change.get("actions"))
        .map(|actions| actions.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let replace_paths = change
        .and_then(|change| change.get("replace_paths"))
        .map(|paths| paths.items().iter().filter_map(render_path).collect())
        .unwrap_or_default();
    // `plan_json` leaves `before` and `after` unread (`Unknown`), to be read on demand.
    let object = |key: &str| {
        change
            .and_then(|change| change.get(key))
            .filter(|value| value.is_mapping() || matches!(value.kind, NodeKind::Unknown))
    };
    Some(ResourceChange {
        node,
        range: address_node.range,
        address,
        previous_address: field("previous_address"),
        mode: field("mode").unwrap_or("managed"),
        resource_type: field("type").unwrap_or(""),
        deposed: field("deposed"),
        actions,
        action_reason: field("action_reason"),
        replace_paths,
        before: object("before"),
        after: object("after"),
    })
}

/// `["ebs_block_device", 0, "size"]` → `ebs_block_device[0].size`.
fn render_path(path: &Node) -> Option<String> {
    let mut res = String::new();
    for step in path.items() {
        match &step.kind {
            NodeKind::Scalar(scalar) if matches!(scalar.kind, ScalarKind::Number) => {
                res.push('[');
                res.push_str(&scalar.value);
                res.push(']');
            }
            NodeKind::Scalar(scalar) if matches!(scalar.kind, ScalarKind::String { .. }) => {
                if !res.is_empty() {
                    res.push('.');
                }
                res.push_str(&scalar.value);
            }
            _ => return None,
        }
    }
    (!res.is_empty()).then_some(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, SourceHints, parse_source};

    #[test]
    fn reads_changes_kinds_reasons_and_paths() {
        let text = r#"{"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [
 {"address": "module.db.aws_db_instance.main[0]", "module_address": "module.db", "mode": "managed",
  "type": "aws_db_instance", "name": "main", "index": 0,
  "change": {"actions": ["delete", "create"], "before": {"engine": "postgres"}, "after": {"engine": "mysql"},
             "replace_paths": [["engine"], ["ebs", 0, "size"]]},
  "action_reason": "replace_because_cannot_update"},
 {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
  "change": {"actions": ["no-op"]}}
]}"#;
        let file = parse_source("plan.json", text, SourceHints::default()).expect("json");
        assert_eq!(file.format, Format::TerraformPlan);
        let plan = Plan::from_document(&file.documents[0]);
        assert_eq!(plan.format_version, Some("1.2"));
        let [db, logs] = plan.resource_changes.as_slice() else {
            panic!("two changes expected");
        };
        assert_eq!(db.kind(), ChangeKind::DeleteThenCreate);
        assert!(db.is_replace());
        assert_eq!(db.replace_paths, ["engine", "ebs[0].size"]);
        assert_eq!(
            db.reason_in_words().as_deref(),
            Some("`engine` and `ebs[0].size` changed, which forces replacement")
        );
        assert_eq!(
            &text[db.range.to_std()],
            "\"module.db.aws_db_instance.main[0]\""
        );
        assert_eq!(logs.kind(), ChangeKind::Keep);
        assert!(!logs.is_destructive());
    }

    #[test]
    fn reads_configuration_references_with_module_prefixes() {
        let text = r#"{"format_version": "1.2", "resource_changes": [], "configuration": {"root_module": {
 "resources": [{"address": "aws_subnet.a", "expressions": {
   "vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]},
   "cidr_block": {"constant_value": "10.0.0.0/24"},
   "ingress": [{"cidr_blocks": {"references": ["var.cidr"]}}]}}],
 "module_calls": {"net": {"module": {"resources": [{"address": "aws_instance.b",
   "expressions": {"subnet_id": {"references": ["aws_subnet.c[0].id"]}}}]}}}}}}"#;
        let file = parse_source("plan.json", text, SourceHints::default()).expect("json");
        let plan = Plan::from_document(&file.documents[0]);
        let configuration = plan.configuration.expect("a configuration section");
        let resources = configuration.resources(text, |_| true);
        let [subnet, instance] = resources.as_slice() else {
            panic!("two resources expected");
        };
        assert_eq!(subnet.address, "aws_subnet.a");
        assert_eq!(
            subnet.references("vpc_id"),
            ["aws_vpc.main.id", "aws_vpc.main"]
        );
        assert!(subnet.references("cidr_block").is_empty());
        assert_eq!(subnet.references("ingress"), ["var.cidr"]);
        assert_eq!(instance.address, "module.net.aws_instance.b");
        assert_eq!(
            instance.references("subnet_id"),
            ["module.net.aws_subnet.c[0].id"]
        );
        assert_eq!(
            configured_address(r#"module.app[0].aws_subnet.a["e]u"]"#),
            "module.app.aws_subnet.a"
        );
    }

    #[test]
    fn module_instances_keep_their_keys() {
        assert_eq!(module_instance("aws_vpc.main"), "");
        assert_eq!(module_instance("module.net.aws_vpc.main"), "module.net.");
        assert_eq!(
            module_instance(r#"module.app[0].module.net["e.u]"].data.aws_ami.x[1]"#),
            r#"module.app[0].module.net["e.u]"]."#
        );
        assert_eq!(
            module_instance(r#"module.r["a\"]"].aws_subnet.a"#),
            r#"module.r["a\"]"]."#
        );
    }

    #[test]
    fn plans_without_configuration_have_none() {
        let text = r#"{"format_version": "1.2", "resource_changes": []}"#;
        let file = parse_source("plan.json", text, SourceHints::default()).expect("json");
        assert!(
            Plan::from_document(&file.documents[0])
                .configuration
                .is_none()
        );
    }
}
