# Audit logs must survive a mistaken destroy.
resource "aws_s3_bucket" "audit_logs" {
  bucket        = "acme-audit-logs"
  force_destroy = true
}

resource "aws_s3_bucket_versioning" "audit_logs" {
  bucket = aws_s3_bucket.audit_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

# Build artefacts are disposable; the suppression says why.
resource "aws_s3_bucket" "scratch" {
  bucket = "acme-ci-scratch"
  # redline:ignore RL-TF-010 -- emptied and recreated by every CI run
  force_destroy = true
}
