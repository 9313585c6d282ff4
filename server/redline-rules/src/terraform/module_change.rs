//! A Terraform module before and after an edit, matched block by block.
//!
//! A module is a folder: its `resource` and `module` blocks are matched by address across all
//! of its files, so a block moved to another file, reordered or reformatted is the same block.
//! `moved` and `removed` blocks of the new side are read, and blocks that left one address and
//! appeared at another with the same type and a mostly equal body are paired as renames.
//! The rules that judge Terraform edits (RL-TF-001, -002, -004, -005, -006, -020) all read this
//! one model, so they agree on what was removed, renamed or kept.

use std::collections::{HashMap, HashSet};

use redline_diagnostics::Edit;
use redline_syntax::SourceFile;
use redline_syntax::terraform::{Attribute, Block, Repetition, Syntax};
use redline_syntax::terraform_eval::Key;
use redline_text::{TextRange, TextSize};

use crate::Change;
use crate::terraform::newline;

/// Bodies at least this similar (shared attributes and nested blocks over all of them) make
/// a removed and an added block of the same type a rename.
const RENAME_SIMILARITY: f64 = 0.7;

/// Whether a block is a managed resource or a module call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// `resource "type" "name"`.
    Resource,
    /// `module "name"`.
    Module,
}

/// A `resource` or `module` block on one side of the edit.
pub(crate) struct Entry<'a> {
    /// The file that holds it.
    pub file: &'a SourceFile<'a>,
    /// The block.
    pub block: &'a Block,
    /// `aws_db_instance.main` or `module.network`.
    pub address: String,
    /// Resource or module.
    pub kind: Kind,
    /// The resource type; `module` for module calls.
    pub type_name: &'a str,
    /// Single, `count` or `for_each`.
    pub repetition: Repetition,
}

/// One module before and after the edit: its blocks on each side and how they pair. The
/// engine reads it once per changed folder and analysis (`ModuleChange::of_folder`) and the
/// edit rules of every file of the folder share it (`Change::module_change`).
pub struct ModuleChange<'a> {
    /// The blocks before the edit, in file and source order.
    pub(crate) base: Vec<Entry<'a>>,
    /// The blocks after the edit, in file and source order.
    pub(crate) new: Vec<Entry<'a>>,
    /// Each address of the new side, with the blocks declared at it in order (more than one
    /// only while an address is declared twice).
    new_by_address: HashMap<String, Vec<usize>>,
    base_by_address: HashMap<String, usize>,
    /// For each base block, the new block at its address: the k-th block at an address on one
    /// side with the k-th at it on the other, else the first. Terraform refuses a module that
    /// declares an address twice, but while one is typed (a block pasted twice, two example
    /// files in one folder), each twin is judged against its own counterpart rather than all
    /// of them against the first.
    same_address: Vec<Option<usize>>,
    /// `moved` blocks of the new side: `from` and `to` as written, whitespace removed.
    moved: Vec<(String, String)>,
    /// Block-level `from` addresses of `removed` blocks of the new side.
    removed: HashSet<String>,
    /// Renames found without a `moved` block: (base index, new index).
    renames: Vec<(usize, usize)>,
    /// What `kept` gives, in order.
    kept: Vec<(usize, usize)>,
    /// Where the new side's objects are read, for cascades, built on first use.
    pub(crate) cascade_index: std::cell::OnceCell<std::rc::Rc<super::cascade::GraphIndex>>,
    /// The force-new changes found for each file, by path (`force_new::force_new_changes`).
    pub(crate) force_new_changes:
        std::cell::RefCell<HashMap<String, std::rc::Rc<[super::force_new::ForceNewChange]>>>,
}

/// A `ModuleChange` shared by the edit rules of one folder (`Change::module_change`), or built
/// for one rule.
pub(crate) enum SharedModuleChange<'a> {
    Shared(&'a ModuleChange<'a>),
    Own(Box<ModuleChange<'a>>),
}

impl<'a> std::ops::Deref for SharedModuleChange<'a> {
    type Target = ModuleChange<'a>;

    fn deref(&self) -> &ModuleChange<'a> {
        match self {
            SharedModuleChange::Shared(module) => module,
            SharedModuleChange::Own(module) => module,
        }
    }
}

