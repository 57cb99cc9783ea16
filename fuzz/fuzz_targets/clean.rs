//! The full clean on any input: no panic; when it succeeds, nothing executable in the output,
//! and cleaning the output again changes nothing.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/mod.rs"]
mod common;

static CLEANER: LazyLock<rfi_clean::Cleaner> = LazyLock::new(rfi_clean::Cleaner::default);

fuzz_target!(|data: &[u8]| {
    let Ok(cleaned) = CLEANER.clean_bytes(data) else {
        return; // a typed error (invalid UTF-8, ...) is a fine answer
    };
    common::assert_nothing_executable(cleaned.document(), "fuzz input");
    let again = CLEANER
        .clean(cleaned.document())
        .expect("the output cleans");
    assert_eq!(again.document(), cleaned.document(), "not idempotent");
});
