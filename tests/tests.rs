//! Integration tests: one binary, modules by topic. Most run the built
//! `passage` binary in a temporary folder.

mod cli;
mod errors;
mod indexing;
mod parser;
mod search;
mod util;
