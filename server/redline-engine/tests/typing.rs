//! Typing a block into a file, character by character, against a committed base: every prefix
//! of the typing is an edit the language server and the agent hook judge. A prefix that merely
//! has not been finished must not be reported as removing or renaming what its syntax error
//! hides, while a real removal elsewhere in the file, made before the typing began, is
//! reported at every prefix.

use std::collections::HashSet;

use redline_diagnostics::{Diagnostic, Severity};
use redline_engine::{
    AnalysisOptions, ChangeInput, Config, Report, SourceInput, analyze, analyze_change,
};
use redline_syntax::SourceHints;

/// A file before the edit, the block the edit removes, and the blocks typed into it.
struct Replay<'a> {
    path: &'a str,
    base: &'a str,
    /// Text of `base` that the edit removes before the typing starts.
    removed: &'a str,
    /// Where each block is typed: after this text of `base`, and what is typed.
    typed: &'a [(&'a str, &'a str)],
    /// The rule and a part of the message of the removal finding.
    removal: (&'a str, &'a str),
}

/// The findings of the edit from `base` to `new` that the edit's own judgement adds: at warning
/// or above, and absent from the analysis of `new` on its own.
fn edit_findings(path: &str, base: &str, new: &str) -> Vec<Diagnostic> {
    let config = Config::default();
    let options = AnalysisOptions::default();
    let input = ChangeInput {
        path,
        base: Some(base),
        new: Some(new),
        hints: SourceHints::default(),
        config_relative_path: None,
    };
    let change = analyze_change(&[input], &config, &options, Report::Introduced)
        .remove(0)
        .diagnostics;
    let snapshot: HashSet<(&str, _)> = analyze(
        &SourceInput {
            path,
            text: new,
            hints: SourceHints::default(),
            config_relative_path: None,
        },
        &config,
        &options,
    )
    .diagnostics
    .iter()
    .map(|diagnostic| (diagnostic.rule.id, diagnostic.range))
    .collect();
    change
        .into_iter()
        .filter(|diagnostic| diagnostic.severity >= Severity::Warning)
        .filter(|diagnostic| !snapshot.contains(&(diagnostic.rule.id, diagnostic.range)))
        .collect()
}

fn replay(case: &Replay<'_>) {
    assert!(case.base.contains(case.removed), "{}", case.path);
    let start = case.base.replace(case.removed, "");
    let mut text = start.clone();
    let mut n_prefixes = 0;
    for (after, block) in case.typed {
        // The block is typed as in an editor: at the end of the line `after` ends, a new line,
        // then the block.
        let at = text
            .find(after)
            .unwrap_or_else(|| panic!("{after:?} in {}", case.path))
            + after.trim_end_matches('\n').len();
        let block = format!("\n{}", block.trim_end_matches('\n'));
        let mut typed = String::new();
        for c in block.chars().map(Some).chain([None]) {
            let new = format!("{}{typed}{}", &text[..at], &text[at..]);
            let findings = edit_findings(case.path, case.base, &new);
            let removal = findings
                .iter()
                .filter(|diagnostic| {
                    diagnostic.rule.id == case.removal.0
                        && diagnostic.message.contains(case.removal.1)
                })
                .count();
            let others: Vec<String> = findings
                .iter()
                .filter(|diagnostic| {
                    !(diagnostic.rule.id == case.removal.0
                        && diagnostic.message.contains(case.removal.1))
                })
                .map(|diagnostic| format!("{} {}", diagnostic.rule.id, diagnostic.message))
                .collect();
            assert!(
                removal == 1 && others.is_empty(),
                "{}: after typing {typed:?}: removal reported {removal} times, other findings \
                 {others:#?}\n--- new text ---\n{new}",
                case.path
            );
            n_prefixes += 1;
            if let Some(c) = c {
                typed.push(c);
            }
        }
        text = format!("{}{typed}{}", &text[..at], &text[at..]);
    }
    assert!(n_prefixes > 100, "{}", case.path);
}

const TERRAFORM: &str = r#"terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = "main"
  }
}

resource "aws_db_instance" "orders" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20

  lifecycle {
    prevent_destroy = true
  }
}

