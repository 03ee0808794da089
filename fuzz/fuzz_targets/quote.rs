//! The quote normaliser and matcher on arbitrary text: a quote and a
//! passage (split at the first NUL byte), which must never panic and must
//! report ranges that slice the passage at character boundaries.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| passage::invariants::fuzz_quote(data));
