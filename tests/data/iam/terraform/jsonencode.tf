resource "aws_iam_policy" "storage" {
  name = "storage"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "AllStorage"
      Effect   = "Allow"
      Action   = ["s3:*"]
      Resource = "*"
    }]
  })
}