impl<'a> ModuleChange<'a> {
    /// The module of the file being checked, before and after the edit: the one the engine
    /// read for the file's folder when it gave one, else read now.
    pub(crate) fn of(change: &Change<'a>, file: &'a SourceFile<'a>) -> SharedModuleChange<'a> {
        match change.module_change {
            Some(module) => SharedModuleChange::Shared(module),
            None => SharedModuleChange::Own(Box::new(ModuleChange::new(change, file))),
        }
    }

    /// The module of the file being checked, before and after the edit.
    pub(crate) fn new(change: &Change<'a>, file: &'a SourceFile<'a>) -> ModuleChange<'a> {
        let base_files: Vec<&'a SourceFile<'a>> = if change.folder_base.is_empty() {
            change.base.into_iter().collect()
        } else {
            change.folder_base.to_vec()
        };
        let new_files: Vec<&'a SourceFile<'a>> = if change.folder_new.is_empty() {
            vec![file]
        } else {
            change.folder_new.to_vec()
        };
        Self::of_folder(&base_files, &new_files)
    }

    /// The module of a folder whose files before and after the edit are `base_files` and
    /// `new_files` (each in path order), for the edit rules of all its files.
    pub fn of_folder(
        base_files: &[&'a SourceFile<'a>],
        new_files: &[&'a SourceFile<'a>],
    ) -> ModuleChange<'a> {
        let base = entries(base_files);
        let new = entries(new_files);
        let mut moved = Vec::new();
        let mut removed = HashSet::new();
        for source in new_files {
            let model = source.terraform();
            for block in model.blocks_of("moved") {
                let from = reference(source, block, "from");
                let to = reference(source, block, "to");
                if let (Some(from), Some(to)) = (from, to) {
                    moved.push((from, to));
                }
            }
            for block in model.blocks_of("removed") {
                if let Some(from) = reference(source, block, "from") {
                    removed.insert(block_level(&from));
                }
            }
        }
        let mut base_by_address = HashMap::with_capacity(base.len());
        for (position, entry) in base.iter().enumerate() {
            base_by_address
                .entry(entry.address.clone())
                .or_insert(position);
        }
        let mut new_by_address: HashMap<String, Vec<usize>> = HashMap::with_capacity(new.len());
        for (position, entry) in new.iter().enumerate() {
            new_by_address
                .entry(entry.address.clone())
                .or_default()
                .push(position);
        }
        let same_address = {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(base.len());
            base.iter()
                .map(|entry| {
                    let nth = seen.entry(&entry.address).or_default();
                    let twins = new_by_address.get(entry.address.as_str())?;
                    let found = twins.get(*nth).or(twins.first()).copied();
                    *nth += 1;
                    found
                })
                .collect()
        };
        let mut res = ModuleChange {
            base,
            new,
            new_by_address,
            base_by_address,
            same_address,
            moved,
            removed,
            renames: Vec::new(),
            kept: Vec::new(),
            cascade_index: std::cell::OnceCell::new(),
            force_new_changes: std::cell::RefCell::default(),
        };
        res.renames = res.find_renames();
        let mut kept: Vec<(usize, usize)> = (0..res.base.len())
            .filter_map(|index| res.successor(index).map(|new| (index, new)))
            .collect();
        kept.extend(res.renames.iter().copied());
        kept.sort_unstable();
        res.kept = kept;
        res
    }

    /// The new block at the same address as base block `index`, or where a `moved` block took
    /// it.
    pub fn successor(&self, index: usize) -> Option<usize> {
        if let Some(found) = self.same_address[index] {
            return Some(found);
        }
        let address = self.base[index].address.as_str();
        self.moved
            .iter()
            .filter(|(from, to)| *from == address && !to.contains('['))
            .find_map(|(_, to)| self.new_by_address.get(to)?.first().copied())
    }

    /// Pairs of (base index, new index) of blocks that exist on both sides, by address,
    /// through a `moved` block, or renamed without one (RL-TF-002 asks for the `moved` block;
    /// with it, what else the edit changed in the block is what Terraform plans).
    pub fn kept(&self) -> &[(usize, usize)] {
        &self.kept
    }

    /// The base block that new block `new` keeps (the first, by base index, when several
    /// pair with it), as `kept` pairs them.
    pub(crate) fn predecessor(&self, new: usize) -> Option<usize> {
        self.kept
            .iter()
            .find(|&&(_, kept)| kept == new)
            .map(|&(base, _)| base)
    }

    /// Like `kept`, without the pairs whose block text is the same on both sides: most blocks
    /// of a module are untouched by an edit, and comparing bytes rules them out at once.
    pub fn edited(&self) -> Vec<(usize, usize)> {
        self.kept()
            .iter()
            .copied()
            .filter(|&(base, new)| {
                let old = &self.base[base];
                let entry = &self.new[new];
                slice(&old.file.text, old.block.range) != slice(&entry.file.text, entry.block.range)
            })
            .collect()
    }

    /// Base blocks whose address is gone with nothing taking its place: no block at the same
    /// address, no `moved` or `removed` block naming it, and no rename found.
    pub fn removals(&self) -> Vec<usize> {
        (0..self.base.len())
            .filter(|&index| {
                let entry = &self.base[index];
                self.successor(index).is_none()
                    && !self.is_covered(&entry.address)
                    && !self.renames.iter().any(|(base, _)| *base == index)
                    && !declares_no_instance(entry.block)
            })
            .collect()
    }

    /// Renames without a `moved` block: (base index, new index).
    pub fn renames(&self) -> &[(usize, usize)] {
        &self.renames
    }

    /// The instance keys that `moved` blocks take from an instance of `from` to one of `to`
    /// (`moved { from = a[0], to = a["x"] }` gives `(0, "x")`): how Terraform pairs the
    /// instances of a re-keyed block, whatever their values say.
    pub fn instance_moves(&self, from: &str, to: &str) -> Vec<(Key, Key)> {
        let key = |address: &str, of: &str| -> Option<Key> {
            let inside = address
                .strip_prefix(of)?
                .strip_prefix('[')?
                .strip_suffix(']')?;
            match inside
                .strip_prefix('"')
                .and_then(|rest| rest.strip_suffix('"'))
            {
                Some(name) if !name.contains(['"', '\\', '$']) => Some(Key::Name(name.to_owned())),
                Some(_) => None,
                None => inside.parse().ok().map(Key::Index),
            }
        };
        self.moved
            .iter()
            .filter_map(|(moved_from, moved_to)| Some((key(moved_from, from)?, key(moved_to, to)?)))
            .collect()
    }

    /// The `moved` blocks whose `from` is an instance of `address` (`address[0]`,
    /// `address["key"]`) as written, whitespace removed.
    pub fn moved_instances(&self, address: &str) -> impl Iterator<Item = &str> + '_ {
        let prefix = format!("{address}[");
        self.moved
            .iter()
            .filter(move |(from, _)| from.starts_with(&prefix))
            .map(|(from, _)| from.as_str())
    }

