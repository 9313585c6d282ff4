module "app" {
  source = "./modules/app"
}

resource "aws_db_instance" "main" {
  identifier          = "main"
  engine              = "mysql"
  deletion_protection = true
}

resource "aws_instance" "worker" {
  for_each = toset(["eu", "us"])
  ami      = "ami-1"
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1b"
  size              = 100
}
