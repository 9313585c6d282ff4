use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::cloudformation::{Resource, as_bool};
use redline_syntax::terraform::{Attribute, Body, Expr, Resource as TerraformResource, Value};
use redline_syntax::terraform_eval as evaluated;
use redline_syntax::value::{Node, NodeKind};
use redline_syntax::{Format, SourceFile};

use crate::cloudformation::all_resources;
use crate::edit::string_literal;
use crate::terraform::through_module;
use crate::{FixAvailability, RuleContext, Status, Written, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A firewall rule that lets the whole internet (`0.0.0.0/0`, `::/0`, or any address with
    /// a `/0` prefix) reach every port, or an administration, database or message broker
    /// port: SSH (22), RDP (3389), MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis,
    /// Elasticsearch, Cassandra, CouchDB, Memcached and etcd ports, and the AMQP, OpenWire
    /// and web console ports of RabbitMQ and ActiveMQ.
    /// In Terraform it reads inline `ingress` blocks of `aws_security_group`,
    /// `aws_security_group_rule` with `type = "ingress"`, `aws_vpc_security_group_ingress_rule`,
    /// `google_compute_firewall` (ingress, `allow` blocks) and `azurerm_network_security_rule`
    /// (inbound, `Allow`); in CloudFormation, the `SecurityGroupIngress` entries of
    /// `AWS::EC2::SecurityGroup` and `AWS::EC2::SecurityGroupIngress` resources, except a
    /// group the template names only in the `VpcConfig` of Lambda functions, which accept no
    /// inbound connections.
    ///
    /// It also flags a publicly accessible RabbitMQ broker of Amazon MQ
    /// (`aws_mq_broker` with `publicly_accessible = true`, `AWS::AmazonMQ::Broker` with
    /// `PubliclyAccessible: true`): such a broker takes no security group, so its AMQP port and
    /// management console face the whole internet.
    ///
    /// A Terraform rule whose ports or addresses are computed (variables, locals,
    /// `count.index`, `each.value`, `lookup` in a map of named rules such as the `var.rules`
    /// of the security-group modules) is read instance by instance, with the values the module
    /// decides.
    /// A local module (`source = "./…"`) called with an open range is reported at the caller's
    /// string literal that writes the range (`ingress_cidr_blocks = ["0.0.0.0/0"]`, or the
    /// `cidr_blocks` of one entry of a list of rules), with the fix when the literal is the
    /// range alone.
    /// A called module's own default is the module's choice: a call that writes no open range
    /// is not reported.
    /// Ports, addresses or engines redline cannot know (variables without a value, data
    /// sources, `!Ref`) are never reported.
    ///
    /// ## Why it matters
    /// Administration and database ports open to the internet are found by scanners within
    /// minutes, and one weak or leaked credential then gives direct access to servers and
    /// data that a destructive command can wipe.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group_rule" "ssh" {
    ///   type        = "ingress"
    ///   from_port   = 22
    ///   to_port     = 22
    ///   protocol    = "tcp"
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Allow only the networks that need access (a VPN, a bastion, an office range), or use
    /// a session manager instead of an open SSH port:
    /// ```hcl
    /// resource "aws_security_group_rule" "ssh" {
    ///   type        = "ingress"
    ///   from_port   = 22
    ///   to_port     = 22
    ///   protocol    = "tcp"
    ///   cidr_blocks = ["10.20.0.0/16"]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `0.0.0.0/0` with the private range `10.0.0.0/8` and `::/0` with the
    /// unique-local range `fd00::/8` (for Azure, `*` and `Internet` become
    /// `VirtualNetwork`), which keeps the configuration valid and closes the exposure.
    /// It is unsafe: clients outside those ranges lose access, and the range is a stand-in
    /// for the networks that really need access, which only the owner knows.
    /// A public broker has no fix: making it private replaces the broker, and its clients
    /// then need a way into its network.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-101 -- public SFTP endpoint, key-only, fail2ban` on the line
    /// above the address.
    ///
    /// ## References
    /// - Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_GCP_2, CKV_AZURE_9
    IngressOpenToInternet {
        id: "RL-TF-101", name: "ingress-open-to-internet",
        summary: "A firewall rule or a public broker opens all ports or an admin, database or broker port to the internet",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform, Format::CloudFormation], fix: FixAvailability::Sometimes,
        status: Status::Preview,
    }
}

