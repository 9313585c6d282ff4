//! The progress bar of long `check` runs: on standard error, only when it is a terminal, and
//! never for machine-readable formats (the caller decides that).

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs with fewer files finish before a bar would be worth drawing.
const MIN_FILES: usize = 50;

/// A bar over `n_files` files, hidden unless `wanted`, standard error is a terminal and
/// `TERM` is not `dumb`.
pub fn bar(n_files: usize, wanted: bool) -> ProgressBar {
    let terminal = std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
    if !wanted || !terminal || n_files < MIN_FILES {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(n_files).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    bar
}
