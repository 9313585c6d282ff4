//! End-to-end: random edits of Kubernetes streams in the language server, with its diagnostics
//! compared every few edits with those of a fresh `redline` process run on the same texts.
//!
//! The server keeps what it read of a YAML stream between versions: the syntax tree of each part
//! of a long stream (only the parts an edit reaches are parsed again) and the data documents
//! (only those whose text an edit changed are built again). The CLI reads everything from
//! scratch. Two committed streams are open: one long enough to be parsed in parts
//! (`manifests.yaml`) and a short one in another folder (`small/rbac.yaml`). After every
//! `CHECK_EVERY` edits (typed characters, deleted ranges, pasted and deleted documents and lines,
//! replaced values, unbalanced brackets and quotes, undos), the diagnostics the client pulls for
//! each document must equal what `redline diff --all` (for a document whose text differs from the
//! commit) or `redline check` (for one equal to it) reports for the same file: rule id, start,
//! end, severity and message. The seed is fixed and printed on failure;
//! `REDLINE_RANDOM_EDITS_SEED=N` replays another one.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support {
    pub mod git;
    #[allow(dead_code)]
    pub mod lsp_client;
    pub mod random_edits;
}

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use serde_json::json;
use support::git::git;
use support::lsp_client::{LspClient, file_uri};
use support::random_edits::{
    Edit, Rewind, Rng, Seen, cli_findings, from_lsp, minimal_edit, position, replace_value, undo,
    undo_to_balanced,
};

/// The seed used unless `REDLINE_RANDOM_EDITS_SEED` names another.
const SEED: u64 = 0x5eed_2026_1207;

/// How many edits the run makes.
const N_EDITS: usize = 300;

/// How many edits are made between two comparisons (the last edit is always compared).
const CHECK_EVERY: usize = 10;

/// The rule id of a syntax error.
const SYNTAX_ERROR: &str = "RL-META-001";

/// The documents the long stream is made of, in turn: most are harmless, some hold findings (a
/// privileged container, a host path, wildcard RBAC, a cluster-admin binding, a volume deleted
/// with its claim). `{i}` is replaced by the document's number, so that every object has its own
/// name. Non-ASCII text makes UTF-16 columns differ from byte and character columns.
const DOCUMENTS: &[&str] = &[
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  labels:\n    team: café\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web-{i}\n  template:\n    metadata:\n      labels:\n        app: web-{i}\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/web:{i}\n          securityContext:\n            privileged: false\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i}\ndata:\n  greeting: \"héllo 🚀\"\n  mode: fast\n",
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent-{i}\nspec:\n  selector:\n    matchLabels: {app: agent-{i}}\n  template:\n    spec:\n      containers:\n        - name: agent\n          image: example/agent:{i}\n          securityContext:\n            privileged: true\n      volumes:\n        - name: docker\n          hostPath:\n            path: /var/run/docker.sock\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader-{i}\nrules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\", \"list\"]\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-{i}\nspec:\n  selector:\n    app: web-{i}\n  ports:\n    - port: 80\n      targetPort: 8080\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: deployer-{i}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: deployer\n    namespace: ci\n",
    "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: data-{i}\nspec:\n  capacity:\n    storage: 10Gi\n  persistentVolumeReclaimPolicy: Retain\n",
    "# Objects of the orders team (中).\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db-{i}\nspec:\n  serviceName: db-{i}\n  selector:\n    matchLabels:\n      app: db-{i}\n  template:\n    metadata:\n      labels:\n        app: db-{i}\n    spec:\n      containers:\n        - name: db\n          image: example/db:{i}\n",
];

/// How many lines the long stream has at least: more than twice the lines tree-sitter-yaml is
/// given in one parse (2,048), so that it is parsed in several parts.
const LONG_LINES: usize = 5_000;

/// The short stream.
const SMALL: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: ci\nrules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\", \"patch\"]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: debug # naïve\nspec:\n  containers:\n    - name: shell\n      image: busybox\n      securityContext:\n        runAsUser: 1000\n";