/// Ports that must not face the internet, and what listens on them.
const SENSITIVE_PORTS: &[(u32, &str)] = &[
    (22, "SSH"),
    (23, "Telnet"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2379, "etcd"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5671, "AMQP over TLS"),
    (5672, "AMQP"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (8162, "the ActiveMQ web console"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (15671, "the RabbitMQ management console"),
    (15672, "the RabbitMQ management console"),
    (27017, "MongoDB"),
    (61616, "ActiveMQ OpenWire"),
    (61617, "ActiveMQ OpenWire over TLS"),
];

/// What the unsafe fix writes instead of an open range.
fn restricted(open: &str) -> &'static str {
    if !is_open_text(open) {
        "\"VirtualNetwork\""
    } else if open.contains(':') {
        "\"fd00::/8\""
    } else {
        "\"10.0.0.0/8\""
    }
}

/// An inclusive port range.
#[derive(Clone, Copy)]
struct Ports {
    from: u32,
    to: u32,
}

const ALL_PORTS: Ports = Ports { from: 0, to: 65535 };

fn check(ctx: &mut RuleContext<'_>) {
    match ctx.file().format {
        Format::Terraform => check_terraform(ctx),
        Format::CloudFormation => check_cloudformation(ctx),
        _ => {}
    }
}

fn check_terraform(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        // Formatted only for a resource of a type read below.
        let address = std::cell::LazyCell::new(|| resource.address());
        let body = &resource.block.body;
        match resource.resource_type {
            "aws_security_group" => {
                for ingress in body.blocks_of("ingress") {
                    if !is_written_out(&ingress.body, AWS_RULE_ATTRIBUTES) {
                        report_evaluated(ctx, &resource, &ingress.body, &address, None);
                    } else if let Some(ports) = aws_ports(&ingress.body) {
                        let addresses =
                            open_addresses(&ingress.body, &["cidr_blocks", "ipv6_cidr_blocks"]);
                        report(ctx, &address, ports, &addresses);
                    }
                }
            }
            "aws_security_group_rule" => {
                if !is_written_out(body, AWS_RULE_ATTRIBUTES) {
                    report_evaluated(ctx, &resource, body, &address, Some("type"));
                } else if body.attribute("type").and_then(|a| a.value.value.as_str())
                    == Some("ingress")
                    && let Some(ports) = aws_ports(body)
                {
                    let addresses = open_addresses(body, &["cidr_blocks", "ipv6_cidr_blocks"]);
                    report(ctx, &address, ports, &addresses);
                }
            }
            "aws_vpc_security_group_ingress_rule" => {
                if !is_written_out(body, VPC_RULE_ATTRIBUTES) {
                    report_evaluated(ctx, &resource, body, &address, None);
                } else if let Some(ports) = aws_ports(body) {
                    let addresses = open_addresses(body, &["cidr_ipv4", "cidr_ipv6"]);
                    report(ctx, &address, ports, &addresses);
                }
            }
            "google_compute_firewall" => {
                let direction = body.attribute("direction").map(|a| &a.value.value);
                if direction.is_some_and(|d| d.as_str() != Some("INGRESS")) {
                    continue;
                }
                let addresses = open_addresses(body, &["source_ranges"]);
                if addresses.is_empty() {
                    continue;
                }
                for allow in body.blocks_of("allow") {
                    if let Some(ports) = google_ports(&allow.body) {
                        report(ctx, &address, ports, &addresses);
                    }
                }
            }
            "azurerm_network_security_rule" => {
                let is = |name: &str, expected: &str| {
                    body.attribute(name)
                        .and_then(|a| a.value.value.as_str())
                        .is_some_and(|value| value.eq_ignore_ascii_case(expected))
                };
                if !is("direction", "Inbound") || !is("access", "Allow") {
                    continue;
                }
                let addresses = azure_open_addresses(body);
                if let Some(ports) = azure_ports(body) {
                    report(ctx, &address, ports, &addresses);
                }
            }
            "aws_mq_broker" => {
                let engine = body
                    .attribute("engine_type")
                    .and_then(|a| a.value.value.as_str());
                let public = body
                    .attribute("publicly_accessible")
                    .filter(|a| a.value.value.as_bool() == Some(true));
                if let (Some(engine), Some(public)) = (engine, public)
                    && engine.eq_ignore_ascii_case("rabbitmq")
                {
                    let message = public_broker_message(
                        &format!("`{}`", *address),
                        "`publicly_accessible = true`",
                    );
                    let diagnostic = ctx.diagnostic(public.value.range, message);
                    ctx.report(diagnostic);
                }
            }
            _ => {}
        }
    }
}

