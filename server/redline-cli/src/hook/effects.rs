//! What a shell command does to the files redline judges, simulated in memory.
//!
//! The command's steps run in order over an overlay of the working tree: `rm`, `git rm`, `mv`,
//! `cp`, output redirections of `echo`, `printf` and `cat` (with here-documents), `tee`,
//! `truncate`, `touch`, `sed -i`, `perl -pi`, and `git checkout`/`git restore` of paths, with
//! `cd` followed within its subshell. Nothing runs and nothing is written: files are read
//! from disk only inside the repository that holds the folder the command runs in, and the
//! committed text comes from git as the diff base does. The files redline judges that end up
//! different are judged as one edit, as a file write is. What cannot be known before the
//! command runs (text computed at run time, a `sed` script that cannot be simulated exactly, a
//! path holding a variable) is said, so that the hook asks rather than allows.
//!
//! `kubectl delete -f` reads the manifests it names to say which objects it deletes, and
//! `terraform destroy -target`, `apply -replace` and `state rm` read the module to say where the
//! resources they name are declared.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use redline_syntax::detect::is_candidate_path;
use redline_syntax::shell::{Word, is_short_cluster_with, program_name};
use redline_syntax::shell_steps::{Input, RedirectKind, Step, steps};
use redline_syntax::{Format, SourceHints};
use redline_text::TextRange;

use super::sed;
use crate::gate::Change;

/// The most text the simulation reads from one file.
const MAX_READ_BYTES: u64 = 16 * 1024 * 1024;

/// The most files a restore from `HEAD` reads through git.
const MAX_RESTORED_FILES: usize = 64;

/// What a command does to the files redline judges.
#[derive(Debug, Default)]
pub struct Effect {
    /// The judged files of the repository that the command changes, with their text after it,
    /// in the order the command first touches them.
    pub changes: Vec<Change>,
    /// What cannot be known before the command runs, one reason each.
    pub unknown: Vec<String>,
    /// What the objects a step names are: the step's range in the command, and the text.
    pub notes: Vec<(TextRange, String)>,
    /// Kubernetes objects deleted through the manifests that name them.
    pub deletions: Vec<Deletion>,
}

/// One Kubernetes object that `kubectl delete -f` deletes.
#[derive(Debug)]
pub struct Deletion {
    /// The range of the `kubectl` step in the command.
    pub range: TextRange,
    /// The command that deletes the object by name (`kubectl delete persistentvolumeclaim data`).
    pub command: String,
    /// The object and where its manifest declares it.
    pub object: String,
}

/// The effect of `command` run in `cwd`.
pub fn simulate(command: &str, cwd: &Path) -> Effect {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| normalize(cwd));
    let root = redline_workspace::git::work_tree(&cwd)
        .unwrap_or(&cwd)
        .to_path_buf();
    let mut simulation = Simulation {
        command,
        root,
        start: cwd.clone(),
        home: std::env::var_os("HOME").map(PathBuf::from),
        files: BTreeMap::new(),
        origins: BTreeMap::new(),
        order: Vec::new(),
        folders: vec![(Vec::new(), Some(cwd))],
        outputs: Vec::new(),
        effect: Effect::default(),
    };
    for step in steps(command) {
        simulation.step(&step);
    }
    simulation.finish()
}

/// What a file holds after the steps so far.
#[derive(Clone, Debug)]
enum State {
    Text(String),
    Deleted,
    /// Its text is only known at run time, for this reason.
    Unknown(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Folder,
    Missing,
}

/// A step's standard output, or why it is only known at run time.
type Output = Result<String, String>;

struct Simulation<'a> {
    command: &'a str,
    /// The repository (its canonical work tree), else the folder the command runs in.
    root: PathBuf,
    start: PathBuf,
    home: Option<PathBuf>,
    files: BTreeMap<PathBuf, State>,
    /// The file on disk each moved file came from, when its text is still that file's.
    origins: BTreeMap<PathBuf, PathBuf>,
    /// The files of `files` in the order first touched.
    order: Vec<PathBuf>,
    /// The folder each scope runs in, latest last; `None` when only known at run time.
    folders: Vec<(Vec<usize>, Option<PathBuf>)>,
    /// The standard output of each step, by its range, for the pipes that read it.
    outputs: Vec<(TextRange, Output)>,
    effect: Effect,
}

