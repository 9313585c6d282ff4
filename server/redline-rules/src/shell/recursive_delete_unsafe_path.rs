use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A recursive `rm` (`-r`, in any flag order, with or without `-f`) or a `find … -delete`/`find … -exec rm` of:
    /// - the root: `/`, `/*`, and anything with `--no-preserve-root`;
    /// - a system folder or everything in it: `/etc`, `/usr`, `/var`, `/bin`, `/lib`, `/boot`, `/opt`, `/srv`, `/home`, `/root` and the like, also written `/tmp/../etc`;
    /// - a folder where a service keeps its data: `/var/lib/postgresql`, `/var/lib/mysql`, `/var/lib/docker`, `/var/lib/etcd`, `/var/www` and the like;
    /// - the home folder (`~`, `~/*`, `$HOME`, `/home/NAME`, `/Users/NAME`), a home folder that holds keys and credentials (`~/.ssh`, `~/.aws`, `~/.kube`, `~/.gnupg`, `~/.config`, `~/.docker`, `~/.azure`), or one that holds a person's own work (`~/Documents`, `~/projects`, `~/src`, `~/code`, `~/Desktop` and the like);
    /// - the work tree: `.`, `./*`, `*`, `**`, `.*`, `..`, `"$PWD"`, `$(pwd)/*`, and `.git`;
    /// - a path that becomes one of those when a leading variable is empty or unset: `"$DIR/"`, `$DIR/*`, `"$PREFIX/etc"`, `"$A/$B"`.
    ///
    /// Also `xargs rm -rf` and `parallel rm -rf {}`, which delete whatever arrives on their input; with a literal input (`echo / | xargs rm -rf`, `::: /`) each item is judged as a path.
    /// In a command line a coding agent is about to run (`redline hook`), also as warnings: other system folders (`/usr/local`, `/etc/nginx`), other folders of the home (`~/.vim`), absolute paths outside the work tree (`/data/db`), and paths outside the folder the command runs in (`../other-repo`).
    /// Caches, build output and temporary folders are never flagged: `/tmp`, `$TMPDIR/…`, `~/.cache`, `node_modules`, `target/`, `dist/`, `build/`.
    /// A path under a variable that stays harmless when the variable is empty is not flagged: `"$TMPDIR/build"` becomes `/build`.
    /// `find` is not flagged when it starts below those folders (`find ./build -delete`) or narrows what it deletes by name or path (`-name`, `-path`, `-regex`, `-empty`).
    /// In CI jobs, image builds and pods, `~/.ssh` and `.git` belong to a throwaway copy and are not flagged.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    /// A variable that the text above assigns a value with literal characters
    /// (`BUILD_DIR="$ROOT/build"`, `OUT_DIR=$(ROOT)/bin` in a Makefile) cannot be empty, and
    /// does not make its path dangerous.
    ///
    /// ## Why it matters
    /// If `DIR` is unset or empty, `rm -rf "$DIR/"` becomes `rm -rf /`.
    /// The other targets delete the machine's files, the user's files and credentials, or the whole checkout with its history; none of it comes back.
    ///
    /// ## Example
    /// ```sh
    /// rm -rf "$BUILD_DIR/"
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// rm -rf "${BUILD_DIR:?}/"
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `$DIR` with `${DIR:?}`, which stops the command with an error when the variable is unset or empty. It is safe: when the variable is set, the command does exactly what it did before.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-013 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    RecursiveDeleteUnsafePath {
        id: "RL-SH-013", name: "recursive-delete-unsafe-path",
        summary: "A recursive delete targets the root, a system or home folder, the work tree or a possibly empty variable",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-013");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/recursive-delete-unsafe-path/fires.sh");
    }

    #[test]
    fn fires_on_literal_targets() {
        check_fixture("shell/recursive-delete-unsafe-path/fires-targets.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/recursive-delete-unsafe-path/quiet.sh");
    }
}