/// The attributes of an AWS security group rule that decide what it opens: the rule is read
/// through the module when one of them is not written out as a literal.
const AWS_RULE_ATTRIBUTES: &[&str] = &[
    "type",
    "protocol",
    "from_port",
    "to_port",
    "cidr_blocks",
    "ipv6_cidr_blocks",
];

/// The same for `aws_vpc_security_group_ingress_rule`.
const VPC_RULE_ATTRIBUTES: &[&str] = &[
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
];

/// Whether every attribute of `names` that `body` sets is a literal (a list of literals for a
/// list), so that the rule reads it as written.
fn is_written_out(body: &Body, names: &[&str]) -> bool {
    names.iter().all(|name| {
        body.attribute(name)
            .is_none_or(|attribute| match &attribute.value.value {
                Value::Unknown => false,
                Value::List(items) => items.iter().all(|item| item.value != Value::Unknown),
                _ => true,
            })
    })
}

/// Judges an AWS security group rule whose ports or addresses are computed (from variables,
/// locals, `count.index`, `each.value`, `lookup` in a map of named rules), one instance at a
/// time, as the module decides the values. A reusable module's variables are unknown when it
/// is analysed on its own; judged for a local module call, they hold the call's inputs, and a
/// finding goes to the caller's literal that writes the open range.
fn report_evaluated(
    ctx: &mut RuleContext<'_>,
    resource: &TerraformResource<'_>,
    body: &Body,
    address: &str,
    type_attribute: Option<&str>,
) {
    let Some(evaluator) = through_module::evaluator(ctx) else {
        return;
    };
    // One finding per attribute and open range, naming what every instance opens.
    let mut found: Vec<Found<'_>> = Vec::new();
    for judged in through_module::instances(ctx, evaluator, resource) {
        let read = |name: &str| {
            body.attribute(name)
                .and_then(|attribute| through_module::read(ctx, evaluator, attribute, &judged))
        };
        if let Some(name) = type_attribute
            && read(name)
                .and_then(|type_value| type_value.value.as_str().map(str::to_owned))
                .as_deref()
                != Some("ingress")
        {
            continue;
        }
        let protocol = read("protocol").or_else(|| read("ip_protocol"));
        let Some(ports) = protocol.and_then(|protocol| {
            evaluated_ports(&protocol.value, read("from_port"), read("to_port"))
        }) else {
            continue;
        };
        if describe(ports).is_none() {
            continue;
        }
        for name in ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"] {
            let Some(attribute) = body.attribute(name) else {
                continue;
            };
            let Some(addresses) = through_module::read(ctx, evaluator, attribute, &judged) else {
                continue;
            };
            for open in through_module::strings(&addresses.value) {
                if !is_open_text(&open) {
                    continue;
                }
                match found
                    .iter_mut()
                    .find(|found| std::ptr::eq(found.attribute, attribute) && found.open == open)
                {
                    Some(found) => found.ports.push(ports),
                    None => found.push(Found {
                        attribute,
                        open,
                        addresses: addresses.clone(),
                        ports: vec![ports],
                    }),
                }
            }
        }
    }
    for Found {
        attribute,
        open,
        addresses,
        ports,
    } in found
    {
        let mut exposures: Vec<String> = Vec::new();
        for exposure in ports.iter().copied().filter_map(describe) {
            if !exposures.contains(&exposure) {
                exposures.push(exposure);
            }
        }
        let exposure = exposures.join(" and ");
        // A literal written at the attribute is reported as written, with its fix.
        let written = match &attribute.value.value {
            Value::List(items) => items
                .iter()
                .find(|item| item.value.as_str() == Some(open.as_str())),
            Value::String(text) if *text == open => Some(&attribute.value),
            _ => None,
        };
        if let Some(written) = written {
            report_exposure(ctx, address, &exposure, &[written]);
            continue;
        }
        let through = through_module::chain(ctx, &addresses)
            .map(|chain| format!(", through {chain}"))
            .unwrap_or_default();
        let message = format!(
            "`{address}` lets the whole internet ({open}) reach {exposure}{through}: \
             anyone can attempt logins or queries on it; allow only the networks that need \
             access"
        );
        let replacement = restricted(&open);
        through_module::note(
            ctx,
            attribute,
            &addresses,
            Written {
                text: open.clone(),
                fix: Some((
                    format!(
                        "Allow only {} (then narrow it to the networks that need access)",
                        replacement.trim_matches('"')
                    ),
                    Applicability::Unsafe,
                    replacement.to_owned(),
                )),
            },
        );
        let diagnostic = ctx.diagnostic(attribute.value.range, message);
        ctx.report(diagnostic);
    }
}

