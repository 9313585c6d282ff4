use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::value::Node;
use redline_syntax::{Format, SourceFile};
use redline_text::TextRange;

use super::{ObjectIndex, ObjectKey, cascade, folder_objects, objects, readable_change};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that removes a Kubernetes object from the manifests: a document deleted from a
    /// file, or a whole manifest file deleted.
    /// Removing a `Namespace`, `PersistentVolumeClaim`, `PersistentVolume` or `StatefulSet` is
    /// an error; removing any other object is reported as information.
    /// Objects are identified by API group, kind, namespace and name across every manifest of
    /// the folder, so moving an object to another file of the same folder, reordering
    /// documents or changing an object's content is not a removal; when `redline diff OLD NEW`
    /// compares two folders, across every manifest of the new folder, so manifests merged into
    /// one file or moved to another subfolder are not removed either.
    /// Objects whose base version opts out of pruning (`argocd.argoproj.io/sync-options:
    /// Prune=false`, `kustomize.toolkit.fluxcd.io/prune: disabled`,
    /// `helm.sh/resource-policy: keep`) are left alone.
    ///
    /// The message also names what goes with a removed Namespace (the objects the file or
    /// folder places in it, removed or still written, those holding data first) and with a
    /// removed claim (the workloads of its namespace that mount it), each as a related place.
    ///
    /// ## Why it matters
    /// Manifests applied with pruning (Argo CD or Flux with prune enabled, `kubectl apply
    /// --prune`, Helm upgrades) delete from the cluster whatever is no longer in them.
    /// Deleting a namespace deletes every object inside it; deleting a claim or a volume with
    /// the usual `Delete` reclaim policy deletes the disk and its data; deleting a StatefulSet
    /// stops the database it runs.
    ///
    /// ## Example
    /// Before:
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   resources:
    ///     requests:
    ///       storage: 100Gi
    /// ```
    /// After: the document is gone.
    ///
    /// ## Use instead
    /// Keep the object. To stop managing it without deleting it, first deploy it with
    /// `argocd.argoproj.io/sync-options: Prune=false` (Argo CD),
    /// `kustomize.toolkit.fluxcd.io/prune: disabled` (Flux) or
    /// `helm.sh/resource-policy: keep` (Helm), then remove it.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-001 -- preview namespace, torn down on purpose` on the line
    /// above the finding, which is where the removed object was: the first line of the object
    /// that followed it (else of the one before it, else of the file).
    ///
    /// ## References
    /// - Argo CD documentation, "Sync Options: No Prune Resources"
    /// - Flux documentation, "Kustomization: Garbage collection"
    /// - Kubernetes documentation, "Persistent Volumes: Reclaiming"
    ManifestObjectRemoved {
        id: "RL-K8S-001", name: "manifest-object-removed",
        summary: "An edit removes a Kubernetes object, which pruning deletes from the cluster",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::Medium,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some((change, base)) = readable_change(ctx.change(), file) else {
        return;
    };
    let Some(remaining) = folder_objects(change.folder_new, Some(file)) else {
        return;
    };
    let remaining = ObjectIndex::new(
        remaining
            .into_iter()
            .filter_map(|object| Some((ObjectKey::of(object)?, ()))),
    );
    let base_objects = objects(base);
    let new_objects: Vec<(ObjectKey<'_>, &Node)> = objects(file)
        .into_iter()
        .filter_map(|object| Some((ObjectKey::of(object)?, object)))
        .collect();
    for (index, object) in base_objects.iter().enumerate() {
        let Some(key) = ObjectKey::of(object) else {
            continue;
        };
        if remaining.find(&key).is_some() || opts_out_of_pruning(object) {
            continue;
        }
        let range = former_place(file, &base_objects, index, &new_objects);
        let (consequence, severity) = match key.kind {
            "Namespace" => (
                "it is deleted, and with it every object inside it",
                Severity::Error,
            ),
            "PersistentVolumeClaim" => (
                "the claim is deleted, and with the usual `Delete` reclaim policy its volume and \
                 the data on it",
                Severity::Error,
            ),
            "PersistentVolume" => (
                "the volume is deleted, and with reclaim policy `Delete` the disk and its data",
                Severity::Error,
            ),
            "StatefulSet" => (
                "the StatefulSet and its pods are deleted, stopping the service it runs",
                Severity::Error,
            ),
            _ => ("it is deleted from the cluster", Severity::Info),
        };
        let advice = if severity == Severity::Info {
            "make sure nothing still needs it"
        } else {
            "keep it, or first deploy it with `argocd.argoproj.io/sync-options: Prune=false`, \
             `kustomize.toolkit.fluxcd.io/prune: disabled` or `helm.sh/resource-policy: keep`, \
             then remove it"
        };
        let message = format!(
            "{} is removed from the manifests: where they are applied with pruning (Argo CD, \
             Flux, `kubectl apply --prune`, Helm), {consequence}; {advice}",
            key.describe()
        );
        let mut diagnostic = ctx.diagnostic(range, message);
        diagnostic.severity = severity;
        let new_files: Vec<&SourceFile<'_>> = if change.folder_new.is_empty() {
            vec![file]
        } else {
            change.folder_new.to_vec()
        };
        if let Some(cascade) = cascade::of_deletion(&key, base, &new_files) {
            diagnostic = cascade.apply(diagnostic, file.path);
        }
        ctx.report(diagnostic);
    }
}

