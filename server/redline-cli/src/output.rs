//! Where a report goes: standard output, or the file named by `--output`.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// How an `--output` file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Written beside the file and moved over it once complete, so that the previous report
    /// stays in place (and is what the walk reads, should it be one of the inputs) until the
    /// new one is whole. `redline check` writes its report this way.
    WhenComplete,
    /// Truncated and written in place, as `std::fs::write` does: the other commands, which
    /// have read all their input before they write.
    InPlace,
}

/// Standard output, or an `--output` file.
pub enum Output {
    /// Standard output.
    Stdout(std::io::Stdout),
    /// An `--output` file.
    File {
        writer: BufWriter<File>,
        /// The file written while the report is incomplete; empty when writing `path` itself.
        partial: PathBuf,
        path: PathBuf,
    },
}

impl Output {
    /// Opens `path`, or standard output when there is none.
    pub fn open(path: Option<&Path>, replace: Replace) -> anyhow::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(std::io::stdout()));
        };
        // A device or pipe (`--output /dev/stdout`) is written directly.
        let direct = replace == Replace::InPlace
            || std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file());
        let partial = if direct {
            PathBuf::new()
        } else {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".partial");
            path.with_file_name(name)
        };
        let file = File::create(if direct { path } else { &partial })
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Output::File {
            writer: BufWriter::new(file),
            partial,
            path: path.to_owned(),
        })
    }

    /// Writes `text` whole to `path`, or to standard output.
    pub fn write_all(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
        let mut output = Output::open(path, Replace::InPlace)?;
        output.write(text.as_bytes())?;
        output.close()
    }

    /// Writes `bytes` after what is already written.
    pub fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Output::Stdout(stdout) => stdout
                .lock()
                .write_all(bytes)
                .context("cannot write to standard output"),
            Output::File { writer, path, .. } => writer
                .write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display())),
        }
    }

    /// Flushes what is written and, for a file written beside its path, moves it into place.
    pub fn close(mut self) -> anyhow::Result<()> {
        match &mut self {
            Output::Stdout(stdout) => stdout.flush().context("cannot write to standard output"),
            Output::File {
                writer,
                partial,
                path,
            } => {
                writer
                    .flush()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                if !partial.as_os_str().is_empty() {
                    std::fs::rename(&*partial, &*path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                // Renamed: nothing left for `drop` to remove.
                partial.clear();
                Ok(())
            }
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File { partial, .. } = self
            && !partial.as_os_str().is_empty()
        {
            let _ = std::fs::remove_file(&*partial);
        }
    }
}