/// An open range that a rule's instances let reach sensitive ports.
struct Found<'a> {
    attribute: &'a Attribute,
    open: String,
    addresses: through_module::Read,
    ports: Vec<Ports>,
}

/// Ports of an AWS rule from evaluated values, as `aws_ports` reads literals.
fn evaluated_ports(
    protocol: &evaluated::Value,
    from: Option<through_module::Read>,
    to: Option<through_module::Read>,
) -> Option<Ports> {
    let protocol = match protocol {
        evaluated::Value::Number(number) => evaluated::Value::Number(*number).to_string(),
        evaluated::Value::String(text) => text.to_ascii_lowercase(),
        _ => return None,
    };
    if matches!(protocol.as_str(), "-1" | "all") {
        return Some(ALL_PORTS);
    }
    if !matches!(protocol.as_str(), "tcp" | "udp" | "6" | "17") {
        return None;
    }
    let port = |read: Option<through_module::Read>| -> Option<u32> {
        let number = read?.value.as_number()?;
        (0.0..=65535.0).contains(&number).then_some(number as u32)
    };
    Some(Ports {
        from: port(from)?,
        to: port(to)?,
    })
}

/// What a public RabbitMQ broker exposes.
fn public_broker_message(subject: &str, setting: &str) -> String {
    format!(
        "{subject} is a RabbitMQ broker with {setting}: a public RabbitMQ broker takes no \
         security group, so the whole internet can reach its AMQP port (5671) and its \
         management console (443), where one weak or leaked password gives the queues away; \
         keep the broker private, in subnets its clients reach"
    )
}

fn check_cloudformation(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let resources = all_resources(file);
    for &resource in &resources {
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        let subject = format!("{kind} `{}`", resource.logical_id());
        match kind {
            "AWS::EC2::SecurityGroup" => {
                // A function accepts no inbound connections: a group that only functions wear
                // opens nothing.
                if only_functions_wear(&resources, resource.logical_id()) {
                    continue;
                }
                let Some(ingress) = resource.property("SecurityGroupIngress") else {
                    continue;
                };
                for rule in ingress.items() {
                    report_cloudformation_rule(ctx, file, &subject, rule);
                }
            }
            "AWS::EC2::SecurityGroupIngress" => {
                if let Some(properties) = resource.properties() {
                    report_cloudformation_rule(ctx, file, &subject, properties);
                }
            }
            "AWS::AmazonMQ::Broker" => report_cloudformation_broker(ctx, resource, &subject),
            _ => {}
        }
    }
}

