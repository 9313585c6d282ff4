//! The `redline` command.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod baseline;
mod check;
mod cli_docs;
mod diff_cmd;
mod emit;
mod escape;
mod findings;
mod gate;
mod hook;
#[cfg(test)]
mod import_cycles;
mod init;
mod mcp;
mod merge_reports;
mod output;
mod plan_cmd;
mod progress;
mod render;
mod report;
mod repository;
mod rules_cmd;
mod shard;
mod write;

use std::io::Write as _;
use std::process::ExitCode;

use clap::FromArgMatches as _;

use crate::args::{Cli, Command};

/// The process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// No finding at or above the fail level.
    Clean = 0,
    /// Findings at or above the fail level.
    Findings = 1,
    /// A usage, configuration or I/O error.
    Error = 2,
}

fn main() -> ExitCode {
    let cli = match Cli::from_arg_matches(&cli_docs::command().get_matches()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let outcome = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan_cmd::run(&args),
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Hook(args) => hook::run(&args),
        Command::Gate(args) => gate::run(&args),
        Command::Rules(args) => rules_cmd::list(&args),
        Command::Explain(args) => rules_cmd::explain(&args),
        Command::Lsp(_) => redline_lsp::run(redline_lsp::ServerOptions::default())
            .map(|()| Exit::Clean)
            .map_err(anyhow::Error::from),
        Command::Mcp(args) => mcp::run(&args),
        Command::MergeReports(args) => merge_reports::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => cli_docs::completions(&args),
        Command::Man => cli_docs::man(),
    };
    let exit = match outcome {
        Ok(exit) => exit,
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            // Error chains name files and quote configuration snippets from the repository.
            let message = format!("{error:#}");
            let _ = writeln!(stderr, "redline: error: {}", escape::lines(&message));
            Exit::Error
        }
    };
    ExitCode::from(exit as u8)
}