impl Simulation<'_> {
    fn step(&mut self, step: &Step) {
        let Some(first) = step.words.first() else {
            return;
        };
        let program = program_name(&first.text).to_owned();
        let args = &step.words[1..];
        // Truncation happens before the command runs: `cat a > a` reads an empty file.
        let out = self.stdout_target(step);
        for (path, kind) in &out.truncated {
            if *kind == RedirectKind::Write || *kind == RedirectKind::WriteAll {
                self.set(path, State::Text(String::new()));
            }
        }
        if step.wrappers.iter().any(|wrapper| wrapper == "xargs") && writes_files(&program) {
            // `echo a b | xargs rm`: the paths are the literal input.
            if let Ok(input) = self.stdin(step) {
                let items: Vec<&str> = input.split_whitespace().collect();
                let placeholder = step.words.iter().any(|word| word.text == "{}");
                for item in items {
                    let mut words = step.words.clone();
                    let literal = Word {
                        text: item.to_owned(),
                        has_expansion: false,
                        range: step.range,
                        expansions: Vec::new(),
                    };
                    if placeholder {
                        for word in &mut words {
                            if word.text == "{}" {
                                *word = literal.clone();
                            }
                        }
                    } else {
                        words.push(literal);
                    }
                    let expanded = Step {
                        words,
                        wrappers: Vec::new(),
                        input: Input::Inherited,
                        ..step.clone()
                    };
                    self.step(&expanded);
                }
                return;
            }
            self.unknown(step, "works on paths that `xargs` reads at run time");
            self.outputs
                .push((step.range, Err("it runs through `xargs`".to_owned())));
            return;
        }
        let output: Output = match program.as_str() {
            "cd" | "pushd" => {
                self.cd(step, args);
                Ok(String::new())
            }
            "popd" => {
                self.set_folder(step, None);
                Ok(String::new())
            }
            "rm" | "unlink" => {
                self.remove(step, args);
                Ok(String::new())
            }
            "mv" => {
                self.copy(step, args, true);
                Ok(String::new())
            }
            "cp" => {
                self.copy(step, args, false);
                Ok(String::new())
            }
            "touch" => {
                self.touch(step, args);
                Ok(String::new())
            }
            "git" => self.git(step, args),
            "echo" => echo(args),
            "printf" => printf(args),
            "cat" => self.cat(step, args),
            "tee" => self.tee(step, args),
            "truncate" => {
                self.truncate(step, args);
                Ok(String::new())
            }
            "sed" => self.sed(step, args),
            "perl" => self.perl(step, args),
            ":" | "true" => Ok(String::new()),
            "kubectl" | "oc" => {
                self.kubectl(step, args);
                Err("`kubectl` prints what the cluster says".to_owned())
            }
            "terraform" | "tofu" => {
                self.terraform(step, args);
                Err("`terraform` prints what it finds".to_owned())
            }
            "find" => {
                self.find(step, args);
                Err("`find` prints what it finds".to_owned())
            }
            "dd" => {
                self.dd(step, args);
                Err("`dd` copies data".to_owned())
            }
            other => Err(format!("`{other}` prints what it computes when it runs")),
        };
        if let Some(path) = &out.stdout {
            let (path, append) = path;
            let state = match &output {
                Ok(text) if *append => match self.state(path) {
                    State::Text(current) => State::Text(format!("{current}{text}")),
                    State::Deleted => State::Text(text.clone()),
                    State::Unknown(reason) => State::Unknown(reason),
                },
                Ok(text) => State::Text(text.clone()),
                Err(reason) => State::Unknown(reason.clone()),
            };
            self.write(step, path, state);
        }
        for path in &out.other {
            self.write(
                step,
                path,
                State::Unknown("it receives the command's error output".to_owned()),
            );
        }
        for path in &out.shared {
            self.write(
                step,
                path,
                State::Unknown("it receives the output of a group of commands".to_owned()),
            );
        }
        self.outputs.push((step.range, output));
    }

    fn finish(mut self) -> Effect {
        for path in std::mem::take(&mut self.order) {
            if !judged(&path) || !self.inside(&path) {
                continue;
            }
            let on_disk = read_disk(&path);
            match self.files.get(&path) {
                Some(State::Text(text))
                    if on_disk.as_ref().ok().and_then(Option::as_ref) != Some(text) =>
                {
                    // A file on disk that is not text is not judged: the change is unknown.
                    if let Err(reason) = &on_disk {
                        let shown = self.display(&path);
                        self.effect.unknown.push(format!(
                            "`{shown}` cannot be read before it changes: {reason}"
                        ));
                        continue;
                    }
                    let moved_from = self.origins.get(&path).cloned();
                    self.effect.changes.push(Change {
                        path,
                        proposed: Some(text.clone()),
                        moved_from,
                    });
                }
                // Only a file that exists, as text, is judged when deleted; a deleted binary
                // file is no file redline reads.
                Some(State::Deleted) if matches!(on_disk, Ok(Some(_))) => {
                    self.effect.changes.push(Change {
                        path,
                        proposed: None,
                        moved_from: None,
                    });
                }
                _ => {}
            }
        }
        self.effect
    }

    /// Records that part of `step`'s effect cannot be known, and why.
    fn unknown(&mut self, step: &Step, reason: &str) {
        let shown = self.shown(step);
        let message = format!("`{shown}` {reason}");
        if !self.effect.unknown.contains(&message) {
            self.effect.unknown.push(message);
        }
    }

    /// The step as written, on one line and at most 80 characters.
    fn shown(&self, step: &Step) -> String {
        let raw = self.command.get(step.range.to_std()).unwrap_or("");
        let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 80 {
            let cut: String = one_line.chars().take(77).collect();
            format!("{cut}...")
        } else {
            one_line
        }
    }

    /// A path as shown to people: relative to the folder the command runs in when inside it.
    fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.start)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    // ----- folders and paths -----

    fn folder(&self, step: &Step) -> Option<PathBuf> {
        self.folders
            .iter()
            .rev()
            .find(|(scope, _)| step.scope.starts_with(scope))
            .and_then(|(_, folder)| folder.clone())
    }

    fn set_folder(&mut self, step: &Step, folder: Option<PathBuf>) {
        self.folders.push((step.scope.clone(), folder));
    }

    fn cd(&mut self, step: &Step, args: &[Word]) {
        let operands = operands(args, &[]);
        let folder = match operands.as_slice() {
            [word] if !word.has_expansion && word.text != "-" => {
                let base = self.folder(step);
                let home = self.home.clone();
                resolve(&word.text, base.as_deref(), home.as_deref())
            }
            [] => self.home.clone(),
            _ => None,
        };
        self.set_folder(step, folder);
    }

    /// The files and folders a path operand names inside the repository; when that is only
    /// known at run time and may be a judged file, says so.
    fn paths(&mut self, step: &Step, word: &Word) -> Vec<PathBuf> {
        let text = word.text.as_str();
        if word.has_expansion {
            // The temporary folder is never inside the repository, set or not.
            let temporary = [
                "$TMPDIR",
                "${TMPDIR",
                "$RUNNER_TEMP",
                "${RUNNER_TEMP",
                "$(mktemp",
            ]
            .iter()
            .any(|start| text.starts_with(start));
            if may_matter(text) && !temporary {
                self.unknown(
                    step,
                    &format!("names `{text}`, a path only known at run time"),
                );
            }
            return Vec::new();
        }
        let folder = self.folder(step);
        if folder.is_none() && !text.starts_with('/') && may_matter(text) {
            self.unknown(step, "runs in a folder only known at run time");
            return Vec::new();
        }
        let home = self.home.clone();
        let (parent, name) = match text.rsplit_once('/') {
            Some((parent, name)) => (Some(parent), name),
            None => (None, text),
        };
        let is_glob = |part: &str| part.contains(['*', '?', '[']);
        if parent.is_some_and(is_glob) {
            if may_matter(text) {
                self.unknown(step, &format!("names `{text}`, a pattern of folders"));
            }
            return Vec::new();
        }
        if !is_glob(name) {
            return resolve(text, folder.as_deref(), home.as_deref())
                .filter(|path| self.inside(path))
                .into_iter()
                .collect();
        }
        let parent_text = match parent {
            Some("") => "/",
            Some(parent) => parent,
            None => ".",
        };
        let Some(parent) = resolve(parent_text, folder.as_deref(), home.as_deref()) else {
            return Vec::new();
        };
        if !self.inside(&parent) {
            return Vec::new();
        }
        let mut names: Vec<String> = std::fs::read_dir(&parent)
            .map(|listing| {
                listing
                    .filter_map(Result::ok)
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.extend(
            self.files
                .iter()
                .filter(|(path, state)| {
                    path.parent() == Some(parent.as_path()) && !matches!(state, State::Deleted)
                })
                .filter_map(|(path, _)| Some(path.file_name()?.to_string_lossy().into_owned())),
        );
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|candidate| wildcard(name, candidate))
            .map(|candidate| parent.join(candidate))
            .filter(|path| self.kind(path) != Kind::Missing)
            .collect()
    }

    /// Whether `path` lies inside the repository once its links are followed.
    fn inside(&self, path: &Path) -> bool {
        if !path.starts_with(&self.root) {
            return false;
        }
        // The deepest part that exists decides where links lead.
        let mut existing = path;
        let mut rest = Vec::new();
        loop {
            if std::fs::symlink_metadata(existing).is_ok() {
                break;
            }
            let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
                return false;
            };
            rest.push(name);
            existing = parent;
        }
        match existing.canonicalize() {
            Ok(real) => real.starts_with(&self.root),
            // A dangling link leads nowhere redline may read.
            Err(_) => false,
        }
    }

    // ----- the overlay -----

    fn kind(&self, path: &Path) -> Kind {
        match self.files.get(path) {
            Some(State::Text(_) | State::Unknown(_)) => return Kind::File,
            Some(State::Deleted) => {}
            None => match std::fs::metadata(path) {
                Ok(meta) if meta.is_dir() => return Kind::Folder,
                Ok(_) => return Kind::File,
                Err(_) => {}
            },
        }
        let holds_files = self.files.iter().any(|(other, state)| {
            other.starts_with(path) && other != path && !matches!(state, State::Deleted)
        });
        if holds_files {
            Kind::Folder
        } else {
            Kind::Missing
        }
    }

    fn state(&self, path: &Path) -> State {
        if let Some(state) = self.files.get(path) {
            return state.clone();
        }
        if !self.inside(path) {
            return State::Unknown("it is read from outside the repository".to_owned());
        }
        match read_disk(path) {
            Ok(Some(text)) => State::Text(text),
            Ok(None) => State::Deleted,
            Err(reason) => State::Unknown(reason),
        }
    }

    fn set(&mut self, path: &Path, state: State) {
        if !self.files.contains_key(path) {
            self.order.push(path.to_path_buf());
        }
        if matches!(state, State::Deleted) {
            self.origins.remove(path);
        }
        self.files.insert(path.to_path_buf(), state);
    }

    /// Moves a file: its text goes to `target`, which keeps the file on disk it came from as
    /// its origin.
    fn rename(&mut self, step: &Step, source: &Path, target: &Path) {
        let state = self.state(source);
        let origin = self.origins.get(source).cloned().or_else(|| {
            (!self.files.contains_key(source) && std::fs::metadata(source).is_ok())
                .then(|| source.to_path_buf())
        });
        self.set(source, State::Deleted);
        if self.inside(target) {
            self.write(step, target, state);
            if let Some(origin) = origin {
                self.origins.insert(target.to_path_buf(), origin);
            }
        }
    }

    /// Writes `state` to `path`, saying so when a judged file gets text only known at run time.
    fn write(&mut self, step: &Step, path: &Path, state: State) {
        if let State::Unknown(reason) = &state
            && judged(path)
        {
            let shown = self.display(path);
            self.unknown(
                step,
                &format!("writes `{shown}`, whose text is only known at run time: {reason}"),
            );
        }
        self.set(path, state);
    }

    /// The judged files below a folder, on disk and in the overlay.
    fn files_below(&self, folder: &Path, recursive: bool) -> Vec<PathBuf> {
        let mut res: Vec<PathBuf> = Vec::new();
        let options = redline_workspace::DiscoverOptions {
            paths: &[folder.to_path_buf()],
            config_file: None,
            cwd: &self.root,
        };
        if let Ok(found) = redline_workspace::discover(&options) {
            res.extend(found.files.into_iter().map(|job| normalize(&job.path)));
        }
        // Terraform's variable definitions are no candidates of their own.
        if let Ok(listing) = std::fs::read_dir(folder) {
            res.extend(
                listing
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|path| redline_workspace::is_module_file(&path.to_string_lossy())),
            );
        }
        res.extend(
            self.files
                .keys()
                .filter(|path| path.starts_with(folder))
                .cloned(),
        );
        res.retain(|path| {
            path.starts_with(folder)
                && (recursive || path.parent() == Some(folder))
                && self.kind(path) == Kind::File
        });
        res.sort();
        res.dedup();
        res
    }

    // ----- redirections and standard input -----

    fn stdout_target(&mut self, step: &Step) -> Redirected {
        let mut res = Redirected::default();
        let folder = self.folder(step);
        let home = self.home.clone();
        for redirect in &step.redirects {
            let writes = matches!(
                redirect.kind,
                RedirectKind::Write
                    | RedirectKind::Append
                    | RedirectKind::WriteAll
                    | RedirectKind::AppendAll
            );
            let stdout = matches!(redirect.descriptor, None | Some(1));
            if redirect.kind == RedirectKind::Duplicate {
                if stdout && !redirect.shared && redirect.target.text != "1" {
                    // `>&2`: standard output goes to a descriptor, not a file.
                    res.stdout = None;
                }
                continue;
            }
            if !writes {
                continue;
            }
            let target = &redirect.target;
            if target.has_expansion {
                if may_matter(&target.text) {
                    self.unknown(
                        step,
                        &format!("writes to `{}`, a path only known at run time", target.text),
                    );
                }
                continue;
            }
            let Some(path) = resolve(&target.text, folder.as_deref(), home.as_deref()) else {
                if may_matter(&target.text) {
                    self.unknown(step, "runs in a folder only known at run time");
                }
                continue;
            };
            if !self.inside(&path) {
                continue;
            }
            let append = matches!(
                redirect.kind,
                RedirectKind::Append | RedirectKind::AppendAll
            );
            if redirect.shared {
                res.shared.push(path);
            } else if stdout {
                res.truncated.push((path.clone(), redirect.kind));
                res.stdout = Some((path, append));
            } else {
                res.truncated.push((path.clone(), redirect.kind));
                res.other.push(path);
            }
        }
        res
    }

    /// What the step reads on standard input.
    fn stdin(&mut self, step: &Step) -> Output {
        let folder = self.folder(step);
        let home = self.home.clone();
        let from_file = step.redirects.iter().rev().find(|redirect| {
            redirect.kind == RedirectKind::Read
                && matches!(redirect.descriptor, None | Some(0))
                && !redirect.shared
        });
        if let Some(redirect) = from_file {
            if redirect.target.has_expansion {
                return Err("it reads a file only known at run time".to_owned());
            }
            return match resolve(&redirect.target.text, folder.as_deref(), home.as_deref())
                .map(|path| self.state(&path))
            {
                Some(State::Text(text)) => Ok(text),
                Some(State::Unknown(reason)) => Err(reason),
                _ => Err("it reads a file that is not there".to_owned()),
            };
        }
        match &step.input {
            Input::HereDocument(Some(text)) => Ok(text.clone()),
            Input::HereDocument(None) => {
                Err("its here-document expands values only known at run time".to_owned())
            }
            Input::HereString(word) if !word.has_expansion => Ok(format!("{}\n", word.text)),
            Input::HereString(_) => {
                Err("its here-string expands values only known at run time".to_owned())
            }
            Input::Pipe(Some(range)) => self
                .outputs
                .iter()
                .rev()
                .find(|(at, _)| at == range)
                .map_or_else(
                    || Err("it reads the output of another command".to_owned()),
                    |(_, output)| output.clone(),
                ),
            Input::Pipe(None) => Err("it reads the output of a group of commands".to_owned()),
            Input::Inherited => Err("it reads its standard input".to_owned()),
        }
    }

    // ----- commands -----

    fn remove(&mut self, step: &Step, args: &[Word]) {
        let recursive = ["-r", "-R", "--recursive"]
            .iter()
            .any(|flag| has_flag(args, flag));
        for word in operands(args, &[]) {
            for path in self.paths(step, word) {
                self.delete(&path, recursive);
            }
        }
    }

    fn delete(&mut self, path: &Path, recursive: bool) {
        match self.kind(path) {
            Kind::File => self.set(path, State::Deleted),
            Kind::Folder if recursive => {
                for file in self.files_below(path, true) {
                    self.set(&file, State::Deleted);
                }
            }
            Kind::Folder | Kind::Missing => {}
        }
    }

    fn touch(&mut self, step: &Step, args: &[Word]) {
        if has_flag(args, "-c") || has_flag(args, "--no-create") {
            return;
        }
        for word in operands(args, &["-d", "-t", "-r", "--date", "--reference"]) {
            if let Some(path) = self.single_path(step, word)
                && self.kind(&path) == Kind::Missing
            {
                self.set(&path, State::Text(String::new()));
            }
        }
    }

    /// The one path a word names (no pattern), inside the repository.
    fn single_path(&mut self, step: &Step, word: &Word) -> Option<PathBuf> {
        let mut paths = self.paths(step, word);
        if paths.len() == 1 { paths.pop() } else { None }
    }

    /// `mv` (`moving`) and `cp`, and `git mv`.
    fn copy(&mut self, step: &Step, args: &[Word], moving: bool) {
        let target_options = ["-t", "--target-directory", "-S", "--suffix"];
        let mut words = operands(args, &target_options);
        let target_folder = option_value(args, &["-t", "--target-directory"]);
        let no_target_folder = has_flag(args, "-T") || has_flag(args, "--no-target-directory");
        let recursive = moving
            || ["-r", "-R", "-a", "--recursive", "--archive"]
                .iter()
                .any(|flag| has_flag(args, flag));
        let no_clobber = has_flag(args, "-n") || has_flag(args, "--no-clobber");
        let destination_word = match target_folder {
            Some(word) => word,
            None => match words.pop() {
                Some(word) => word,
                None => return,
            },
        };
        if words.is_empty() {
            return;
        }
        let destination = if destination_word.has_expansion {
            None
        } else {
            let folder = self.folder(step);
            let home = self.home.clone();
            resolve(&destination_word.text, folder.as_deref(), home.as_deref())
        };
        let mut sources: Vec<(PathBuf, Kind)> = Vec::new();
        for word in &words {
            for path in self.paths(step, word) {
                let kind = self.kind(&path);
                sources.push((path, kind));
            }
        }
        let Some(destination) = destination else {
            let matters = may_matter(&destination_word.text)
                || sources.iter().any(|(path, _)| judged(path) || moving);
            if matters {
                self.unknown(
                    step,
                    &format!(
                        "writes to `{}`, a path only known at run time",
                        destination_word.text
                    ),
                );
                for (path, kind) in &sources {
                    if moving {
                        self.delete(path, *kind == Kind::Folder);
                    }
                }
            }
            return;
        };
        let into_folder = target_folder.is_some()
            || (!no_target_folder && self.kind(&destination) == Kind::Folder)
            || words.len() > 1;
        for (source, kind) in sources {
            let Some(name) = source.file_name() else {
                continue;
            };
            let target = if into_folder {
                destination.join(name)
            } else {
                destination.clone()
            };
            match kind {
                Kind::File => {
                    if no_clobber && self.kind(&target) != Kind::Missing {
                        continue;
                    }
                    if moving {
                        self.rename(step, &source, &target);
                        continue;
                    }
                    let state = self.state(&source);
                    if self.inside(&target) {
                        self.write(step, &target, state);
                    }
                }
                Kind::Folder if recursive => {
                    for file in self.files_below(&source, true) {
                        let Ok(relative) = file.strip_prefix(&source) else {
                            continue;
                        };
                        let target = target.join(relative);
                        if moving {
                            self.rename(step, &file, &target);
                            continue;
                        }
                        let state = self.state(&file);
                        if self.inside(&target) {
                            self.write(step, &target, state);
                        }
                    }
                }
                Kind::Folder | Kind::Missing => {}
            }
        }
    }

    fn git(&mut self, step: &Step, args: &[Word]) -> Output {
        // Global options before the sub-command; `-C DIR` moves the command.
        let mut index = 0;
        let mut folder_step = step.clone();
        while let Some(word) = args.get(index) {
            match word.text.as_str() {
                "-C" => {
                    let Some(value) = args.get(index + 1) else {
                        break;
                    };
                    let folder = self.folder(step);
                    let moved = if value.has_expansion {
                        None
                    } else {
                        resolve(&value.text, folder.as_deref(), self.home.as_deref())
                    };
                    // A scope of its own for this command only.
                    folder_step.scope.push(usize::MAX);
                    self.folders.push((folder_step.scope.clone(), moved));
                    index += 2;
                }
                "-c" | "--git-dir" | "--work-tree" | "--namespace" => index += 2,
                text if text.starts_with('-') => index += 1,
                _ => break,
            }
        }
        let step = &folder_step;
        let Some(sub) = args.get(index) else {
            return Err("`git` prints what it finds".to_owned());
        };
        let rest = &args[index + 1..];
        match sub.text.as_str() {
            // `--cached` removes from the index only.
            "rm" if !has_flag(rest, "--cached") => {
                let recursive = has_flag(rest, "-r");
                for word in operands(rest, &[]) {
                    if word.text.contains(['*', '?', '[']) {
                        if may_matter(&word.text) {
                            self.unknown(
                                step,
                                &format!("removes the files the pathspec `{}` matches", word.text),
                            );
                        }
                        continue;
                    }
                    for path in self.paths(step, word) {
                        self.delete(&path, recursive);
                    }
                }
            }
            "mv" => self.copy(step, rest, true),
            "checkout" => {
                let separator = rest.iter().position(|word| word.text == "--");
                let (source, paths): (Option<&Word>, Vec<&Word>) = match separator {
                    Some(at) => (
                        operands(&rest[..at], &["-b", "-B"]).first().copied(),
                        rest[at + 1..].iter().collect(),
                    ),
                    None => {
                        let words = operands(rest, &["-b", "-B"]);
                        // `git checkout BRANCH` switches branches; only paths that exist are
                        // restored.
                        let all_paths = !words.is_empty()
                            && words.iter().all(|word| {
                                !word.has_expansion
                                    && self
                                        .single_path(step, word)
                                        .is_some_and(|path| self.kind(&path) != Kind::Missing)
                            });
                        if !all_paths || has_flag(rest, "-b") || has_flag(rest, "-B") {
                            return Err("`git` prints what it does".to_owned());
                        }
                        (None, words)
                    }
                };
                self.restore(step, source, &paths);
            }
            "restore" => {
                let staged = has_flag(rest, "--staged") || has_flag(rest, "-S");
                let worktree = has_flag(rest, "--worktree") || has_flag(rest, "-W");
                if staged && !worktree {
                    return Err("`git` prints what it does".to_owned());
                }
                let source = option_value(rest, &["-s", "--source"]);
                let paths = operands(rest, &["-s", "--source"]);
                self.restore(step, source, &paths);
            }
            _ => {}
        }
        Err("`git` prints what it does".to_owned())
    }

    /// Puts paths back to their committed text.
    fn restore(&mut self, step: &Step, source: Option<&Word>, words: &[&Word]) {
        if let Some(source) = source
            && source.text != "HEAD"
        {
            if words.iter().any(|word| may_matter(&word.text)) {
                self.unknown(
                    step,
                    &format!("restores files from `{}`, which is not read", source.text),
                );
            }
            return;
        }
        let mut files = Vec::new();
        for word in words {
            for path in self.paths(step, word) {
                match self.kind(&path) {
                    Kind::Folder => files.extend(self.files_below(&path, true)),
                    _ => files.push(path),
                }
            }
        }
        files.retain(|path| judged(path));
        if files.len() > MAX_RESTORED_FILES {
            self.unknown(step, "restores more files than are read");
            return;
        }
        for path in files {
            if let Some(text) = redline_workspace::git::text_at_head(&path) {
                self.set(&path, State::Text(text));
            }
        }
    }

    fn cat(&mut self, step: &Step, args: &[Word]) -> Output {
        if args
            .iter()
            .any(|word| word.text.starts_with('-') && word.text.len() > 1 && word.text != "--")
        {
            return Err("`cat` with options is not simulated".to_owned());
        }
        let words = operands(args, &[]);
        if words.is_empty() {
            return self.stdin(step);
        }
        let mut res = String::new();
        for word in words {
            if word.text == "-" {
                res.push_str(&self.stdin(step)?);
                continue;
            }
            if word.has_expansion {
                return Err(format!(
                    "it reads `{}`, a path only known at run time",
                    word.text
                ));
            }
            if word.text == "/dev/null" {
                continue;
            }
            let paths = self.paths(step, word);
            if paths.is_empty() {
                return Err(format!("it reads `{}`, which is not read", word.text));
            }
            for path in paths {
                match self.state(&path) {
                    State::Text(text) => res.push_str(&text),
                    State::Unknown(reason) => return Err(reason),
                    State::Deleted => {}
                }
            }
        }
        Ok(res)
    }

    fn tee(&mut self, step: &Step, args: &[Word]) -> Output {
        let append = has_flag(args, "-a") || has_flag(args, "--append");
        let input = self.stdin(step);
        for word in operands(args, &["--output-error"]) {
            if word.text == "-" {
                continue;
            }
            for path in self.paths(step, word) {
                let state = match &input {
                    Ok(text) if append => match self.state(&path) {
                        State::Text(current) => State::Text(format!("{current}{text}")),
                        State::Deleted => State::Text(text.clone()),
                        State::Unknown(reason) => State::Unknown(reason),
                    },
                    Ok(text) => State::Text(text.clone()),
                    Err(reason) => State::Unknown(reason.clone()),
                };
                self.write(step, &path, state);
            }
            if word.has_expansion || self.folder(step).is_none() {
                // `paths` said why.
            }
        }
        input
    }

    fn truncate(&mut self, step: &Step, args: &[Word]) {
        let size = option_value(args, &["-s", "--size"]).map(|word| word.text.clone());
        let no_create = has_flag(args, "-c") || has_flag(args, "--no-create");
        for word in operands(args, &["-s", "--size", "-r", "--reference"]) {
            for path in self.paths(step, word) {
                if no_create && self.kind(&path) == Kind::Missing {
                    continue;
                }
                let state = match size.as_deref() {
                    Some("0") => State::Text(String::new()),
                    _ => State::Unknown("`truncate` cuts it to a size".to_owned()),
                };
                self.write(step, &path, state);
            }
        }
    }

    fn sed(&mut self, step: &Step, args: &[Word]) -> Output {
        let mut scripts = Vec::new();
        let mut in_place: Option<String> = None;
        let mut extended = false;
        let mut refused: Option<String> = None;
        let mut files = Vec::new();
        let mut index = 0;
        let mut options_done = false;
        while let Some(word) = args.get(index) {
            index += 1;
            let text = word.text.as_str();
            if options_done || !text.starts_with('-') || text == "-" {
                files.push(word);
                continue;
            }
            if text == "--" {
                options_done = true;
            } else if let Some(value) = text.strip_prefix("--expression=") {
                scripts.push((value.to_owned(), word.has_expansion));
            } else if text == "--expression" {
                if let Some(value) = args.get(index) {
                    scripts.push((value.text.clone(), value.has_expansion));
                    index += 1;
                }
            } else if text == "--in-place" {
                in_place = Some(String::new());
            } else if let Some(suffix) = text.strip_prefix("--in-place=") {
                in_place = Some(suffix.to_owned());
            } else if text == "--regexp-extended" {
                extended = true;
            } else if matches!(
                text,
                "--posix"
                    | "--sandbox"
                    | "--debug"
                    | "--separate"
                    | "--unbuffered"
                    | "--follow-symlinks"
            ) {
            } else if text.starts_with("--") {
                refused = Some(format!("the sed option `{text}` is not simulated"));
            } else {
                // A cluster of short options: `-i` takes the rest as its suffix, `-e` the rest
                // or the next word as a script.
                let cluster: Vec<char> = text[1..].chars().collect();
                let mut at = 0;
                while let Some(&flag) = cluster.get(at) {
                    at += 1;
                    match flag {
                        'i' => {
                            in_place = Some(cluster[at..].iter().collect());
                            break;
                        }
                        'e' => {
                            let rest: String = cluster[at..].iter().collect();
                            if rest.is_empty() {
                                if let Some(value) = args.get(index) {
                                    scripts.push((value.text.clone(), value.has_expansion));
                                    index += 1;
                                }
                            } else {
                                scripts.push((rest, word.has_expansion));
                            }
                            break;
                        }
                        'E' | 'r' => extended = true,
                        's' | 'u' => {}
                        'n' => refused = Some("`sed -n` is not simulated".to_owned()),
                        'f' => refused = Some("`sed -f` reads its script from a file".to_owned()),
                        other => {
                            refused = Some(format!("the sed option `-{other}` is not simulated"));
                        }
                    }
                }
            }
        }
        if scripts.is_empty() && !files.is_empty() {
            let script = files.remove(0);
            scripts.push((script.text.clone(), script.has_expansion));
        }
        let script = if let Some(reason) = refused {
            Err(reason)
        } else if scripts.iter().any(|(_, expands)| *expands) {
            Err("its sed script is only known at run time".to_owned())
        } else {
            let joined: Vec<&str> = scripts.iter().map(|(text, _)| text.as_str()).collect();
            sed::parse_sed(&joined.join("\n"), extended)
        };
        self.filter(step, script, in_place, &files)
    }

    fn perl(&mut self, step: &Step, args: &[Word]) -> Output {
        let mut code = Vec::new();
        let mut in_place: Option<String> = None;
        let mut prints = false;
        let mut refused: Option<String> = None;
        let mut files = Vec::new();
        let mut index = 0;
        let mut options_done = false;
        while let Some(word) = args.get(index) {
            index += 1;
            let text = word.text.as_str();
            if options_done || !text.starts_with('-') || text == "-" {
                files.push(word);
                continue;
            }
            if text == "--" {
                options_done = true;
                continue;
            }
            let cluster: Vec<char> = text[1..].chars().collect();
            let mut at = 0;
            while let Some(&flag) = cluster.get(at) {
                at += 1;
                match flag {
                    'p' => prints = true,
                    'i' => {
                        in_place = Some(cluster[at..].iter().collect());
                        break;
                    }
                    'e' | 'E' => {
                        let rest: String = cluster[at..].iter().collect();
                        if rest.is_empty() {
                            if let Some(value) = args.get(index) {
                                code.push((value.text.clone(), value.has_expansion));
                                index += 1;
                            }
                        } else {
                            code.push((rest, word.has_expansion));
                        }
                        break;
                    }
                    'l' | 'w' | 'W' | 'X' | 'T' | 't' | 'U' => {}
                    other => refused = Some(format!("the perl option `-{other}` is not simulated")),
                }
            }
        }
        let script = if let Some(reason) = refused {
            Err(reason)
        } else if !prints {
            Err("perl code without `-p` is not simulated".to_owned())
        } else if code.is_empty() {
            Err("perl reads its code from a file".to_owned())
        } else if code.iter().any(|(_, expands)| *expands) {
            Err("its perl code is only known at run time".to_owned())
        } else {
            let joined: Vec<&str> = code.iter().map(|(text, _)| text.as_str()).collect();
            sed::parse_perl(&joined.join("\n"))
        };
        self.filter(step, script, in_place, &files)
    }

    /// Runs a line filter over files in place, or over its input to standard output.
    fn filter(
        &mut self,
        step: &Step,
        script: Result<sed::Script, String>,
        in_place: Option<String>,
        files: &[&Word],
    ) -> Output {
        let Some(suffix) = in_place else {
            let script = script?;
            let mut input = String::new();
            if files.is_empty() {
                input = self.stdin(step)?;
            }
            for word in files {
                if word.has_expansion {
                    return Err(format!(
                        "it reads `{}`, a path only known at run time",
                        word.text
                    ));
                }
                for path in self.paths(step, word) {
                    match self.state(&path) {
                        State::Text(text) => input.push_str(&text),
                        State::Unknown(reason) => return Err(reason),
                        State::Deleted => {}
                    }
                }
            }
            return Ok(script.apply(&input));
        };
        for word in files {
            for path in self.paths(step, word) {
                if self.kind(&path) != Kind::File {
                    continue;
                }
                let state = match (&script, self.state(&path)) {
                    (Ok(script), State::Text(text)) => {
                        if !suffix.is_empty() {
                            let mut backup = path.clone().into_os_string();
                            backup.push(&suffix);
                            self.set(Path::new(&backup), State::Text(text.clone()));
                        }
                        State::Text(script.apply(&text))
                    }
                    (Err(reason), _) => State::Unknown(reason.clone()),
                    (_, other) => other,
                };
                self.write(step, &path, state);
            }
        }
        Ok(String::new())
    }

    fn find(&mut self, step: &Step, args: &[Word]) {
        let deletes = args.iter().any(|word| {
            matches!(
                word.text.as_str(),
                "-delete" | "-exec" | "-execdir" | "-ok" | "-okdir"
            )
        });
        if !deletes {
            return;
        }
        let patterns: Vec<&Word> = args
            .iter()
            .enumerate()
            .filter(|(_, word)| matches!(word.text.as_str(), "-name" | "-iname"))
            .filter_map(|(index, _)| args.get(index + 1))
            .collect();
        if patterns.is_empty() || patterns.iter().any(|pattern| may_matter(&pattern.text)) {
            self.unknown(
                step,
                "deletes or changes the files it finds, which are only known at run time",
            );
        }
    }

    fn dd(&mut self, step: &Step, args: &[Word]) {
        for word in args {
            if let Some(target) = word.text.strip_prefix("of=")
                && may_matter(target)
                && !target.starts_with("/dev/")
            {
                self.unknown(
                    step,
                    &format!("writes `{target}` with data only known at run time"),
                );
            }
        }
    }

    fn kubectl(&mut self, step: &Step, args: &[Word]) {
        let value_options = redline_rules::shell::catalog::value_options("kubectl");
        let positionals = operands(args, value_options);
        if positionals.first().map(|word| word.text.as_str()) != Some("delete") {
            return;
        }
        let recursive = has_flag(args, "-R") || has_flag(args, "--recursive");
        let namespace = option_value(args, &["-n", "--namespace"]).map(|word| word.text.clone());
        let mut filenames = Vec::new();
        for (index, word) in args.iter().enumerate() {
            let text = word.text.as_str();
            if text == "-f" || text == "--filename" {
                // The grammar drops the `-` of `-f - <<EOF`: a last `-f` reads the input.
                let value = args.get(index + 1).cloned().unwrap_or_else(|| Word {
                    text: "-".to_owned(),
                    ..word.clone()
                });
                {
                    filenames.push(value);
                }
            } else if let Some(value) = text
                .strip_prefix("--filename=")
                .or_else(|| text.strip_prefix("-f="))
            {
                filenames.push(Word {
                    text: value.to_owned(),
                    ..word.clone()
                });
            }
        }
        for word in filenames {
            if word.text == "-" {
                match self.stdin(step) {
                    Ok(text) => {
                        self.manifest_objects(step, "standard input", &text, namespace.as_deref())
                    }
                    Err(reason) => self.unknown(
                        step,
                        &format!(
                            "deletes the objects of a manifest it reads when it runs: {reason}"
                        ),
                    ),
                }
                continue;
            }
            if word.text.contains("://") {
                self.unknown(
                    step,
                    "deletes the objects of a manifest downloaded when it runs",
                );
                continue;
            }
            if word.has_expansion {
                self.unknown(
                    step,
                    &format!(
                        "deletes the objects of `{}`, a path only known at run time",
                        word.text
                    ),
                );
                continue;
            }
            for path in self.paths(step, &word) {
                let manifests = match self.kind(&path) {
                    Kind::Folder => self
                        .files_below(&path, recursive)
                        .into_iter()
                        .filter(|file| {
                            let name = file.to_string_lossy();
                            name.ends_with(".yaml")
                                || name.ends_with(".yml")
                                || name.ends_with(".json")
                        })
                        .collect(),
                    Kind::File => vec![path],
                    Kind::Missing => Vec::new(),
                };
                for manifest in manifests {
                    let shown = self.display(&manifest);
                    match self.state(&manifest) {
                        State::Text(text) => {
                            self.manifest_objects(step, &shown, &text, namespace.as_deref())
                        }
                        State::Unknown(reason) => self.unknown(
                            step,
                            &format!(
                                "deletes the objects of `{shown}`, which is not read: {reason}"
                            ),
                        ),
                        State::Deleted => {}
                    }
                }
            }
        }
    }

    fn manifest_objects(&mut self, step: &Step, shown: &str, text: &str, namespace: Option<&str>) {
        let hints = SourceHints {
            format: Some(Format::Kubernetes),
            ..SourceHints::default()
        };
        let Some(file) = redline_syntax::parse_source("manifest.yaml", text, hints) else {
            return;
        };
        for object in file.kubernetes_objects() {
            let Some(kind) = redline_syntax::kubernetes::kind(object) else {
                continue;
            };
            let metadata = object.get("metadata");
            let Some(name) = metadata
                .and_then(|metadata| metadata.get("name"))
                .and_then(|name| name.as_str())
            else {
                continue;
            };
            let object_namespace = metadata
                .and_then(|metadata| metadata.get("namespace"))
                .and_then(|value| value.as_str())
                .or(namespace);
            let line = line_of(text, object.range.start().to_usize());
            let mut command = format!("kubectl delete {} {name}", kind.to_ascii_lowercase());
            if let Some(namespace) = object_namespace {
                command.push_str(&format!(" -n {namespace}"));
            }
            self.effect.deletions.push(Deletion {
                range: step.range,
                command,
                object: format!("{kind} `{name}` ({shown}:{line})"),
            });
        }
    }

    fn terraform(&mut self, step: &Step, args: &[Word]) {
        let mut folder = self.folder(step);
        let value_options = [
            "-var",
            "-var-file",
            "-target",
            "-lock-timeout",
            "-parallelism",
            "-state",
            "-state-out",
            "-backup",
        ];
        for word in args {
            if let Some(chdir) = word.text.strip_prefix("-chdir=") {
                folder = if word.has_expansion {
                    None
                } else {
                    resolve(chdir, folder.as_deref(), self.home.as_deref())
                };
            }
        }
        let positionals: Vec<&str> = operands(args, &value_options)
            .iter()
            .map(|word| word.text.as_str())
            .collect();
        let mut targets: Vec<String> = Vec::new();
        let mut replaced: Vec<String> = Vec::new();
        for (index, word) in args.iter().enumerate() {
            let text = word.text.as_str();
            if let Some(value) = text.strip_prefix("-target=") {
                targets.push(value.to_owned());
            } else if text == "-target" {
                if let Some(value) = args.get(index + 1) {
                    targets.push(value.text.clone());
                }
            } else if let Some(value) = text.strip_prefix("-replace=") {
                replaced.push(value.to_owned());
            }
        }
        let destroys = matches!(positionals.first(), Some(&"destroy"))
            || (positionals.first() == Some(&"apply")
                && (has_flag(args, "-destroy") || has_flag(args, "--destroy")));
        let (verb, addresses): (&str, Vec<String>) = match positionals.as_slice() {
            ["state", "rm", rest @ ..] => (
                "removes from the state",
                rest.iter().map(|text| (*text).to_owned()).collect(),
            ),
            _ if destroys => ("destroys", targets),
            ["apply", ..] | ["plan", ..] if !replaced.is_empty() => ("replaces", replaced),
            _ => return,
        };
        let Some(folder) = folder.filter(|folder| self.inside(folder)) else {
            return;
        };
        let declared = self.declarations(&folder);
        let shown_folder = match self.display(&folder) {
            shown if shown.is_empty() => ".".to_owned(),
            shown => shown,
        };
        let note = if addresses.is_empty() {
            if declared.is_empty() {
                return;
            }
            let names: Vec<String> = declared
                .iter()
                .take(5)
                .map(|(address, place)| format!("`{address}` ({place})"))
                .collect();
            let more = declared.len().saturating_sub(5);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("in `{shown_folder}` it {verb} {}{more}", names.join(", "))
        } else {
            let named: Vec<String> = addresses
                .iter()
                .map(|address| {
                    let key = declaration_key(address);
                    match declared.iter().find(|(declared, _)| *declared == key) {
                        Some((_, place)) => format!("`{address}` ({place})"),
                        None => format!("`{address}` (not declared in `{shown_folder}`)"),
                    }
                })
                .collect();
            format!("it {verb} {}", named.join(", "))
        };
        self.effect.notes.push((step.range, note));
    }

    /// The resources, data sources and module calls declared in a folder's `.tf` files, as
    /// (address, file:line).
    fn declarations(&self, folder: &Path) -> Vec<(String, String)> {
        let Ok(header) = regex::Regex::new(
            r#"(?m)^[ \t]*(resource|data|module)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?"#,
        ) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .map(|listing| {
                listing
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .collect()
            })
            .unwrap_or_default();
        files.extend(
            self.files
                .keys()
                .filter(|path| path.parent() == Some(folder))
                .cloned(),
        );
        files.retain(|path| path.to_string_lossy().ends_with(".tf"));
        files.sort();
        files.dedup();
        let mut res = Vec::new();
        for path in files {
            let State::Text(text) = self.state(&path) else {
                continue;
            };
            let shown = self.display(&path);
            for captures in header.captures_iter(&text) {
                let (Some(block), Some(first)) = (captures.get(1), captures.get(2)) else {
                    continue;
                };
                let address = match (block.as_str(), captures.get(3)) {
                    ("resource", Some(name)) => format!("{}.{}", first.as_str(), name.as_str()),
                    ("data", Some(name)) => format!("data.{}.{}", first.as_str(), name.as_str()),
                    ("module", _) => format!("module.{}", first.as_str()),
                    _ => continue,
                };
                let line = line_of(&text, block.start());
                res.push((address, format!("{shown}:{line}")));
            }
        }
        res
    }
}