/// Whether the template names the security group `id` only in the `VpcConfig` of Lambda
/// functions, and at least once.
fn only_functions_wear(resources: &[Resource<'_>], id: &str) -> bool {
    let mut in_functions = 0;
    let mut elsewhere = 0;
    for resource in resources {
        let function = matches!(
            resource.resource_type(),
            Some("AWS::Lambda::Function" | "AWS::Serverless::Function")
        );
        for entry in resource.body().entries() {
            if entry.key.as_str() == Some("Properties") {
                for property in entry.value.entries() {
                    let count = references(&property.value, id);
                    if function && property.key.as_str() == Some("VpcConfig") {
                        in_functions += count;
                    } else {
                        elsewhere += count;
                    }
                }
            } else {
                elsewhere += references(&entry.value, id);
            }
        }
    }
    in_functions > 0 && elsewhere == 0
}

/// How many `Ref`s and `Fn::GetAtt`s of the resource `id` a value holds.
fn references(node: &Node, id: &str) -> usize {
    let names = |text: &str| text == id || text.split_once('.').is_some_and(|(name, _)| name == id);
    if matches!(node.tag.as_deref(), Some("!Ref" | "!GetAtt")) {
        let hit = match &node.kind {
            NodeKind::Scalar(scalar) => names(&scalar.value),
            NodeKind::Sequence(items) => items
                .first()
                .and_then(|item| item.scalar())
                .is_some_and(|scalar| scalar.value == id),
            _ => false,
        };
        return usize::from(hit);
    }
    match &node.kind {
        NodeKind::Mapping(entries) => entries
            .iter()
            .map(|entry| match entry.key.as_str() {
                Some("Ref") => usize::from(entry.value.as_str() == Some(id)),
                Some("Fn::GetAtt") => usize::from(
                    entry.value.as_str().is_some_and(names)
                        || entry.value.items().first().and_then(Node::as_str) == Some(id),
                ),
                _ => references(&entry.value, id),
            })
            .sum(),
        NodeKind::Sequence(items) => items.iter().map(|item| references(item, id)).sum(),
        _ => 0,
    }
}

/// One ingress rule of a CloudFormation security group, inline or standalone.
fn report_cloudformation_rule(
    ctx: &mut RuleContext<'_>,
    file: &SourceFile<'_>,
    subject: &str,
    rule: &Node,
) {
    let Some(ports) = cloudformation_ports(rule) else {
        return;
    };
    let Some(exposure) = describe(ports) else {
        return;
    };
    for name in ["CidrIp", "CidrIpv6"] {
        let Some(address) = rule.get(name) else {
            continue;
        };
        let Some(text) = cloudformation_text(address).filter(|text| is_open_text(text)) else {
            continue;
        };
        let message = format!(
            "{subject} lets the whole internet ({text}) reach {exposure}: anyone can attempt \
             logins or queries on it; allow only the networks that need access"
        );
        let replacement = if text.contains(':') {
            "fd00::/8"
        } else {
            "10.0.0.0/8"
        };
        let fix = Fix::single(
            format!("Allow only {replacement} (then narrow it to the networks that need access)"),
            Applicability::Unsafe,
            Edit::replace(address.range, string_literal(file.language, replacement)),
        );
        let diagnostic = ctx.diagnostic(address.range, message).with_fix(fix);
        ctx.report(diagnostic);
    }
}

fn report_cloudformation_broker(ctx: &mut RuleContext<'_>, resource: Resource<'_>, subject: &str) {
    let engine = resource
        .property("EngineType")
        .and_then(cloudformation_text);
    let Some(public) = resource.property("PubliclyAccessible") else {
        return;
    };
    if as_bool(public) != Some(true) || !engine.is_some_and(|e| e.eq_ignore_ascii_case("rabbitmq"))
    {
        return;
    }
    let message = public_broker_message(subject, "`PubliclyAccessible: true`");
    let diagnostic = ctx.diagnostic(public.range, message);
    ctx.report(diagnostic);
}

/// Ports of a CloudFormation ingress rule: `IpProtocol: -1` means every port; otherwise
/// `FromPort`..`ToPort` of TCP or UDP.
fn cloudformation_ports(rule: &Node) -> Option<Ports> {
    let protocol = cloudformation_text(rule.get("IpProtocol")?)?.to_ascii_lowercase();
    if matches!(protocol.as_str(), "-1" | "all") {
        return Some(ALL_PORTS);
    }
    if !matches!(protocol.as_str(), "tcp" | "udp" | "6" | "17") {
        return None;
    }
    let port = |name: &str| -> Option<i64> { cloudformation_text(rule.get(name)?)?.parse().ok() };
    let from = port("FromPort")?;
    let to = port("ToPort")?;
    // `-1` stands for every port.
    if from == -1 || to == -1 {
        return Some(ALL_PORTS);
    }
    Some(Ports {
        from: u32::try_from(from).ok()?,
        to: u32::try_from(to).ok()?,
    })
}

/// The text of a scalar written out in the template: a string or a number, not an intrinsic.
fn cloudformation_text(node: &Node) -> Option<&str> {
    if node.is_opaque() {
        return None;
    }
    match &node.kind {
        NodeKind::Scalar(scalar) => Some(scalar.value.as_str()),
        _ => None,
    }
}

fn report(ctx: &mut RuleContext<'_>, address: &str, ports: Ports, addresses: &[&Expr]) {
    if let Some(exposure) = describe(ports) {
        report_exposure(ctx, address, &exposure, addresses);
    }
}

/// Reports each open range of `addresses`, written as literals, as letting the internet reach
/// `exposure`, with the fix.
fn report_exposure(ctx: &mut RuleContext<'_>, address: &str, exposure: &str, addresses: &[&Expr]) {
    for open in addresses {
        let written = ctx.file().slice(open.range).to_owned();
        let message = format!(
            "`{address}` lets the whole internet ({written}) reach {exposure}: anyone can \
             attempt logins or queries on it; allow only the networks that need access"
        );
        let replacement = restricted(open.value.as_str().unwrap_or(""));
        let fix = Fix::single(
            format!(
                "Allow only {} (then narrow it to the networks that need access)",
                replacement.trim_matches('"')
            ),
            Applicability::Unsafe,
            Edit::replace(open.range, replacement),
        );
        let diagnostic = ctx.diagnostic(open.range, message).with_fix(fix);
        ctx.report(diagnostic);
    }
}

/// What an open port range exposes, or `None` when it is harmless.
fn describe(ports: Ports) -> Option<String> {
    if ports.from <= 1 && ports.to >= 65535 {
        return Some("every port".to_owned());
    }
    let exposed: Vec<String> = SENSITIVE_PORTS
        .iter()
        .filter(|(port, _)| ports.from <= *port && *port <= ports.to)
        .map(|(port, name)| format!("{name} (port {port})"))
        .collect();
    match exposed.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        _ => Some(format!(
            "ports {}-{}, including {}",
            ports.from,
            ports.to,
            exposed.join(", ")
        )),
    }
}

