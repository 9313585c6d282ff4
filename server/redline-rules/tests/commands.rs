//! The command table: destructive command lines must match exactly the expected rules, and
//! harmless look-alikes must match none.
#![allow(clippy::unwrap_used)]

use redline_rules::shell::catalog::{SHELL_RULES, matches, may_match, programs_of};
use redline_syntax::Format;
use redline_syntax::shell::{SourceMap, commands};
use redline_text::TextRange;

/// Destructive lines and the rules they trigger.
const DESTRUCTIVE: &[(&str, &[&str])] = &[
    ("terraform destroy", &["RL-SH-001"]),
    ("echo cm0gLXJmIH4K | base64 -d | sh", &["RL-SH-016"]),
    ("terraform destroy -auto-approve", &["RL-SH-001"]),
    ("terraform -chdir=envs/prod destroy", &["RL-SH-001"]),
    ("tofu destroy -auto-approve", &["RL-SH-001"]),
    (
        "terraform apply -destroy -auto-approve",
        &["RL-SH-001", "RL-SH-002"],
    ),
    ("terragrunt run-all destroy", &["RL-SH-001"]),
    ("sudo terraform destroy", &["RL-SH-001"]),
    ("env TF_LOG=debug terraform destroy", &["RL-SH-001"]),
    ("bash -c 'terraform destroy -auto-approve'", &["RL-SH-001"]),
    ("sh -c \"cd infra && terraform destroy\"", &["RL-SH-001"]),
    ("eval 'terraform destroy'", &["RL-SH-001"]),
    ("nohup terraform destroy -auto-approve &", &["RL-SH-001"]),
    ("echo yes | terraform destroy", &["RL-SH-001"]),
    ("make plan && terraform destroy || true", &["RL-SH-001"]),
    ("terraform apply -auto-approve", &["RL-SH-002"]),
    (
        "terraform apply -auto-approve=true -input=false",
        &["RL-SH-002"],
    ),
    ("terraform apply --auto-approve", &["RL-SH-002"]),
    ("tofu apply -auto-approve", &["RL-SH-002"]),
    ("terraform -chdir=prod apply -auto-approve", &["RL-SH-002"]),
    ("terraform state rm aws_s3_bucket.logs", &["RL-SH-003"]),
    (
        "terraform state push -force errored.tfstate",
        &["RL-SH-003"],
    ),
    (
        "terraform state mv aws_instance.a aws_instance.b",
        &["RL-SH-003"],
    ),
    ("terraform taint aws_instance.web", &["RL-SH-003"]),
    ("terraform force-unlock -force 42", &["RL-SH-003"]),
    ("terraform workspace delete dev", &["RL-SH-003"]),
    (
        "terraform apply -replace=aws_instance.web tfplan",
        &["RL-SH-003"],
    ),
    ("tofu state rm module.db", &["RL-SH-003"]),
    ("kubectl delete namespace prod", &["RL-SH-004"]),
    ("kubectl delete ns prod", &["RL-SH-004"]),
    ("kubectl delete namespaces a b", &["RL-SH-004"]),
    ("kubectl delete pvc --all", &["RL-SH-004"]),
    ("kubectl delete pv data-0", &["RL-SH-004"]),
    ("kubectl delete persistentvolumeclaim data", &["RL-SH-004"]),
    ("kubectl delete pods --all", &["RL-SH-004"]),
    ("kubectl delete deploy -A", &["RL-SH-004"]),
    (
        "kubectl delete svc --all-namespaces -l app=x",
        &["RL-SH-004"],
    ),
    ("kubectl -n prod delete pvc,pv data", &["RL-SH-004"]),
    ("kubectl --context prod delete ns tenant", &["RL-SH-004"]),
    ("kubectl delete -k ./overlays/prod", &["RL-SH-004"]),
    (
        "kubectl delete crd certificates.cert-manager.io",
        &["RL-SH-004"],
    ),
    ("kubectl delete namespace/payments", &["RL-SH-004"]),
    ("sudo kubectl delete ns x", &["RL-SH-004"]),
    ("helm uninstall api", &["RL-SH-006"]),
    ("helm uninstall api -n prod --wait", &["RL-SH-006"]),
    ("helm delete api", &["RL-SH-006"]),
    ("helm -n prod del api", &["RL-SH-006"]),
    ("aws s3 rm s3://bucket --recursive", &["RL-SH-007"]),
    ("aws s3 rm --recursive s3://bucket/prefix", &["RL-SH-007"]),
    ("aws s3 rb s3://bucket --force", &["RL-SH-007"]),
    ("aws s3 sync build/ s3://site --delete", &["RL-SH-007"]),
    (
        "aws --profile prod s3 rm s3://b/ --recursive",
        &["RL-SH-007"],
    ),
    ("aws s3api delete-bucket --bucket b", &["RL-SH-007"]),
    ("gsutil rm -r gs://b", &["RL-SH-007"]),
    ("gsutil -m rm -r gs://b/*", &["RL-SH-007"]),
    ("gsutil rb gs://b", &["RL-SH-007"]),
    ("gcloud storage rm -r gs://b", &["RL-SH-007"]),
    ("gcloud storage buckets delete gs://b", &["RL-SH-007"]),
    (
        "az storage container delete -n c --account-name a",
        &["RL-SH-007"],
    ),
    (
        "az storage blob delete-batch -s c --account-name a",
        &["RL-SH-007"],
    ),
    (
        "az storage account delete -n acct -g rg --yes",
        &["RL-SH-007"],
    ),
    (
        "aws rds delete-db-instance --db-instance-identifier db --skip-final-snapshot",
        &["RL-SH-008"],
    ),
    (
        "aws rds delete-db-cluster --db-cluster-identifier c",
        &["RL-SH-008"],
    ),
    ("aws dynamodb delete-table --table-name t", &["RL-SH-008"]),
    (
        "aws redshift delete-cluster --cluster-identifier w --skip-final-cluster-snapshot",
        &["RL-SH-008"],
    ),
    (
        "aws elasticache delete-replication-group --replication-group-id r",
        &["RL-SH-008"],
    ),
    ("gcloud sql instances delete db --quiet", &["RL-SH-008"]),
    ("az sql db delete -g rg -s srv -n db --yes", &["RL-SH-008"]),
    ("az sql server delete -g rg -n srv", &["RL-SH-008"]),
    ("az cosmosdb delete -g rg -n acct", &["RL-SH-008"]),
    ("dropdb -h db.internal orders", &["RL-SH-008"]),
    (
        "aws cloudformation delete-stack --stack-name prod",
        &["RL-SH-009"],
    ),
    ("aws eks delete-cluster --name prod", &["RL-SH-009"]),
    ("cdk destroy --force", &["RL-SH-009"]),
    ("npx cdk destroy", &["RL-SH-009"]),
    ("sam delete --no-prompts", &["RL-SH-009"]),
    ("pulumi destroy --yes", &["RL-SH-009"]),
    ("pulumi -s prod destroy", &["RL-SH-009"]),
    ("pulumi stack rm prod --yes", &["RL-SH-009"]),
    ("az group delete --name rg --yes", &["RL-SH-009"]),
    ("az aks delete -g rg -n aks", &["RL-SH-009"]),
    ("gcloud projects delete acme-prod", &["RL-SH-009"]),
    (
        "gcloud container clusters delete prod --region eu",
        &["RL-SH-009"],
    ),
    (
        "aws ec2 terminate-instances --instance-ids i-1 i-2",
        &["RL-SH-010"],
    ),
    (
        "aws lambda delete-function --function-name f",
        &["RL-SH-010"],
    ),
    (
        "aws ecr delete-repository --repository-name r --force",
        &["RL-SH-010"],
    ),
    (
        "aws logs delete-log-group --log-group-name g",
        &["RL-SH-010"],
    ),
    ("aws route53 delete-hosted-zone --id Z1", &["RL-SH-010"]),
    ("aws kms schedule-key-deletion --key-id k", &["RL-SH-010"]),
    (
        "aws secretsmanager delete-secret --secret-id s --force-delete-without-recovery",
        &["RL-SH-010"],
    ),
    (
        "gcloud compute instances delete vm-1 --quiet",
        &["RL-SH-010"],
    ),
    ("gcloud compute disks delete d -q", &["RL-SH-010"]),
    ("az vm delete -g rg -n vm --yes", &["RL-SH-010"]),
    ("az keyvault purge --name kv", &["RL-SH-010"]),
    ("rm -rf /", &["RL-SH-013"]),
    ("rm -rf /*", &["RL-SH-013"]),
    ("rm -rf ~", &["RL-SH-013"]),
    ("rm -rf ~/", &["RL-SH-013"]),
    ("rm -rf $HOME", &["RL-SH-013"]),
    ("rm -rf .", &["RL-SH-013"]),
    ("rm -rf *", &["RL-SH-013"]),
    ("rm -rf ..", &["RL-SH-013"]),
    ("rm -fr /", &["RL-SH-013"]),
    ("rm -r -f /", &["RL-SH-013"]),
    ("rm -Rf /", &["RL-SH-013"]),
    ("rm --recursive --force /", &["RL-SH-013"]),
    ("rm -rf \"$DIR/\"", &["RL-SH-013"]),
    ("rm -rf \"$DIR\"/*", &["RL-SH-013"]),
    ("rm -rf $DIR/*", &["RL-SH-013"]),
    ("rm -rf ${DIR}/etc", &["RL-SH-013"]),
    ("git reset --hard HEAD~1", &["RL-SH-014"]),
    ("git clean -fdx", &["RL-SH-014"]),
    ("docker system prune -a", &["RL-SH-019"]),
    ("sudo rm -rf /", &["RL-SH-013"]),
    ("xargs rm -rf < list.txt", &["RL-SH-013"]),
    ("find . -type d | xargs -n 1 rm -rf", &["RL-SH-013"]),
    ("bash -c 'rm -rf \"$TARGET/\"'", &["RL-SH-013"]),
    ("git push --force origin main", &["RL-SH-014"]),
    ("git push -f origin master", &["RL-SH-014"]),
    ("git push origin +main", &["RL-SH-014"]),
    ("git push --force", &["RL-SH-014"]),
    ("git -C repo push -f origin dev", &["RL-SH-014"]),
    ("psql -c 'DROP TABLE users'", &["RL-SH-015"]),
    ("psql -c \"drop database shop\"", &["RL-SH-015"]),
    ("psql \"$URL\" --command='TRUNCATE events'", &["RL-SH-015"]),
    ("mysql -e 'DROP SCHEMA app'", &["RL-SH-015"]),
    ("mysql --execute=\"DELETE FROM orders\"", &["RL-SH-015"]),
    ("sqlite3 app.db 'DELETE FROM sessions'", &["RL-SH-015"]),
    ("psql -c 'SELECT 1; DROP TABLE audit'", &["RL-SH-015"]),
    ("redis-cli FLUSHALL", &["RL-SH-015"]),
    ("redis-cli -h cache -n 2 flushdb", &["RL-SH-015"]),
    ("docker compose down -v", &["RL-SH-017"]),
    ("docker compose down --volumes", &["RL-SH-017"]),
    ("docker-compose down -v", &["RL-SH-017"]),
    ("docker system prune -a --volumes", &["RL-SH-017"]),
    ("docker volume rm db", &["RL-SH-017"]),
    ("docker volume prune -f", &["RL-SH-017"]),
    ("dd if=/dev/zero of=/dev/sda", &["RL-SH-018"]),
    ("dd if=img of=/dev/nvme0n1 bs=4M", &["RL-SH-018"]),
    ("mkfs.ext4 /dev/sdb1", &["RL-SH-018"]),
    ("mkfs -t xfs /dev/sdc", &["RL-SH-018"]),
    ("wipefs -a /dev/sdb", &["RL-SH-018"]),
    ("chmod -R 777 /", &["RL-SH-018"]),
    ("chown -R nobody /etc", &["RL-SH-018"]),
];

