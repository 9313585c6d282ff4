//! End-to-end: redline pointed at hostile repositories and hostile input, as an attacker would
//! prepare them. Each test plants an attack and shows, through a marker file or the output,
//! that it did nothing. See SECURITY.md for the threat model these tests back.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support {
    pub mod git;
    #[allow(dead_code)]
    pub mod lsp_client;
    pub mod sandbox;
}

#[path = "hostile_cases/config.rs"]
mod config;
#[path = "hostile_cases/git.rs"]
mod git;
#[path = "hostile_cases/symlinks.rs"]
mod symlinks;
#[path = "hostile_cases/terminal.rs"]
mod terminal;
