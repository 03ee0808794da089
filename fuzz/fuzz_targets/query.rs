//! The query parser on arbitrary text: it must never panic, and a query it
//! reads must read back the same from its canonical form.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| passage::invariants::fuzz_query(data));