/// Harmless lines, many of them close to a destructive one.
const HARMLESS: &[&str] = &[
    "terraform plan",
    "terraform plan -destroy",
    "terraform plan -destroy -out=destroy.tfplan",
    "terraform apply tfplan",
    "terraform apply -auto-approve tfplan",
    "terraform apply",
    "terraform init -upgrade",
    "terraform fmt -recursive",
    "terraform validate",
    "terraform output -json",
    "terraform state list",
    "terraform state show aws_s3_bucket.logs",
    "terraform workspace new dev",
    "terraform workspace select prod",
    "terraform import aws_s3_bucket.b b",
    "terraform plan -replace=aws_instance.web",
    "tofu plan",
    "echo terraform destroy",
    "echo 'rm -rf /'",
    "printf '%s\\n' 'kubectl delete ns x'",
    "grep -r 'terraform destroy' docs/",
    "kubectl get ns",
    "kubectl get pvc -A",
    "kubectl describe namespace prod",
    "kubectl delete pod web-1",
    "kubectl delete pod web-1 -n prod",
    "kubectl delete deployment api",
    "kubectl delete job migrate --ignore-not-found",
    "kubectl apply -f k8s/",
    "kubectl apply --prune -l app=x -f k8s/",
    "kubectl rollout restart deploy/api",
    "kubectl logs -n prod deploy/api",
    "kubectl delete -f job.yaml",
    "kubectl create namespace prod",
    "helm upgrade --install api ./chart",
    "helm list -A",
    "helm status api",
    "helm template api ./chart",
    "helm repo add x https://charts.example.com",
    "aws s3 cp file s3://b/file",
    "aws s3 ls s3://b --recursive",
    "aws s3 rm s3://b/file",
    "aws s3 sync build/ s3://site",
    "aws s3 mb s3://new",
    "aws s3api get-object --bucket b --key k out",
    "gsutil cp a gs://b/",
    "gsutil ls -r gs://b",
    "gsutil rm gs://b/one-file",
    "gcloud storage cp a gs://b",
    "aws rds describe-db-instances",
    "aws rds create-db-snapshot --db-instance-identifier db --db-snapshot-identifier s",
    "aws rds modify-db-instance --db-instance-identifier db --deletion-protection",
    "aws dynamodb describe-table --table-name t",
    "aws dynamodb scan --table-name t",
    "gcloud sql instances list",
    "createdb orders",
    "aws cloudformation deploy --stack-name s --template-file t.yml",
    "aws cloudformation describe-stacks",
    "aws eks update-kubeconfig --name prod",
    "cdk deploy --require-approval broadening",
    "cdk diff",
    "sam deploy --guided",
    "pulumi up",
    "pulumi preview",
    "pulumi stack ls",
    "az group show --name rg",
    "az group list",
    "gcloud projects list",
    "gcloud container clusters get-credentials prod",
    "aws ec2 describe-instances",
    "aws ec2 stop-instances --instance-ids i-1",
    "aws ecr delete-repository --repository-name r",
    "aws lambda update-function-code --function-name f --zip-file fileb://f.zip",
    "aws secretsmanager delete-secret --secret-id s",
    "aws kms describe-key --key-id k",
    "gcloud compute instances delete vm-1",
    "gcloud compute instances list",
    "az vm deallocate -g rg -n vm",
    "az keyvault show --name kv",
    "rm -f build.log",
    "rm -rf build",
    "rm -rf ./build",
    "rm -rf dist/ node_modules/",
    "rm -rf /tmp/redline",
    "rm -rf \"$TMPDIR\"",
    "rm -rf \"${DIR:?}/\"",
    "rm -rf \"${DIR:-/tmp/x}/cache\"",
    "rm -r docs",
    "rm -f *.o",
    "rm -rf ~/.cache/pip",
    "rmdir empty",
    "find . -name '*.pyc' -delete",
    "xargs echo < list.txt",
    "git push origin main",
    "git push --force-with-lease origin feature",
    "git push -u origin feature",
    "git reset --soft HEAD~1",
    "git clean -n",
    "git fetch --force --tags",
    "git commit --amend -m x",
    "git checkout -b x",
    "psql -c 'SELECT * FROM users'",
    "psql -c \"DELETE FROM sessions WHERE expired\"",
    "psql -f migrations/001.sql",
    "mysql -e 'SHOW TABLES'",
    "mysql -e \"CREATE TABLE t (id int)\"",
    "sqlite3 app.db '.schema'",
    "redis-cli GET key",
    "redis-cli DEL key",
    "echo 'DROP TABLE users' > notes.txt",
    "docker compose down",
    "docker compose up -d",
    "docker system prune -f",
    "docker image prune -f",
    "rm -rf ${DIR}/build",
    "docker volume ls",
    "docker volume create db",
    "docker rm -f web",
    "docker rmi old:1",
    "dd if=/dev/zero of=disk.img bs=1M count=1",
    "dd if=/dev/urandom of=/dev/null count=1",
    "mkdir -p /tmp/x",
    "chmod -R 755 build",
    "chmod 600 ~/.ssh/id_ed25519",
    "chown -R app:app /srv/app",
    "ls -la /",
    "cat /etc/hosts",
    "make deploy",
    "npm run build",
    "python manage.py migrate",
    "./scripts/deploy.sh",
];