/// Documents pasted at the start of a line: dangerous ones and harmless ones.
const PASTED_DOCUMENTS: &[&str] = &[
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: root-🚀\nspec:\n  hostNetwork: true\n  containers:\n    - name: main\n      image: busybox\n      securityContext:\n        privileged: true\n---\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: everything\nrules:\n  - apiGroups: [\"*\"]\n    resources: [\"*\"]\n    verbs: [\"*\"]\n---\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n---\n",
    "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: ebs.csi.aws.com\nreclaimPolicy: Delete\n---\n",
];

/// Lines pasted at the start of a line, usually inside a document.
const LINES: &[&str] = &[
    "          privileged: true\n",
    "  hostPID: true\n",
    "      hostNetwork: true\n",
    "# redline:ignore RL-K8S-108\n",
    "  namespace: prod-é\n",
    "    - apiGroups: [\"*\"]\n",
];

/// Values replaced in place, each way.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("privileged: false", "privileged: true"),
    ("Retain", "Delete"),
    ("cluster-admin", "view"),
    ("\"get\", \"list\"", "\"*\""),
    ("kind: Deployment", "kind: StatefulSet"),
    ("name: web-", "name: site-"),
    ("replicas: 2", "replicas: 0"),
    ("/var/run/docker.sock", "/srv/data"),
];

/// Characters typed one at a time; the brackets and quotes that break YAML are mostly left to
/// the edits that break the syntax on purpose, so that many comparisons are of texts that parse.
const TYPED: &[char] = &[
    'a', 'e', 's', '-', '1', ' ', ' ', ':', '.', '\n', '\n', '#', '[', '*', 'é', '🚀', '中',
];

/// The long stream as committed.
fn long_stream() -> String {
    let mut res = String::new();
    let mut index = 0;
    while res.matches('\n').count() < LONG_LINES {
        if index > 0 {
            res.push_str("---\n");
        }
        let document = DOCUMENTS[index % DOCUMENTS.len()];
        res.push_str(&document.replace("{i}", &index.to_string()));
        index += 1;
    }
    res
}

/// A random character boundary of `text` (its end included).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The start of a random line of `text`.
fn line_start(rng: &mut Rng, text: &str) -> usize {
    let at = boundary(rng, text);
    text[..at].rfind('\n').map_or(0, |newline| newline + 1)
}

/// The byte range of a random document of `text`, its `---` line included, or `None` when the
/// text has a single document.
fn document(rng: &mut Rng, text: &str) -> Option<(usize, usize)> {
    let markers: Vec<usize> = text
        .match_indices("\n---\n")
        .map(|(offset, _)| offset + 1)
        .collect();
    if markers.is_empty() {
        return None;
    }
    let index = rng.below(markers.len());
    let start = markers[index];
    let end = markers.get(index + 1).copied().unwrap_or(text.len());
    Some((start, end))
}

/// Whether every line of `text` holds an even number of quotes and its brackets balance: a
/// rough sign that it parses.
fn looks_balanced(text: &str) -> bool {
    text.lines().all(|line| line.matches('"').count() % 2 == 0)
        && text.matches('{').count() == text.matches('}').count()
        && text.matches('[').count() == text.matches(']').count()
}