    /// Whether a `moved` block leaves `address` or a `removed` block names it (or a module
    /// containing it).
    fn is_covered(&self, address: &str) -> bool {
        if self.removed.iter().any(|from| {
            from == address
                || address
                    .strip_prefix(from.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        }) {
            return true;
        }
        self.moved
            .iter()
            .any(|(from, _)| block_level(from) == address)
    }

    fn find_renames(&self) -> Vec<(usize, usize)> {
        let gone: Vec<usize> = (0..self.base.len())
            .filter(|&index| {
                self.successor(index).is_none()
                    && !self.is_covered(&self.base[index].address)
                    && !declares_no_instance(self.base[index].block)
            })
            .collect();
        if gone.is_empty() {
            return Vec::new();
        }
        let gone_types: HashSet<(Kind, &str)> = gone
            .iter()
            .map(|&index| (self.base[index].kind, self.base[index].type_name))
            .collect();
        let added: Vec<usize> = (0..self.new.len())
            .filter(|&index| {
                let entry = &self.new[index];
                gone_types.contains(&(entry.kind, entry.type_name))
                    && !self.base_by_address.contains_key(entry.address.as_str())
                    && !self
                        .moved
                        .iter()
                        .any(|(_, to)| block_level(to) == entry.address)
            })
            .collect();
        // Each body is read once, however many candidates it is compared with.
        let added_items: Vec<Vec<(String, String)>> = added
            .iter()
            .map(|&new| body_items(&self.new[new].file.text, self.new[new].block))
            .collect();
        let mut candidates = Vec::new();
        for &base in &gone {
            let old = &self.base[base];
            let mut old_items = None;
            for (&new, new_items) in added.iter().zip(&added_items) {
                let entry = &self.new[new];
                if entry.kind != old.kind || entry.type_name != old.type_name {
                    continue;
                }
                let old_items =
                    old_items.get_or_insert_with(|| body_items(&old.file.text, old.block));
                let score = similarity(old_items, new_items);
                if score >= RENAME_SIMILARITY {
                    candidates.push((score, base, new));
                }
            }
        }
        // Best matches first; ties keep source order, so the result is deterministic.
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut res = Vec::new();
        let mut used_base = HashSet::new();
        let mut used_new = HashSet::new();
        for (_, base, new) in candidates {
            if used_base.contains(&base) || used_new.contains(&new) {
                continue;
            }
            used_base.insert(base);
            used_new.insert(new);
            res.push((base, new));
        }
        res.sort_unstable();
        res
    }
}

impl Entry<'_> {
    /// The label that names the block: the resource name or the module name.
    pub fn name_range(&self) -> TextRange {
        let index = match self.kind {
            Kind::Resource => 1,
            Kind::Module => 0,
        };
        self.block
            .labels
            .get(index)
            .map_or(self.block.range, |label| label.range)
    }

