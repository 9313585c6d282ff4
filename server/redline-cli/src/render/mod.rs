//! Output formats. Wire types live here and nowhere else.

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;