/// Where a step's output goes.
#[derive(Default)]
struct Redirected {
    /// The file standard output goes to, and whether it is appended to.
    stdout: Option<(PathBuf, bool)>,
    /// Files emptied before the command runs.
    truncated: Vec<(PathBuf, RedirectKind)>,
    /// Files that receive another descriptor's output.
    other: Vec<PathBuf>,
    /// Files that receive the output of a group the step is in.
    shared: Vec<PathBuf>,
}

/// The address a declaration has, for an address a command names: instance keys dropped, and
/// a resource inside a module call named by that call.
fn declaration_key(address: &str) -> String {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    parts.push(current);
    match parts.as_slice() {
        [module, name, ..] if module == "module" => format!("module.{name}"),
        [data, kind, name, ..] if data == "data" => format!("data.{kind}.{name}"),
        [kind, name, ..] => format!("{kind}.{name}"),
        _ => address.to_owned(),
    }
}

/// Whether a program writes the files its arguments name.
fn writes_files(program: &str) -> bool {
    matches!(
        program,
        "rm" | "mv" | "cp" | "tee" | "truncate" | "sed" | "perl" | "unlink" | "git"
    )
}

/// Whether redline reads a file at this path: what `check` reads, and Terraform's variable
/// definitions.
fn judged(path: &Path) -> bool {
    let display = path.to_string_lossy().replace('\\', "/");
    let skipped = path.components().any(|component| {
        matches!(component, Component::Normal(name) if name == ".git" || name == ".terraform" || name == "node_modules")
    });
    !skipped && (is_candidate_path(&display) || redline_workspace::is_module_file(&display))
}