/// `0.0.0.0/0` and `::/0` among the literal addresses of these attributes.
fn open_addresses<'a>(body: &'a Body, names: &[&str]) -> Vec<&'a Expr> {
    let mut res = Vec::new();
    for name in names {
        let Some(attribute) = body.attribute(name) else {
            continue;
        };
        match &attribute.value.value {
            Value::List(items) => res.extend(items.iter().filter(|item| is_open(&item.value))),
            value if is_open(value) => res.push(&attribute.value),
            _ => {}
        }
    }
    res
}

fn is_open(value: &Value) -> bool {
    value.as_str().is_some_and(is_open_text)
}

/// An address range with a `/0` prefix, which covers every address whatever its address
/// part (`0.0.0.0/0`, `::/0`, and the unusual `10.0.0.0/0`).
fn is_open_text(text: &str) -> bool {
    text.trim()
        .split_once('/')
        .is_some_and(|(address, prefix)| prefix == "0" && !address.is_empty())
}

/// Ports of an AWS rule: `protocol = "-1"` (or `"all"`) means every port; otherwise
/// `from_port`..`to_port`. `None` when a value is unknown or the protocol has no ports.
fn aws_ports(body: &Body) -> Option<Ports> {
    let protocol = body
        .attribute("protocol")
        .or_else(|| body.attribute("ip_protocol"))
        .map(|a| &a.value.value)?;
    let protocol = match protocol {
        Value::Number(number) => number.clone(),
        Value::String(text) => text.to_ascii_lowercase(),
        _ => return None,
    };
    if matches!(protocol.as_str(), "-1" | "all") {
        return Some(ALL_PORTS);
    }
    if !matches!(protocol.as_str(), "tcp" | "udp" | "6" | "17") {
        return None;
    }
    let port = |name: &str| -> Option<u32> {
        let number = body.attribute(name)?.value.value.as_number()?;
        (0.0..=65535.0).contains(&number).then_some(number as u32)
    };
    let from = port("from_port")?;
    let to = port("to_port")?;
    Some(Ports { from, to })
}