module "network" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
  cidr    = "10.1.0.0/16"
}

resource "aws_sqs_queue" "jobs" {
  name                      = "jobs"
  message_retention_seconds = 1209600
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

const TERRAFORM_QUEUE: &str = r#"resource "aws_sqs_queue" "jobs" {
  name                      = "jobs"
  message_retention_seconds = 1209600
}

"#;

const TERRAFORM_TYPED: &[(&str, &str)] = &[
    (
        "    Name = \"main\"\n  }\n}\n",
        r#"resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "HTTPS from the office"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"#,
    ),
    (
        "  bucket = \"acme-logs\"\n}\n",
        r#"
module "cache" {
  source     = "./modules/cache"
  node_type  = "cache.t3.micro"
  subnet_ids = module.network.private_subnets
}
"#,
    ),
];

#[test]
fn terraform() {
    replay(&Replay {
        path: "infra/main.tf",
        base: TERRAFORM,
        removed: TERRAFORM_QUEUE,
        typed: TERRAFORM_TYPED,
        removal: ("RL-TF-001", "`aws_sqs_queue.jobs` was removed"),
    });
}

const CLOUDFORMATION_YAML: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Description: Orders service
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      TableName: !Sub "orders-${Env}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  ArchiveBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "orders-archive-${Env}"
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
Outputs:
  TableName:
    Value: !Ref OrdersTable
"#;

const CLOUDFORMATION_YAML_TYPED: &str = r#"  OrdersTopic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "orders-${Env}"
      Tags:
        - Key: team
          Value: orders
"#;

#[test]
fn cloudformation_yaml() {
    replay(&Replay {
        path: "templates/orders.yaml",
        base: CLOUDFORMATION_YAML,
        removed: "  ArchiveBucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"orders-archive-${Env}\"\n",
        typed: &[
            ("Resources:\n", CLOUDFORMATION_YAML_TYPED),
            (
                "Action: sts:AssumeRole\n",
                CLOUDFORMATION_YAML_TYPED
                    .replace("OrdersTopic", "AuditTopic")
                    .leak(),
            ),
        ],
        removal: ("RL-CFN-003", "ArchiveBucket"),
    });
}

const CLOUDFORMATION_JSON: &str = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "OrdersTable": {
      "Type": "AWS::DynamoDB::Table",
      "DeletionPolicy": "Retain",
      "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]
      }
    },
    "ArchiveBucket": {
      "Type": "AWS::S3::Bucket",
      "Properties": {"BucketName": "orders-archive"}
    },
    "WorkerRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {
          "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        }
      }
    }
  }
}
"#;

#[test]
fn cloudformation_json() {
    replay(&Replay {
        path: "templates/orders.json",
        base: CLOUDFORMATION_JSON,
        removed: "    \"ArchiveBucket\": {\n      \"Type\": \"AWS::S3::Bucket\",\n      \"Properties\": {\"BucketName\": \"orders-archive\"}\n    },\n",
        typed: &[(
            "  \"Resources\": {\n",
            "    \"OrdersTopic\": {\n      \"Type\": \"AWS::SNS::Topic\",\n      \"Properties\": {\n        \"TopicName\": \"orders\",\n        \"Tags\": [{\"Key\": \"team\", \"Value\": \"orders\"}]\n      }\n    },\n",
        )],
        removal: ("RL-CFN-003", "ArchiveBucket"),
    });
}

const KUBERNETES: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: uploads
  namespace: shop
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 20Gi
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
"#;

#[test]
fn kubernetes() {
    replay(&Replay {
        path: "deploy/shop.yaml",
        base: KUBERNETES,
        removed: "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: uploads\n  namespace: shop\nspec:\n  accessModes: [\"ReadWriteOnce\"]\n  resources:\n    requests:\n      storage: 20Gi\n",
        typed: &[
            (
                "  name: shop\n",
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n  FEATURES: \"search,cart\"\n",
            ),
            (
                "      targetPort: 8080\n",
                "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
            ),
        ],
        removal: ("RL-K8S-001", "uploads"),
    });
}