/// Chooses the next edit of the open document `file`.
fn random_edit(
    rng: &mut Rng,
    file: usize,
    texts: &[String],
    committed: &[String],
    history: &[Vec<String>],
) -> Edit {
    let text = &texts[file];
    let committed = committed[file].as_str();
    let insert = |start: usize, text: String, kind| Edit {
        file,
        start,
        end: start,
        text,
        kind,
        rewind: Rewind::No,
    };
    let roll = rng.below(100);
    if roll < 40 && text.len() > committed.len() + 4_000 {
        return minimal_edit(
            file,
            text,
            committed,
            "revert the file (too long)",
            Rewind::All,
        );
    }
    match roll {
        0..15 => {
            let at = boundary(rng, text);
            insert(at, rng.pick(TYPED).to_string(), "type a character")
        }
        15..25 => {
            let at = line_start(rng, text);
            insert(
                at,
                (*rng.pick(PASTED_DOCUMENTS)).to_owned(),
                "paste a document",
            )
        }
        25..35 => {
            let at = line_start(rng, text);
            insert(at, (*rng.pick(LINES)).to_owned(), "paste a line")
        }
        35..40 => {
            let at = boundary(rng, text);
            let unbalanced = *rng.pick(&["[", "{", "\"", ": :"]);
            insert(at, unbalanced.to_owned(), "break the syntax")
        }
        40..48 => {
            let start = boundary(rng, text);
            let n_chars = 1 + rng.below(24);
            let end = text[start..]
                .char_indices()
                .nth(n_chars)
                .map_or(text.len(), |(offset, _)| start + offset);
            Edit {
                file,
                start,
                end,
                text: String::new(),
                kind: "delete a range",
                rewind: Rewind::No,
            }
        }
        48..54 => match document(rng, text) {
            Some((start, end)) => Edit {
                file,
                start,
                end,
                text: String::new(),
                kind: "delete a document",
                rewind: Rewind::No,
            },
            None => insert(
                0,
                (*rng.pick(PASTED_DOCUMENTS)).to_owned(),
                "paste a document",
            ),
        },
        54..72 => replace_value(rng, file, text, REPLACEMENTS).unwrap_or_else(|| {
            let at = line_start(rng, text);
            insert(at, (*rng.pick(LINES)).to_owned(), "paste a line")
        }),
        72..84 => undo(file, text, &history[file], committed),
        84..97 => undo_to_balanced(file, text, &history[file], committed, looks_balanced),
        _ => minimal_edit(file, text, committed, "revert the file", Rewind::All),
    }
}

/// What a fresh `redline` process reports for the open file `index`, given the current `texts`
/// of every file: `check` when it is at its committed text, else `diff --all` of its committed
/// text against its current one, both run in the `new` folder of `scratch` so that they name the
/// file as the server does. The file is judged alone, as the server judges it: given two
/// folders, `diff` judges all their manifests as one set.
fn fresh_findings(
    scratch: &Path,
    names: &[&str],
    committed: &[String],
    texts: &[String],
    index: usize,
) -> Vec<Seen> {
    let name = names[index];
    let old = scratch.join("old").join(name);
    let new = scratch.join("new");
    std::fs::write(new.join(name), &texts[index]).unwrap();
    std::fs::write(&old, &committed[index]).unwrap();
    let found = if texts[index] == committed[index] {
        cli_findings(&new, &["check", "--format", "json", name])
    } else {
        cli_findings(
            &new,
            &[
                "diff",
                "--all",
                "--format",
                "json",
                old.to_str().unwrap(),
                name,
            ],
        )
    };
    let mut res: Vec<Seen> = found
        .into_iter()
        .filter(|(path, _)| path == name)
        .map(|(_, seen)| seen)
        .collect();
    res.sort();
    res
}