/// Ports of a `google_compute_firewall` `allow` block.
fn google_ports(allow: &Body) -> Option<Ports> {
    let protocol = allow
        .attribute("protocol")?
        .value
        .value
        .as_str()?
        .to_ascii_lowercase();
    if protocol == "all" {
        return Some(ALL_PORTS);
    }
    if !matches!(protocol.as_str(), "tcp" | "udp") {
        return None;
    }
    let Some(ports) = allow.attribute("ports") else {
        return Some(ALL_PORTS);
    };
    widest(
        ports
            .value
            .value
            .items()
            .iter()
            .map(|item| item.value.as_str()),
    )
}

/// Ports of an `azurerm_network_security_rule`.
fn azure_ports(body: &Body) -> Option<Ports> {
    if let Some(range) = body.attribute("destination_port_range") {
        return parse_range(range.value.value.as_str()?);
    }
    let ranges = body.attribute("destination_port_ranges")?;
    widest(
        ranges
            .value
            .value
            .items()
            .iter()
            .map(|item| item.value.as_str()),
    )
}

/// The ranges covering every sensitive port among `ranges`: reported once, as the widest.
fn widest<'a>(ranges: impl Iterator<Item = Option<&'a str>>) -> Option<Ports> {
    let mut res: Option<Ports> = None;
    for range in ranges {
        let ports = parse_range(range?)?;
        if describe(ports).is_some() {
            res = Some(match res {
                Some(previous) if previous.to - previous.from >= ports.to - ports.from => previous,
                _ => ports,
            });
        }
    }
    res
}

/// `"22"`, `"1000-2000"` or `"*"`.
fn parse_range(text: &str) -> Option<Ports> {
    if text == "*" {
        return Some(ALL_PORTS);
    }
    let (from, to) = text.split_once('-').unwrap_or((text, text));
    Some(Ports {
        from: from.trim().parse().ok()?,
        to: to.trim().parse().ok()?,
    })
}

/// The open source addresses of an Azure rule: `*`, `Internet`, `0.0.0.0/0` and `::/0`.
fn azure_open_addresses(body: &Body) -> Vec<&Expr> {
    let is_open_azure = |value: &Value| {
        is_open(value)
            || value
                .as_str()
                .is_some_and(|text| text == "*" || text.eq_ignore_ascii_case("internet"))
    };
    let mut res = Vec::new();
    if let Some(prefix) = body.attribute("source_address_prefix")
        && is_open_azure(&prefix.value.value)
    {
        res.push(&prefix.value);
    }
    if let Some(prefixes) = body.attribute("source_address_prefixes") {
        res.extend(
            prefixes
                .value
                .value
                .items()
                .iter()
                .filter(|item| is_open_azure(&item.value)),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/ingress-open-to-internet/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/ingress-open-to-internet/quiet.tf");
    }

    #[test]
    fn fires_on_public_broker() {
        check_fixture("terraform/ingress-open-to-internet/fires-broker.tf");
    }

    #[test]
    fn fires_in_cloudformation() {
        check_fixture("terraform/ingress-open-to-internet/fires.yaml");
    }

    #[test]
    fn quiet_in_cloudformation() {
        check_fixture("terraform/ingress-open-to-internet/quiet.yaml");
    }
}
