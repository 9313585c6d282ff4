//! What is generated from the command-line definition: `--version` with the data versions,
//! shell completions and the manual page.

use std::io::Write as _;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::Exit;
use crate::args::{Cli, CompletionsArgs};

/// `redline --version`: the version, then each embedded data set with its version.
pub fn long_version() -> String {
    let mut res = env!("CARGO_PKG_VERSION").to_owned();
    for (name, version) in redline_rules::data_versions() {
        res.push_str(&format!("\n{name}: {version}"));
    }
    res
}

/// The command line with the long version filled in.
pub fn command() -> clap::Command {
    // clap keeps version strings for the life of the process; this one is built once.
    let version: &'static str = Box::leak(long_version().into_boxed_str());
    Cli::command().long_version(version)
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "redline", &mut out);
    write_stdout(&out)?;
    Ok(Exit::Clean)
}

/// The manual page, in roff: the command, then one section per subcommand with its
/// description and options.
pub fn man_page() -> anyhow::Result<Vec<u8>> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .context("cannot render the manual page")?;
    for sub in command.get_subcommands() {
        let name: &'static str = Box::leak(format!("redline {}", sub.get_name()).into_boxed_str());
        let sub = sub.clone().name(name);
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_synopsis_section(&mut section)
            .and_then(|()| man.render_description_section(&mut section))
            .and_then(|()| {
                if sub.get_arguments().any(|arg| !arg.is_hide_set()) {
                    man.render_options_section(&mut section)
                } else {
                    Ok(())
                }
            })
            .context("cannot render the manual page")?;
        let section = String::from_utf8_lossy(&section)
            .replace(".SH SYNOPSIS", &format!(".SH \"{}\"", name.to_uppercase()))
            .replace(".SH DESCRIPTION\n", ".PP\n")
            .replace(".SH OPTIONS", ".SS Options");
        out.extend_from_slice(section.as_bytes());
    }
    Ok(out)
}

pub fn man() -> anyhow::Result<Exit> {
    write_stdout(&man_page()?)?;
    Ok(Exit::Clean)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}
