//! Rules for GitLab CI configuration. The job view (what is a job, `extends:`, `default:`)
//! is `redline_syntax::gitlab_ci`, shared with the embedded-shell reader.

pub mod deploy_without_manual_gate;