#[test]
fn random_yaml_edits_match_a_fresh_run() {
    let seed = std::env::var("REDLINE_RANDOM_EDITS_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(SEED);
    // Printed with the test's output when anything below fails.
    eprintln!("seed {seed}");
    let started = Instant::now();
    let names = ["manifests.yaml", "small/rbac.yaml"];
    let committed = [long_stream(), SMALL.to_owned()];
    let workspace = tempfile::tempdir().unwrap();
    let root = workspace.path();
    let scratch = tempfile::tempdir().unwrap();
    for folder in [
        root.to_owned(),
        scratch.path().join("old"),
        scratch.path().join("new"),
    ] {
        std::fs::create_dir_all(folder.join("small")).unwrap();
    }
    for (name, text) in names.iter().zip(&committed) {
        std::fs::write(root.join(name), text).unwrap();
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);

    let mut client = LspClient::start(root);
    let init = client.initialize(
        root,
        json!({
            "textDocument": {
                "diagnostic": {"dynamicRegistration": false},
                "publishDiagnostics": {"versionSupport": true}
            },
            "workspace": {"diagnostics": {"refreshSupport": true}}
        }),
        json!({"scanWorkspace": false, "debounceMs": 0}),
    );
    assert!(
        init["capabilities"]["diagnosticProvider"].is_object(),
        "{init}"
    );
    let mut texts: Vec<String> = committed.to_vec();
    let mut history: Vec<Vec<String>> = vec![Vec::new(); names.len()];
    let mut versions = vec![1_i64; names.len()];
    let uris: Vec<String> = names
        .iter()
        .map(|name| file_uri(&root.join(name)))
        .collect();
    for (uri, text) in uris.iter().zip(&texts) {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    let mut rng = Rng::new(seed);
    let mut recent: Vec<String> = Vec::new();
    let mut n_compared = 0;
    let mut n_parsed = 0;
    let mut n_edited_and_parsed = 0;
    let mut n_findings = 0;
    let mut rules: BTreeSet<String> = BTreeSet::new();
    for n_edit in 1..=N_EDITS {
        // Most edits go to the long stream.
        let file = usize::from(rng.below(4) == 0);
        let edit = random_edit(&mut rng, file, &texts, &committed, &history);
        let text = &mut texts[edit.file];
        let range = json!({"start": position(text, edit.start), "end": position(text, edit.end)});
        versions[edit.file] += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uris[edit.file], "version": versions[edit.file]},
                   "contentChanges": [{"range": range, "text": edit.text}]}),
        );
        recent.push(format!(
            "{n_edit}: {} in {}, {range}: {:?}",
            edit.kind, names[edit.file], edit.text
        ));
        match edit.rewind {
            Rewind::No => history[edit.file].push(text.clone()),
            Rewind::All => history[edit.file].clear(),
            Rewind::One => {
                history[edit.file].pop();
            }
            Rewind::ToBalanced => {
                let earlier = &mut history[edit.file];
                while earlier.pop().is_some_and(|text| !looks_balanced(&text)) {}
            }
        }
        text.replace_range(edit.start..edit.end, &edit.text);
        if n_edit % CHECK_EVERY != 0 && n_edit != N_EDITS {
            continue;
        }
        n_compared += 1;
        for (index, uri) in uris.iter().enumerate() {
            let expected = fresh_findings(scratch.path(), &names, &committed, &texts, index);
            let pulled = client
                .request(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri}}),
                )
                .unwrap();
            let result_id = pulled["resultId"].as_str().unwrap_or_default();
            assert_eq!(
                result_id.split('.').next(),
                Some(versions[index].to_string().as_str()),
                "{pulled}"
            );
            let lines: Vec<&str> = texts[index].split('\n').collect();
            let mut served: Vec<Seen> = pulled["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|diagnostic| from_lsp(&lines, diagnostic))
                .collect();
            served.sort();
            let parsed = served.iter().all(|seen| seen.rule != SYNTAX_ERROR);
            n_parsed += usize::from(parsed);
            n_edited_and_parsed += usize::from(parsed && texts[index] != committed[index]);
            n_findings += served.len();
            rules.extend(served.iter().map(|seen| seen.rule.clone()));
            if served != expected {
                let diff: Vec<String> = served
                    .iter()
                    .filter(|seen| !expected.contains(seen))
                    .map(|seen| format!("+ server only: {seen:?}"))
                    .chain(
                        expected
                            .iter()
                            .filter(|seen| !served.contains(seen))
                            .map(|seen| format!("- fresh run only: {seen:?}")),
                    )
                    .collect();
                panic!(
                    "seed {seed}, after edit {n_edit}: the server and a fresh run disagree on \
                     {}\n--- the last edits:\n{}\n--- the difference:\n{}",
                    names[index],
                    recent.join("\n"),
                    diff.join("\n"),
                );
            }
        }
        recent.clear();
    }
    assert_eq!(client.shutdown().code(), Some(0));
    eprintln!(
        "seed {seed}: {N_EDITS} edits, {n_compared} comparisons of {} documents ({n_parsed} \
         without a syntax error, {n_edited_and_parsed} of them edited), {n_findings} findings \
         of {} rules, in {:.1?}",
        n_compared * names.len(),
        rules.len(),
        started.elapsed()
    );
    // Most comparisons are of broken texts, which both front-ends judge through the repair of
    // the edit; these make sure that texts that parse, edited and not, are compared too.
    assert!(
        n_parsed >= n_compared / 6 && n_edited_and_parsed >= 2,
        "seed {seed}: only {n_parsed} documents compared without a syntax error, \
         {n_edited_and_parsed} of them edited"
    );
    assert!(rules.len() >= 6, "seed {seed}: only the rules {rules:?}");
}
