use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `aws ec2 terminate-instances`, `aws lambda delete-function`, `aws ecr delete-repository --force`, `aws logs delete-log-group`, `aws route53 delete-hosted-zone`, `aws kms schedule-key-deletion`, `aws secretsmanager delete-secret --force-delete-without-recovery`, `aws ec2 delete-volume|delete-snapshot|delete-vpc|deregister-image`, `aws ecs delete-cluster|delete-service`, `aws sqs delete-queue`, `aws sns delete-topic`, `aws kinesis delete-stream`, `aws glacier delete-vault`, `aws cognito-idp delete-user-pool`, `aws apigateway delete-rest-api`, `aws elasticache delete-cache-cluster`, `aws elbv2 delete-load-balancer`, `aws cloudfront delete-distribution`, `az vm delete`, `az keyvault purge|delete`, `az disk|snapshot|webapp|functionapp|acr|redis delete`, `az network vnet delete`, `az postgres|mysql … delete`, any `gcloud … delete --quiet`, `doctl … delete` of droplets, volumes, snapshots, images, registries, domains, load balancers and VPCs (other `doctl` deletions as warnings), and `oci … delete|terminate` of instances, volumes, file systems, vaults, keys and backups (other `oci` deletions as warnings); `aws iam delete-role|delete-user` as warnings, since the principal can be created again.
    /// As warnings, since they can be redeployed: `gh release delete` (the release's uploaded assets go with it), `firebase hosting:disable`, and other `firebase …:delete` commands (Firestore's are RL-SH-008's).
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// These delete running infrastructure or data outside any review; keys and secrets deleted this way make everything encrypted with them unreadable.
    ///
    /// ## Example
    /// ```sh
    /// gcloud compute instances delete web-1 --quiet
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// remove the instance from the Terraform configuration and apply a reviewed plan
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-010 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    CloudResourceDeleteCommand {
        id: "RL-SH-010", name: "cloud-resource-delete-command",
        summary: "A command deletes cloud resources outside a reviewed change",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-010");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/cloud-resource-delete-command/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/cloud-resource-delete-command/quiet.sh");
    }
}
