//! The floor under `redline check`: the same walk, reads and parses, with no rules.
//!
//! `cargo run --release --example parse_only -p redline-workspace -- PATH...` walks the paths
//! as `redline check` does, reads every file, detects its format and parses it (tree-sitter
//! trees, the value model of JSON, YAML and TOML documents, the line index), in parallel, and
//! prints one JSON line: how many files parsed, how many bytes were read and the seconds taken.
//! `bench/run.py` divides the time of `redline check` by this one to get the analysis
//! overhead.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use redline_syntax::parse_source;
use redline_workspace::{DiscoverOptions, discover, read_source};

fn main() {
    let start = Instant::now();
    let mut paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let cwd = std::env::current_dir().expect("the current folder");
    let discovery = match discover(&DiscoverOptions {
        paths: &paths,
        config_file: None,
        cwd: &cwd,
    }) {
        Ok(discovery) => discovery,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "parse_only: {error}");
            std::process::exit(2);
        }
    };
    let (parsed, bytes) = discovery
        .files
        .par_iter()
        .map(|file| match read_source(file) {
            Ok(Some(source)) => {
                let parsed = parse_source(&file.display, &source.text, file.hints).is_some();
                (usize::from(parsed), source.text.len())
            }
            _ => (0, 0),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let _ = writeln!(
        std::io::stdout(),
        "{{\"files\": {parsed}, \"bytes\": {bytes}, \"seconds\": {:.4}}}",
        start.elapsed().as_secs_f64()
    );
}