/// Whether a path known only in part may be a judged file: its known end decides when it has
/// an extension.
fn may_matter(text: &str) -> bool {
    let tail = text
        .rsplit(['$', '}', ')', '*', '?', ']', '/'])
        .next()
        .unwrap_or(text);
    match tail.rfind('.') {
        Some(dot) if dot + 1 < tail.len() => judged(Path::new(&format!("x{}", &tail[dot..]))),
        _ => true,
    }
}

/// `path` (relative to `folder`, `~` to `home`) made absolute, without `.` and `..`.
fn resolve(path: &str, folder: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let joined = if let Some(rest) = path.strip_prefix('~') {
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        home?.join(rest.trim_start_matches('/'))
    } else if path.starts_with('/') {
        PathBuf::from(path)
    } else {
        folder?.join(path)
    };
    Some(normalize(&joined))
}

/// A path without `.` and `..` components, worked out on the text alone.
fn normalize(path: &Path) -> PathBuf {
    let mut res = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                res.pop();
            }
            Component::CurDir => {}
            other => res.push(other),
        }
    }
    res
}

/// A file's text on disk: `None` when there is no file, an error when it is not text redline
/// reads.
fn read_disk(path: &Path) -> Result<Option<String>, String> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if meta.is_dir() {
        return Err("it is a folder".to_owned());
    }
    if !redline_workspace::is_within_read_limit(path) {
        return Err("it is outside the folder redline may read".to_owned());
    }
    if meta.len() > MAX_READ_BYTES {
        return Err("it is too large to read".to_owned());
    }
    let bytes = std::fs::read(path).map_err(|error| format!("it cannot be read ({error})"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "it is not UTF-8 text".to_owned())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// The operands of a command: words after `--`, and words that are not options or the values
/// of `value_options`.
fn operands<'w>(args: &'w [Word], value_options: &[&str]) -> Vec<&'w Word> {
    let mut res = Vec::new();
    let mut options_done = false;
    let mut skip_next = false;
    for word in args {
        let text = word.text.as_str();
        if skip_next {
            skip_next = false;
        } else if options_done || !(text.starts_with('-') && text.len() > 1) {
            res.push(word);
        } else if text == "--" {
            options_done = true;
        } else {
            skip_next = value_options.contains(&text);
        }
    }
    res
}

