//! Presenting results: [`text`] for people, [`json`] for scripts. The
//! library finds; only these modules write.

pub mod json;
pub mod text;
