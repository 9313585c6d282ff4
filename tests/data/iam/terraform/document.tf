data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "PassRoles"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

# The document is used twice; it is reported once, where it is written.
resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}

resource "aws_iam_role_policy" "deployer" {
  role   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}