/// The value of the first of `names` among `args`: `-t DIR`, `--target-directory=DIR`, `-tDIR`.
fn option_value<'w>(args: &'w [Word], names: &[&str]) -> Option<&'w Word> {
    for (index, word) in args.iter().enumerate() {
        let text = word.text.as_str();
        if text == "--" {
            return None;
        }
        if names.contains(&text) {
            return args.get(index + 1);
        }
    }
    None
}

/// Whether `flag` is among `args` (before `--`), alone, as `flag=value`, or in a cluster.
fn has_flag(args: &[Word], flag: &str) -> bool {
    args.iter()
        .take_while(|word| word.text != "--")
        .any(|word| {
            let text = word.text.as_str();
            text == flag
                || text
                    .strip_prefix(flag)
                    .is_some_and(|rest| rest.starts_with('='))
                || (flag.len() == 2
                    && flag.starts_with('-')
                    && is_short_cluster_with(text, flag.chars().nth(1).unwrap_or(' ')))
        })
}

/// What `echo` prints, as bash's builtin does.
fn echo(args: &[Word]) -> Output {
    let mut newline = true;
    let mut escapes = false;
    let mut index = 0;
    while let Some(word) = args.get(index) {
        let text = word.text.as_str();
        let is_option = text.len() > 1
            && text.starts_with('-')
            && text[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'));
        if !is_option {
            break;
        }
        newline &= !text.contains('n');
        escapes = text.contains('e');
        index += 1;
    }
    let words = &args[index..];
    if words.iter().any(|word| word.has_expansion) {
        return Err("`echo` prints values only known at run time".to_owned());
    }
    let joined: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
    let mut res = joined.join(" ");
    if escapes && res.contains('\\') {
        return Err("`echo -e` escapes are not simulated".to_owned());
    }
    if newline {
        res.push('\n');
    }
    Ok(res)
}

/// What `printf` prints for `%s`, `%d`, `%%` and the common escapes.
fn printf(args: &[Word]) -> Output {
    let args: Vec<&Word> = args.iter().skip_while(|word| word.text == "--").collect();
    let Some(format) = args.first() else {
        return Err("`printf` without a format".to_owned());
    };
    if format.text == "-v" {
        return Ok(String::new());
    }
    if args.iter().any(|word| word.has_expansion) {
        return Err("`printf` prints values only known at run time".to_owned());
    }
    let values: Vec<&str> = args[1..].iter().map(|word| word.text.as_str()).collect();
    let mut res = String::new();
    let mut next = 0;
    loop {
        let mut specs = 0;
        let mut chars = format.text.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => match chars.next() {
                    Some('%') => res.push('%'),
                    Some('s') => {
                        specs += 1;
                        res.push_str(values.get(next).copied().unwrap_or(""));
                        next += 1;
                    }
                    Some('d') => {
                        specs += 1;
                        let value = values.get(next).copied().unwrap_or("0");
                        let number: i64 = value.parse().map_err(|_| {
                            "`printf %d` of a value that is not a number".to_owned()
                        })?;
                        res.push_str(&number.to_string());
                        next += 1;
                    }
                    _ => return Err("this `printf` format is not simulated".to_owned()),
                },
                '\\' => match chars.next() {
                    Some('n') => res.push('\n'),
                    Some('t') => res.push('\t'),
                    Some('\\') => res.push('\\'),
                    Some('"') => res.push('"'),
                    Some('\'') => res.push('\''),
                    _ => return Err("this `printf` escape is not simulated".to_owned()),
                },
                other => res.push(other),
            }
        }
        if specs == 0 || next >= values.len() {
            return Ok(res);
        }
    }
}

