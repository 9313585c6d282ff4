resource "aws_s3_bucket" "logs" {
  bucket        = "acme-audit-logs"
  force_destroy = true
}

resource "aws_s3_bucket" "lögs_ü" { force_destroy = true }

resource "aws_s3_bucket" "kept" {
  bucket        = "acme-kept"
  force_destroy = false
}

# redline:ignore-file RL-TF-019 -- test buckets, recreated by every test