    /// The attribute `name` of the block, if written.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.body.attribute(name)
    }
}

/// The `resource` and `module` blocks of `files`, in file and source order.
pub(crate) fn entries<'a>(files: &[&'a SourceFile<'a>]) -> Vec<Entry<'a>> {
    let mut res = Vec::new();
    for &file in files {
        let model = file.terraform();
        for block in &model.blocks {
            let (kind, type_name, address) = match (block.kind.as_str(), block.labels.as_slice()) {
                ("resource", [resource_type, name, ..]) => (
                    Kind::Resource,
                    resource_type.value.as_str(),
                    format!("{}.{}", resource_type.value, name.value),
                ),
                ("module", [name, ..]) => {
                    (Kind::Module, "module", format!("module.{}", name.value))
                }
                _ => continue,
            };
            let repetition = if block.body.attribute("for_each").is_some() {
                Repetition::ForEach
            } else if block.body.attribute("count").is_some() {
                Repetition::Count
            } else {
                Repetition::Single
            };
            res.push(Entry {
                file,
                block,
                address,
                kind,
                type_name,
                repetition,
            });
        }
    }
    res
}

/// A reference attribute of a `moved` or `removed` block (`from = aws_db_instance.a`), as
/// written with whitespace removed; JSON syntax writes it as a string.
fn reference(file: &SourceFile<'_>, block: &Block, name: &str) -> Option<String> {
    let attribute = block.body.attribute(name)?;
    if let Some(value) = attribute.value.value.as_str() {
        return Some(value.split_whitespace().collect());
    }
    Some(
        file.slice(attribute.value.range)
            .split_whitespace()
            .collect(),
    )
}

/// `aws_db_instance.a["x"]` → `aws_db_instance.a`: the address without instance keys.
pub(crate) fn block_level(address: &str) -> String {
    let mut res = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_string = false;
    let mut previous = '\0';
    for c in address.chars() {
        match c {
            '"' if depth > 0 && previous != '\\' => in_string = !in_string,
            '[' if !in_string => depth += 1,
            ']' if !in_string => depth = depth.saturating_sub(1),
            _ if depth == 0 => res.push(c),
            _ => {}
        }
        previous = c;
    }
    res
}

/// Whether a block declares no instance at all (`count = 0`), so that removing it destroys
/// nothing.
fn declares_no_instance(block: &Block) -> bool {
    block
        .body
        .attribute("count")
        .and_then(|count| count.value.value.as_number())
        == Some(0.0)
}

