//! Rules for Atmos workflow files.

pub mod atmos_apply_without_approval;
