//! A temporary folder to run the real `redline` binary in, and helpers to read its output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary folder to run `redline` in.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A sandbox holding a copy of `tests/data/<name>`.
    pub fn with_data(name: &str) -> Self {
        let sandbox = Self::new();
        copy_tree(&data_dir().join(name), sandbox.path());
        sandbox
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative)).unwrap()
    }

    pub fn read_bytes(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.path().join(relative)).unwrap()
    }

    /// A symbolic link at `relative` to `target`.
    pub fn link(&self, target: impl AsRef<Path>, relative: &str) {
        std::os::unix::fs::symlink(target, self.path().join(relative)).unwrap();
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_redline"));
        command
            .args(args)
            .current_dir(self.path())
            .env("REDLINE_TODAY", "2026-06-01")
            .env_remove("NO_COLOR");
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Validates `file` against the JUnit schema with libxml2's `xmllint` (Debian's
/// `libxml2-utils`, which `./x test` installs).
pub fn xmllint_junit(file: &Path) {
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(data_dir().join("junit.xsd"))
        .arg(file)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run xmllint ({error}): apt-get install libxml2-utils")
        });
    assert!(
        output.status.success(),
        "{} does not validate:\n{}\n{}",
        file.display(),
        stderr(&output),
        std::fs::read_to_string(file).unwrap()
    );
}
