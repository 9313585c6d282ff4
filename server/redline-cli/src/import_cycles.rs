//! No module of `redline-cli` imports, directly or through other modules, a module that imports
//! it back. The graph is read from the `crate::` paths of the sources: `crate::render::text`
//! names `render`, `use crate::{a, b::c}` names `a` and `b`, and an item of the crate root
//! (`crate::Exit`) names `main`. Line comments are left out; `mod` declarations and `super::`
//! paths are not imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules by name, each with the modules it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn modules_import_without_cycles() {
    let graph = source_graph();
    for module in ["main", "args", "check", "emit", "render", "report"] {
        assert!(
            graph.contains_key(module),
            "no module `{module}` in {graph:?}"
        );
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "redline-cli modules import each other in a cycle: {}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn cycles_are_found_through_any_number_of_modules() {
    let graph = |edges: &[(&str, &str)]| {
        let mut res = Graph::new();
        for (from, to) in edges {
            res.entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned());
            res.entry((*to).to_owned()).or_default();
        }
        res
    };
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "a")])),
        Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()])
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")])),
        Some(vec![
            "b".to_owned(),
            "c".to_owned(),
            "d".to_owned(),
            "b".to_owned()
        ])
    );
}

#[test]
fn paths_name_the_modules_they_start_with() {
    let modules: BTreeSet<String> = ["args", "emit", "render", "report"]
        .map(str::to_owned)
        .into();
    // Built at run time, so that this file's own text names no module.
    let root = "crate";
    let text = format!(
        "use {root}::Exit;\nuse {root}::{{args::{{A, B}}, emit,\n    render::text::{{self, T}}}};\n\
         let x = {root}::report::Report {{ .. }};\n// {root}::check::run\nmy_{root}::check;\n"
    );
    let names: Vec<String> = imports(&text, &modules).into_iter().collect();
    assert_eq!(names, ["args", "emit", "main", "render", "report"]);
}

/// The import graph of the crate's sources.
fn source_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let module_of = |path: &Path| {
        let relative = path.strip_prefix(&src).expect("the walk starts at src");
        let first = relative
            .components()
            .next()
            .expect("a file under src has a name");
        let name = first.as_os_str().to_string_lossy();
        name.strip_suffix(".rs").unwrap_or(&name).to_owned()
    };
    let modules: BTreeSet<String> = files.iter().map(|path| module_of(path)).collect();
    let mut res = Graph::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("the crate's sources are readable");
        let module = module_of(path);
        let mut names = imports(&text, &modules);
        names.remove(&module);
        res.entry(module).or_default().extend(names);
    }
    res
}

fn rust_files(folder: &Path, res: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(folder).expect("the crate's source folders are readable");
    for entry in entries {
        let path = entry
            .expect("the crate's source folders are readable")
            .path();
        if path.is_dir() {
            rust_files(&path, res);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            res.push(path);
        }
    }
}

/// The modules that the `crate::` paths of `text` name; names that are not modules are items
/// of the crate root, `main`.
fn imports(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut res = BTreeSet::new();
    let mut name_of = |segment: &str| {
        let name: String = segment
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            return;
        }
        res.insert(if modules.contains(&name) {
            name
        } else {
            "main".to_owned()
        });
    };
    let code: String = text
        .lines()
        .map(|line| line.find("//").map_or(line, |index| &line[..index]))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(index) = rest.find("crate::") {
        let before = rest[..index].chars().next_back();
        let after = &rest[index + "crate::".len()..];
        rest = after;
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let Some(group) = after.trim_start().strip_prefix('{') else {
            name_of(after);
            continue;
        };
        // `{a, b::{c, d}}`: the first segment of each top-level item.
        let mut depth = 0;
        let mut item_start = 0;
        for (offset, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    name_of(&group[item_start..offset]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    name_of(&group[item_start..offset]);
                    item_start = offset + 1;
                }
                _ => {}
            }
        }
    }
    res
}

/// A cycle of `graph`, as the modules along it with the first repeated at the end; the first
/// found in name order, so the report is stable.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Open,
        Done,
    }
    fn visit<'a>(
        module: &'a str,
        graph: &'a Graph,
        states: &mut BTreeMap<&'a str, State>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match states.get(module) {
            Some(State::Done) => return None,
            Some(State::Open) => {
                let start = path
                    .iter()
                    .position(|open| *open == module)
                    .expect("an open module is on the path");
                let mut cycle: Vec<String> = path[start..]
                    .iter()
                    .map(|name| (*name).to_owned())
                    .collect();
                cycle.push(module.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        states.insert(module, State::Open);
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, states, path) {
                return Some(cycle);
            }
        }
        path.pop();
        states.insert(module, State::Done);
        None
    }
    let mut states = BTreeMap::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut states, &mut Vec::new()))
}
