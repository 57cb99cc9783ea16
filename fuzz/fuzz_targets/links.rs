//! The link functions on any string: no panic; the display form parses back to the same URL;
//! cleaning a cleaned URL changes nothing.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static CLEANER: LazyLock<rfi_clean::Cleaner> = LazyLock::new(rfi_clean::Cleaner::default);

/// A serialised URL with escapes of unreserved characters decoded and hex made upper case:
/// RFC 3986 section 6.2.2 equivalence, which display decoding may use and nothing else.
fn normalized(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if escape {
            if let Ok(v) = u8::from_str_radix(&url[i + 1..i + 3], 16) {
                if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                    out.push(v as char);
                } else {
                    out.push_str(&url[i..i + 3].to_ascii_uppercase());
                }
                i += 3;
                continue;
            }
        }
        let c = url[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let shown = rfi_clean::display_url(input);
    if let (Ok(before), Ok(after)) = (url::Url::parse(input.trim()), url::Url::parse(&shown)) {
        if matches!(before.scheme(), "http" | "https") {
            assert_eq!(
                normalized(after.as_str()),
                normalized(before.as_str()),
                "display changed the URL"
            );
        }
    }
    let once = CLEANER.clean_url(input);
    let twice = CLEANER.clean_url(&once);
    assert_eq!(twice, once, "clean_url is not idempotent");
});
