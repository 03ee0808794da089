//! Integration tests: one binary, modules by topic. Most run the built
//! `passage` binary in a temporary folder.

mod cite;
mod cli;
mod errors;
mod fuzz_regressions;
mod incremental;
mod indexing;
mod limits;
mod parser;
mod queries;
mod query_power;
mod relevance;
mod search;
mod util;
