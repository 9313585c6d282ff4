# One over-broad cloud IAM grant per rule, for the end-to-end tests.

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "google_project_iam_member" "deployer" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
}

resource "google_storage_bucket_iam_member" "exports" {
  bucket = "acme-exports"
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

data "azurerm_subscription" "current" {}

resource "azurerm_role_assignment" "pipeline" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = var.pipeline_principal_id
}

resource "azurerm_role_definition" "deployer" {
  name  = "deployer"
  scope = data.azurerm_subscription.current.id

  permissions {
    actions = ["*"]
  }
}