/// The attributes and nested blocks of a block: each item's key (the attribute's name, the
/// nested block's type) and its normalised text (comments and whitespace outside strings
/// removed), sorted.
fn body_items(text: &str, block: &Block) -> Vec<(String, String)> {
    let mut res: Vec<(String, String)> = block
        .body
        .attributes
        .iter()
        .map(|attribute| {
            (
                attribute.name.clone(),
                normalise(slice(text, attribute.range)),
            )
        })
        .chain(
            block
                .body
                .blocks
                .iter()
                .map(|nested| (nested.kind.clone(), normalise(slice(text, nested.range)))),
        )
        .collect();
    res.sort_unstable();
    res
}

/// How alike two bodies are: shared items over all items (1.0 for two empty bodies). A body
/// that keeps every key and at least half of the items as they were is a rename that also
/// edited a value, and counts as alike enough.
fn similarity(old: &[(String, String)], new: &[(String, String)]) -> f64 {
    if old.is_empty() && new.is_empty() {
        return 1.0;
    }
    let common_items = common(old.iter(), new.iter());
    let mut old_keys: Vec<&str> = old.iter().map(|(key, _)| key.as_str()).collect();
    let mut new_keys: Vec<&str> = new.iter().map(|(key, _)| key.as_str()).collect();
    old_keys.sort_unstable();
    new_keys.sort_unstable();
    let common_keys = common(old_keys.iter(), new_keys.iter());
    let total = old.len() + new.len();
    #[allow(clippy::cast_precision_loss)]
    let score = (2 * common_items) as f64 / total as f64;
    if 2 * common_keys == total && 2 * common_items >= old.len().max(new.len()) {
        return score.max(RENAME_SIMILARITY);
    }
    score
}

/// How many items two sorted sequences share.
fn common<T: Ord>(mut old: impl Iterator<Item = T>, mut new: impl Iterator<Item = T>) -> usize {
    let (mut a, mut b, mut res) = (old.next(), new.next(), 0usize);
    while let (Some(x), Some(y)) = (&a, &b) {
        match x.cmp(y) {
            std::cmp::Ordering::Equal => {
                res += 1;
                a = old.next();
                b = new.next();
            }
            std::cmp::Ordering::Less => a = old.next(),
            std::cmp::Ordering::Greater => b = new.next(),
        }
    }
    res
}

/// The text of `range`, empty when it does not fit.
pub(crate) fn slice(text: &str, range: TextRange) -> &str {
    text.get(range.to_std()).unwrap_or("")
}

/// Source text with comments and whitespace outside string literals removed, so that
/// reformatting and comments do not count as changes.
pub(crate) fn normalise(source: &str) -> String {
    let mut res = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            res.push(c);
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        res.push(next);
                    }
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                res.push(c);
            }
            '#' => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'/') => skip_line(&mut chars),
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = '\0';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
            }
            c if c.is_whitespace() => {}
            c => res.push(c),
        }
    }
    res
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

/// An edit that adds `block` (a top-level block, ending in a newline) at `offset`, separated
/// from its neighbours by one blank line. `follows` says that another such edit at the same
/// offset comes first, so that the blocks are separated by one blank line too.
pub(crate) fn insert_top_level(text: &str, offset: usize, block: &str, follows: bool) -> Edit {
    let nl = newline(text);
    let before = &text[..offset.min(text.len())];
    let after = text.get(offset..).unwrap_or("");
    let separate_after = !after.is_empty() && !after.starts_with(['\n', '\r']);
    if follows {
        let res = if separate_after {
            format!("{}{nl}", block.replace('\n', nl))
        } else {
            format!("{nl}{}", block.replace('\n', nl))
        };
        return Edit::insert(TextSize::from_usize(offset), res);
    }
    let mut res = String::new();
    if !before.is_empty() {
        if !before.ends_with('\n') {
            res.push_str(nl);
            res.push_str(nl);
        } else if !before.trim_end_matches(['\r', '\n']).is_empty()
            && !before.ends_with("\n\n")
            && !before.ends_with("\n\r\n")
        {
            res.push_str(nl);
        }
    }
    res.push_str(&block.replace('\n', nl));
    if separate_after {
        res.push_str(nl);
    }
    Edit::insert(TextSize::from_usize(offset), res)
}

