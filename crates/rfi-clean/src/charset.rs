//! Input bytes to text. UTF-8 is the norm; a page in a legacy encoding that declares it (a BOM,
//! or `<meta charset>` / `<meta http-equiv=content-type>` in its first 1024 bytes, as the HTML
//! standard's prescan looks) is decoded with encoding_rs. Undeclared non-UTF-8 input is an error:
//! guessing would risk changing words.

use std::borrow::Cow;

use encoding_rs::Encoding;

use crate::Error;

/// How far the `<meta charset>` prescan looks, as in the HTML standard.
const PRESCAN: usize = 1024;

/// Decodes `input` to text: UTF-8, or the encoding it declares.
pub(crate) fn decode(input: &[u8]) -> Result<Cow<'_, str>, Error> {
    // simdutf8 validates several times faster than std on non-ASCII text (27 ms -> 3 ms over
    // the 48 MB benchmark corpus); `compat` gives the same error offsets.
    let utf8_error = match simdutf8::compat::from_utf8(input) {
        Ok(text) => return Ok(Cow::Borrowed(text)),
        Err(e) => e,
    };
    let invalid = || Error::InvalidUtf8 {
        offset: utf8_error.valid_up_to(),
    };
    let (encoding, bom_len) = match Encoding::for_bom(input) {
        Some(found) => found,
        None => (
            declared_encoding(&input[..input.len().min(PRESCAN)]).ok_or_else(invalid)?,
            0,
        ),
    };
    if encoding == encoding_rs::UTF_8 {
        return Err(invalid());
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(&input[bom_len..])
        .ok_or_else(|| Error::InvalidEncoding {
            encoding: encoding.name(),
        })
}

/// The encoding a `<meta>` in `head` declares, if any.
fn declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + at;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(pos) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[pos + b"charset".len()..];
            let rest = trim_ascii_start(rest);
            if let Some(value) = rest.strip_prefix(b"=") {
                let value = trim_ascii_start(value);
                let value = value
                    .strip_prefix(b"\"")
                    .or_else(|| value.strip_prefix(b"'"))
                    .unwrap_or(value);
                let len = value
                    .iter()
                    .position(|b| {
                        matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'\t' | b'\n' | b'\r')
                    })
                    .unwrap_or(value.len());
                if let Some(encoding) = Encoding::for_label(&value[..len]) {
                    return Some(encoding);
                }
            }
        }
        from = end.max(start + 1);
    }
    None
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(
            decode("<p>中</p>".as_bytes()),
            Ok(Cow::Borrowed("<p>中</p>"))
        ));
    }

    #[test]
    fn declared_legacy_encodings_are_decoded() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p>";
        assert!(decode(latin1).expect("decodes").contains("café"));
        let http_equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>";
        assert!(decode(http_equiv).expect("decodes").contains("Привет"));
        let gbk = b"<meta charset=gbk><p>\xd6\xd0\xb9\xfa</p>";
        assert!(decode(gbk).expect("decodes").contains("中国"));
        let utf16 = b"\xff\xfe<\0p\0>\0";
        assert_eq!(decode(utf16).expect("decodes"), "<p>");
    }

    #[test]
    fn undeclared_or_wrongly_declared_input_is_refused() {
        assert!(matches!(
            decode(b"<p>caf\xe9</p>"),
            Err(Error::InvalidUtf8 { offset: 6 })
        ));
        assert!(matches!(
            decode(b"<meta charset=utf-8><p>caf\xe9</p>"),
            Err(Error::InvalidUtf8 { .. })
        ));
        assert!(matches!(
            decode(b"<meta charset=shift_jis><p>\x82</p>"),
            Err(Error::InvalidEncoding {
                encoding: "Shift_JIS"
            })
        ));
    }
}