/// The first line of the object of the new text that was the removed object's nearest
/// neighbour in the file, the one after it first (it now starts where the removed object was),
/// else the one before; the first line of the file when none of its neighbours is left.
fn former_place(
    file: &SourceFile<'_>,
    base_objects: &[&Node],
    removed: usize,
    new_objects: &[(ObjectKey<'_>, &Node)],
) -> TextRange {
    let in_new_text = |object: &&Node| {
        let key = ObjectKey::of(object)?;
        new_objects
            .iter()
            .find(|(other, _)| other.matches(&key))
            .map(|(_, node)| node.range.start())
    };
    let after = base_objects[removed + 1..].iter().find_map(in_new_text);
    let at = after.or_else(|| base_objects[..removed].iter().rev().find_map(in_new_text));
    let line = at.map_or(0, |offset| file.line_index.line_of(offset));
    file.line_index.line_range(line, &file.text)
}

/// Whether the object tells Argo CD, Flux or Helm never to delete it.
fn opts_out_of_pruning(object: &Node) -> bool {
    let Some(annotations) = object
        .get("metadata")
        .and_then(|metadata| metadata.get("annotations"))
    else {
        return false;
    };
    let annotation = |name: &str| annotations.get(name).and_then(Node::as_str);
    annotation("argocd.argoproj.io/sync-options").is_some_and(|options| {
        options
            .split(',')
            .any(|option| option.trim() == "Prune=false")
    }) || annotation("kustomize.toolkit.fluxcd.io/prune") == Some("disabled")
        || annotation("helm.sh/resource-policy") == Some("keep")
}

#[cfg(test)]
mod tests {
    use redline_engine::{AnalysisOptions, ChangeInput, Config, Report, analyze_change};
    use redline_syntax::SourceHints;
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/manifest-object-removed/fires.yaml");
    }

    #[test]
    fn cascade() {
        check_fixture("kubernetes/manifest-object-removed/cascade.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/manifest-object-removed/quiet.yaml");
    }

    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: db\nspec:\n  accessModes: [ReadWriteOnce]\n";
    const APP: &str =
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: db\n";

    fn findings(inputs: &[ChangeInput<'_>]) -> Vec<Vec<String>> {
        let options = AnalysisOptions {
            today: None,
            select: Some(vec!["RL-K8S-001"]),
        };
        analyze_change(inputs, &Config::default(), &options, Report::Introduced)
            .into_iter()
            .map(|analysis| {
                analysis
                    .diagnostics
                    .into_iter()
                    .map(|diagnostic| diagnostic.message)
                    .collect()
            })
            .collect()
    }

    fn input<'a>(path: &'a str, base: Option<&'a str>, new: Option<&'a str>) -> ChangeInput<'a> {
        ChangeInput {
            path,
            base,
            new,
            hints: SourceHints::default(),
            config_relative_path: None,
        }
    }

    #[test]
    fn an_object_moved_to_another_file_of_the_folder_is_not_removed() {
        let both = format!("{APP}---\n{CLAIM}");
        let moved = findings(&[
            input("deploy/app.yaml", Some(&both), Some(APP)),
            input("deploy/claim.yaml", None, Some(CLAIM)),
        ]);
        assert_eq!(moved, [Vec::<String>::new(), Vec::new()]);

        // Manifests given together are one set, whatever their folders: the front-end decides
        // the set (one folder in git mode, the whole new folder for two folders compared).
        let elsewhere = findings(&[
            input("deploy/app.yaml", Some(&both), Some(APP)),
            input("other/claim.yaml", None, Some(CLAIM)),
        ]);
        assert_eq!(elsewhere, [Vec::<String>::new(), Vec::new()]);
        let gone = findings(&[input("deploy/app.yaml", Some(&both), Some(APP))]);
        assert_eq!(gone[0].len(), 1, "{gone:?}");
        assert!(gone[0][0].starts_with("PersistentVolumeClaim `data` in namespace `db`"));
    }

    #[test]
    fn a_deleted_file_removes_its_objects() {
        let deleted = findings(&[input("deploy/claim.yaml", Some(CLAIM), None)]);
        assert_eq!(deleted[0].len(), 1, "{deleted:?}");
    }

    #[test]
    fn helm_templates_are_not_judged() {
        let template = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ .Release.Name }}-data\n";
        let rendered_later = findings(&[
            input("chart/templates/claim.yaml", Some(template), Some("")),
            input("chart/templates/app.yaml", Some(APP), Some("# moved\n")),
        ]);
        assert_eq!(rendered_later[0], Vec::<String>::new());
        // The StatefulSet really is gone from the plain manifest.
        assert_eq!(rendered_later[1].len(), 1, "{rendered_later:?}");
        let into_template = findings(&[
            input("chart/templates/app.yaml", Some(APP), Some("# moved\n")),
            input(
                "chart/templates/db.yaml",
                None,
                Some(
                    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  labels: {{ include \"labels\" . }}\n",
                ),
            ),
        ]);
        assert_eq!(into_template[0], Vec::<String>::new());
    }
}