/// Where the blocks of `base_file` that are gone from the new text `file` used to be (see
/// `FormerPlaces::of`), with the blocks of both sides read once for all of them.
pub(crate) struct FormerPlaces<'a> {
    file: &'a SourceFile<'a>,
    base_blocks: &'a [Block],
    /// The key (type and labels) of each block of `base_file`, in order.
    base_keys: Vec<String>,
    /// The blocks of `file` by key; `None` when it is not written in HCL.
    present: Option<HashMap<String, &'a Block>>,
}

impl<'a> FormerPlaces<'a> {
    pub(crate) fn new(base_file: &'a SourceFile<'a>, file: &'a SourceFile<'a>) -> Self {
        let new_model = file.terraform();
        let base_blocks = base_file.terraform().blocks.as_slice();
        let present = (new_model.syntax == Syntax::Hcl).then(|| {
            new_model
                .blocks
                .iter()
                .map(|block| (block_key(block), block))
                .collect()
        });
        FormerPlaces {
            file,
            base_blocks,
            base_keys: base_blocks.iter().map(block_key).collect(),
            present,
        }
    }

    /// Where block `gone` of `base_file` used to be, as `(finding, insertion)` byte offsets.
    /// The insertion point is the start of the line after the nearest block before it that is
    /// still there, else the start of the nearest one after it, else the end of the file. The
    /// finding goes to the first line from there on that is neither blank nor a comment, where
    /// a suppression comment above it applies, or when only blank lines and comments follow,
    /// to the start of the nearest block before.
    pub(crate) fn of(&self, gone: &Block) -> (usize, usize) {
        let file = self.file;
        let insertion = self.insertion_place(gone);
        // At the end of the file, the nearest remaining block is the one before.
        let at = next_code_line(&file.text, insertion).or_else(|| {
            file.terraform()
                .blocks
                .iter()
                .rev()
                .find(|block| block.range.end().to_usize() <= insertion)
                .map(|block| block.range.start().to_usize())
        });
        (at.unwrap_or(insertion), insertion)
    }

    fn insertion_place(&self, gone: &Block) -> usize {
        let text = &self.file.text;
        let Some(present) = &self.present else {
            return text.len();
        };
        let Some(position) = self
            .base_blocks
            .iter()
            .position(|block| block.range == gone.range)
        else {
            return text.len();
        };
        if let Some(anchor) = self.base_keys[..position]
            .iter()
            .rev()
            .find_map(|key| present.get(key))
        {
            let end = anchor.range.end().to_usize();
            return text
                .get(end..)
                .and_then(|rest| rest.find('\n'))
                .map_or(text.len(), |index| end + index + 1);
        }
        if let Some(anchor) = self.base_keys[position + 1..]
            .iter()
            .find_map(|key| present.get(key))
        {
            let start = anchor.range.start().to_usize();
            return text
                .get(..start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |index| index + 1);
        }
        text.len()
    }
}

/// A block's type and labels, separated by spaces.
fn block_key(block: &Block) -> String {
    let mut res = block.kind.clone();
    for label in &block.labels {
        res.push(' ');
        res.push_str(&label.value);
    }
    res
}

/// The start of the first line at or after `offset` (a line start) that holds code.
fn next_code_line(text: &str, offset: usize) -> Option<usize> {
    let mut at = offset;
    while at < text.len() {
        let rest = text.get(at..)?;
        let line_end = rest.find('\n').map_or(text.len(), |index| at + index + 1);
        let line = text.get(at..line_end)?.trim();
        if !(line.is_empty() || line.starts_with('#') || line.starts_with("//")) {
            return Some(at);
        }
        at = line_end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_formatting_and_comments() {
        assert_eq!(
            normalise("tags = {\n  a = \"x y\" # note\n}"),
            normalise("tags={a=\"x y\"}")
        );
        assert_ne!(normalise("a = \"x y\""), normalise("a = \"xy\""));
    }

    #[test]
    fn strips_instance_keys() {
        assert_eq!(block_level("aws_s3_bucket.a[\"x]\"]"), "aws_s3_bucket.a");
        assert_eq!(
            block_level("module.m[0].aws_s3_bucket.a"),
            "module.m.aws_s3_bucket.a"
        );
    }
}