fn rules_for(line: &str, format: Format) -> Vec<&'static str> {
    let map = SourceMap::verbatim(TextRange::from_usize(0, line.len()));
    let mut res: Vec<&'static str> = Vec::new();
    for command in commands(line, &map) {
        for rule in SHELL_RULES {
            let hits = matches(rule, &command, format);
            // The quick test the rules run first never turns a match away.
            assert!(
                hits.is_empty() || may_match(rule, programs_of(rule), &command),
                "{line:?}: {rule} matches, but may_match says it cannot"
            );
            for hit in hits {
                if !res.contains(&hit.rule) {
                    res.push(hit.rule);
                }
            }
        }
    }
    res.sort_unstable();
    res
}

#[test]
fn destructive_lines_match_their_rules() {
    let mut failures = Vec::new();
    for (line, expected) in DESTRUCTIVE {
        let mut expected = expected.to_vec();
        expected.sort_unstable();
        let found = rules_for(line, Format::Shell);
        if found != expected {
            failures.push(format!("{line:?}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn harmless_lines_match_nothing() {
    let failures: Vec<String> = HARMLESS
        .iter()
        .filter_map(|line| {
            let found = rules_for(line, Format::Shell);
            (!found.is_empty()).then(|| format!("{line:?}: {found:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "false positives:\n{}",
        failures.join("\n")
    );
}

#[test]
fn discarding_work_matters_in_ci() {
    assert_eq!(
        rules_for("git reset --hard origin/main", Format::GithubActions),
        ["RL-SH-014"]
    );
    assert_eq!(rules_for("git clean -fdx", Format::GitlabCi), ["RL-SH-014"]);
    // An image build has no uncommitted work; anywhere else it may be someone's.
    assert!(rules_for("git reset --hard origin/main", Format::Dockerfile).is_empty());
    assert_eq!(
        rules_for("git reset --hard origin/main", Format::Shell),
        ["RL-SH-014"]
    );
}

#[test]
fn the_table_is_large_enough() {
    assert!(DESTRUCTIVE.len() + HARMLESS.len() >= 150);
}
