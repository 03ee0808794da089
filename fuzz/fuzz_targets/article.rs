//! The article parser on arbitrary bytes: it must never panic, and what it
//! accepts must point back into the file exactly (every later stage slices
//! the file with these ranges).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| passage::invariants::fuzz_article(data));