/// Whether `name` matches a shell pattern of `*` and `?` (a leading `.` only literally).
fn wildcard(pattern: &str, name: &str) -> bool {
    if pattern.contains('[') {
        return false;
    }
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point: linear in practice, never recursive.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some('?') => {
                p += 1;
                n += 1;
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn patterns_and_paths() {
        assert!(wildcard("*.tf", "main.tf"));
        assert!(!wildcard("*.tf", ".hidden.tf"));
        assert!(wildcard("m?in.*", "main.tf"));
        assert!(!wildcard("*.tf", "main.tf.bak"));
        assert!(may_matter("$DIR/main.tf"));
        assert!(may_matter("$FILE"));
        assert!(!may_matter("$TMP/out.log"));
        assert!(!may_matter("*.md"));
        assert_eq!(
            declaration_key("module.db[0].aws_db_instance.this"),
            "module.db"
        );
        assert_eq!(
            declaration_key("aws_s3_bucket.logs[\"a.b\"]"),
            "aws_s3_bucket.logs"
        );
        assert_eq!(
            normalize(Path::new("/repo/infra/../main.tf")),
            PathBuf::from("/repo/main.tf")
        );
    }

    #[test]
    fn echo_and_printf() {
        let words =
            |line: &str| -> Vec<Word> { steps(line).remove(0).words.into_iter().skip(1).collect() };
        assert_eq!(echo(&words("echo -n a  'b c'")).unwrap(), "a b c");
        assert_eq!(echo(&words("echo a")).unwrap(), "a\n");
        assert!(echo(&words("echo $X")).is_err());
        assert_eq!(
            printf(&words("printf '%s=%d\\n' a 1 b 2")).unwrap(),
            "a=1\nb=2\n"
        );
        assert!(printf(&words("printf '%5s' a")).is_err());
    }
}
