//! Integration tests: one binary, modules by topic. Most run the built
//! `passage` binary in a temporary folder.

mod chaos;
mod check;
mod cite;
mod cli;
mod concurrency;
mod errors;
mod faults;
mod filters;
mod front_door;
mod fuzz_regressions;
mod habits;
mod hostile;
mod incremental;
mod index_messages;
mod indexing;
mod limits;
mod meaning;
mod parser;
mod paths;
mod queries;
mod query_power;
mod ranking;
mod readme;
mod relevance;
mod search;
mod serve;
mod terminal;
mod unicode;
mod util;
mod watcher;
