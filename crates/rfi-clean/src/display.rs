//! The display form of a URL: percent-escapes that form valid, visible non-ASCII UTF-8 are
//! decoded (`%E4%B8%AD` → `中`); every ASCII escape, and whatever could hide or spoof, stays as
//! written, so the WHATWG parser reads the display form as the very same URL.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use url::{Position, Url};

use crate::scheme::is_web;

/// The display form of a URL (D1–D9): scheme, userinfo, host and port as serialised (ASCII,
/// punycode kept, userinfo never decoded); path, query and fragment with safe escapes decoded.
pub(crate) fn display(url: &Url) -> String {
    let s = url.as_str();
    if !is_web(url) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(&url[..Position::BeforePath]);
    decode_component(&url[Position::BeforePath..Position::AfterPath], &mut out);
    if let Some(query) = url.query() {
        out.push('?');
        decode_component(query, &mut out);
    }
    if let Some(fragment) = url.fragment() {
        out.push('#');
        decode_component(fragment, &mut out);
    }
    out
}

/// Decodes the percent-escapes of one component that are safe to show (D4–D7), appending to `out`.
pub(crate) fn decode_component(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_escape_at(bytes, i) {
            let next = memchr::memchr(b'%', &bytes[i + 1..]).map_or(bytes.len(), |j| i + 1 + j);
            out.push_str(&s[i..next]);
            i = next;
            continue;
        }
        // A run of consecutive escapes, decoded as bytes, then as UTF-8 where strictly valid (D6).
        let start = i;
        let mut run = i;
        while is_escape_at(bytes, run) {
            run += 3;
        }
        let mut decoded = Vec::with_capacity((run - start) / 3);
        while is_escape_at(bytes, i) {
            decoded.push(hex_value(bytes[i + 1]) * 16 + hex_value(bytes[i + 2]));
            i += 3;
        }
        let mut at = start; // position in `s` of the escape for decoded[k]
        for chunk in decoded.utf8_chunks() {
            for c in chunk.valid().chars() {
                let escaped_len = 3 * c.len_utf8();
                // A hex digit decoded right after a literal `%` or `%X` would make a new escape
                // (`%%33` -> `%3`, which the next parse reads differently; found by fuzzing).
                let tail = out.as_bytes();
                let makes_escape = c.is_ascii_hexdigit()
                    && (tail.last() == Some(&b'%')
                        || tail.len() >= 2
                            && tail[tail.len() - 2] == b'%'
                            && tail[tail.len() - 1].is_ascii_hexdigit());
                if is_displayable(c) && !makes_escape {
                    out.push(c);
                } else {
                    out.push_str(&s[at..at + escaped_len]);
                }
                at += escaped_len;
            }
            let invalid_len = 3 * chunk.invalid().len();
            out.push_str(&s[at..at + invalid_len]);
            at += invalid_len;
        }
    }
}

fn is_escape_at(bytes: &[u8], i: usize) -> bool {
    bytes.get(i) == Some(&b'%')
        && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// May this decoded character be shown in a URL (D5, D7)?
pub(crate) fn is_displayable(c: char) -> bool {
    if c.is_ascii() {
        // No ASCII escape is decoded, not even `%41` or `%2E`: the WHATWG parser (what browsers
        // use) keeps them, so `/%41` and `/A` are different URLs to it, and to servers that sign
        // or route on the raw path (link-rules.md, the refinement at its top).
        return false;
    }
    let n = c as u32;
    // ZWNJ and ZWJ are part of Persian and Khmer words (RFI has `fa` and `km` editions).
    if n == 0x200C || n == 0x200D {
        return true;
    }
    let blocked_category = matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::SpaceSeparator
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned
    );
    let blocked_code_point = matches!(
        n,
        // default-ignorable or invisible characters outside the Cf category
        0x034F | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFFA0 | 0xFFF0..=0xFFFC | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF
            // blank that renders as a space
            | 0x2800
            // look-alikes of the browser's padlock
            | 0x1F50F..=0x1F513 | 0x1F6E1
            // noncharacters
            | 0xFDD0..=0xFDEF
    ) || n & 0xFFFE == 0xFFFE;
    !(blocked_category || blocked_code_point)
}
