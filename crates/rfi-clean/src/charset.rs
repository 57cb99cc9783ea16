//! Input bytes to text. UTF-8 is the norm; a page in another encoding is decoded with encoding_rs
//! when it says which: a BOM, or a declaration that the HTML standard's prescan finds in its first
//! 1024 bytes (`<meta charset>`, `<meta http-equiv=content-type content="…charset=…">`, or an XML
//! declaration's `encoding`). Failing those, the caller's fallback (a user's `--encoding`) applies.
//! Other non-UTF-8 input is an error: guessing would risk changing words.
//!
//! The prescan follows "prescan a byte stream to determine its encoding" and "get an XML encoding"
//! (<https://html.spec.whatwg.org/multipage/parsing.html#prescan-a-byte-stream-to-determine-its-encoding>)
//! step for step, labels resolve as the Encoding standard's "get an encoding" (every WHATWG
//! label), and bytes decode with encoding_rs, never with replacement characters.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

use crate::Error;

/// How far the prescan looks: the HTML standard's advice, and its end condition here.
const PRESCAN: usize = 1024;

/// Decodes `input` to text. In order: a BOM (UTF-8, UTF-16LE, UTF-16BE) decides; otherwise valid
/// UTF-8 is taken as is (whatever it declares); otherwise the encoding the prescan finds in the
/// first 1024 bytes; otherwise `fallback`. A declaration wins over `fallback`, which is for pages
/// that declare nothing (or only labels of no encoding).
///
/// # Errors
/// [`Error::InvalidUtf8`] for non-UTF-8 input that declares no encoding and has no fallback, or
/// that declares UTF-8 (a UTF-8 BOM, or a `utf-8` or UTF-16 label, which the standard reads as
/// UTF-8); [`Error::InvalidEncoding`] for input that is not valid in the encoding found for it.
pub(crate) fn decode<'a>(
    input: &'a [u8],
    fallback: Option<&'static Encoding>,
) -> Result<Cow<'a, str>, Error> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(input) {
        return decode_after(encoding, input, bom_len);
    }
    // simdutf8 validates several times faster than std on non-ASCII text (27 ms -> 3 ms over
    // the 48 MB benchmark corpus); `compat` gives the same error offsets.
    let offset = match simdutf8::compat::from_utf8(input) {
        Ok(text) => return Ok(Cow::Borrowed(text)),
        Err(e) => e.valid_up_to(),
    };
    match prescan(&input[..input.len().min(PRESCAN)]).or(fallback) {
        // Already known not to be valid UTF-8.
        Some(encoding) if encoding == UTF_8 => Err(Error::InvalidUtf8 { offset }),
        Some(encoding) => decode_after(encoding, input, 0),
        None => Err(Error::InvalidUtf8 { offset }),
    }
}

/// The encoding a user's label names (`--encoding`, the builder): any WHATWG label, in any case,
/// with or without surrounding ASCII whitespace, as `Encoding::for_label` reads it. `None` for an
/// unknown label, and for the labels of the replacement encoding (`iso-2022-kr`, `hz-gb-2312`, …),
/// which decodes nothing. As given by a user, `utf-16` stays UTF-16LE and `x-user-defined` stays
/// itself; only a page's own declaration is read as UTF-8 or windows-1252 for those.
pub(crate) fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.as_bytes()).filter(|&encoding| encoding != encoding_rs::REPLACEMENT)
}

/// `input` after its first `skip` bytes (a BOM), in `encoding`; bytes not valid in it are an
/// error, never replaced.
fn decode_after<'a>(
    encoding: &'static Encoding,
    input: &'a [u8],
    skip: usize,
) -> Result<Cow<'a, str>, Error> {
    let body = &input[skip..];
    if encoding == UTF_8 {
        return simdutf8::compat::from_utf8(body)
            .map(Cow::Borrowed)
            .map_err(|e| Error::InvalidUtf8 {
                offset: skip + e.valid_up_to(),
            });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(Error::InvalidEncoding {
            encoding: encoding.name(),
        })
}

/// The encoding `head` declares, by the HTML standard's prescan with `head`'s end as its end
/// condition (the caller passes the first 1024 bytes); when the prescan runs out of bytes, the
/// standard's "get an XML encoding" on the same bytes.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    scan(head).ok().or_else(|| xml_encoding(head))
}

/// The prescan ran out of bytes (or reached its end condition): the standard aborts it.
struct OutOfBytes;

/// A position in the prescanned bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn byte(&self) -> Result<u8, OutOfBytes> {
        self.bytes.get(self.pos).copied().ok_or(OutOfBytes)
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Moves to the first byte at or after the position that `stop` accepts.
    fn advance_to(&mut self, stop: impl Fn(u8) -> bool) -> Result<(), OutOfBytes> {
        self.pos += self
            .rest()
            .iter()
            .position(|&b| stop(b))
            .ok_or(OutOfBytes)?;
        Ok(())
    }

    /// Moves past 0x09, 0x0A, 0x0C, 0x0D and 0x20 (exactly `u8::is_ascii_whitespace`).
    fn skip_spaces(&mut self) -> Result<(), OutOfBytes> {
        self.advance_to(|b| !b.is_ascii_whitespace())
    }
}

/// The prescan's loop. It ends only with an encoding or by running out of bytes.
fn scan(bytes: &[u8]) -> Result<&'static Encoding, OutOfBytes> {
    // UTF-16 XML declarations: `<?x` in UTF-16LE or UTF-16BE.
    if bytes.starts_with(b"<\0?\0x\0") {
        return Ok(UTF_16LE);
    }
    if bytes.starts_with(b"\0<\0?\0x") {
        return Ok(UTF_16BE);
    }
    let mut at = Cursor { bytes, pos: 0 };
    loop {
        let rest = at.rest();
        if rest.is_empty() {
            return Err(OutOfBytes);
        }
        if rest.starts_with(b"<!--") {
            // To the `>` of the first `-->` after the `<`; its dashes may be those of `<!--`.
            let dashes = memchr::memmem::find(&rest[2..], b"-->").ok_or(OutOfBytes)?;
            at.pos += 2 + dashes + 2;
        } else if rest.len() > 5
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && matches!(rest[5], b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/')
        {
            at.pos += 5;
            if let Some(encoding) = meta(&mut at)? {
                return Ok(encoding);
            }
        } else if starts_tag(rest) {
            // Any other tag: its attributes are read (so that a `<meta` in a quoted value is not
            // taken for one) and dropped.
            at.advance_to(|b| b.is_ascii_whitespace() || b == b'>')?;
            while get_attribute(&mut at)?.is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            at.pos += 1;
            at.advance_to(|b| b == b'>')?;
        }
        at.pos += 1;
    }
}

/// `<`, an optional `/`, then an ASCII letter.
fn starts_tag(rest: &[u8]) -> bool {
    let Some(name) = rest.strip_prefix(b"<") else {
        return false;
    };
    let name = name.strip_prefix(b"/").unwrap_or(name);
    name.first().is_some_and(u8::is_ascii_alphabetic)
}

/// The prescan's steps for a `<meta`, from the space or slash after its name: the encoding the
/// element declares, or `None` to go on scanning after it.
fn meta(at: &mut Cursor<'_>) -> Result<Option<&'static Encoding>, OutOfBytes> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma = None;
    // `None` is the standard's null; `Some(None)` its failure (a label of no encoding).
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some(Attribute { name, value }) = get_attribute(at)? {
        // Only an attribute's first occurrence counts.
        if names.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" => got_pragma = value == b"content-type",
            b"content" if charset.is_none() => {
                if let Some(encoding) = charset_in_content(&value) {
                    charset = Some(Some(encoding));
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Some(Encoding::for_label(&value));
                need_pragma = Some(false);
            }
            _ => {}
        }
        names.push(name);
    }
    let encoding = match (need_pragma, charset) {
        // `content` counts only with `http-equiv="content-type"`.
        (Some(true), _) if !got_pragma => return Ok(None),
        (Some(_), Some(Some(encoding))) => encoding,
        // No declaration, or a label of no encoding.
        _ => return Ok(None),
    };
    Ok(Some(if encoding == UTF_16BE || encoding == UTF_16LE {
        // The bytes were read as ASCII to get here: they cannot be UTF-16.
        UTF_8
    } else if encoding == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        encoding
    }))
}

/// An attribute as the prescan reads it: ASCII letters lowercased, other bytes as they are.
struct Attribute {
    name: Vec<u8>,
    value: Vec<u8>,
}

/// The standard's "get an attribute": the next attribute of the tag at `at`, or `None` at the
/// tag's `>`.
fn get_attribute(at: &mut Cursor<'_>) -> Result<Option<Attribute>, OutOfBytes> {
    at.advance_to(|b| !b.is_ascii_whitespace() && b != b'/')?;
    if at.byte()? == b'>' {
        return Ok(None);
    }
    let mut attribute = Attribute {
        name: Vec::new(),
        value: Vec::new(),
    };
    // Name.
    loop {
        match at.byte()? {
            b'=' if !attribute.name.is_empty() => {
                at.pos += 1;
                break;
            }
            b if b.is_ascii_whitespace() => {
                // Spaces: a value only if `=` comes next.
                at.skip_spaces()?;
                if at.byte()? != b'=' {
                    return Ok(Some(attribute));
                }
                at.pos += 1;
                break;
            }
            b'/' | b'>' => return Ok(Some(attribute)),
            b => attribute.name.push(b.to_ascii_lowercase()),
        }
        at.pos += 1;
    }
    // Value.
    at.skip_spaces()?;
    match at.byte()? {
        quote @ (b'"' | b'\'') => loop {
            at.pos += 1;
            match at.byte()? {
                b if b == quote => {
                    at.pos += 1;
                    return Ok(Some(attribute));
                }
                b => attribute.value.push(b.to_ascii_lowercase()),
            }
        },
        b'>' => return Ok(Some(attribute)),
        b => {
            attribute.value.push(b.to_ascii_lowercase());
            at.pos += 1;
        }
    }
    loop {
        match at.byte()? {
            b if b.is_ascii_whitespace() || b == b'>' => return Ok(Some(attribute)),
            b => attribute.value.push(b.to_ascii_lowercase()),
        }
        at.pos += 1;
    }
}

/// The standard's "extracting a character encoding from a meta element", on a `content` value
/// (already lowercased by [`get_attribute`]): the encoding its `charset=` names, if any.
fn charset_in_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    loop {
        pos += memchr::memmem::find(&content[pos..], b"charset")? + b"charset".len();
        pos += skipped_spaces(&content[pos..]);
        if content.get(pos) == Some(&b'=') {
            pos += 1;
            break;
        }
        // Not `charset=`: look for the next `charset` from here.
    }
    pos += skipped_spaces(&content[pos..]);
    let rest = &content[pos..];
    match *rest.first()? {
        quote @ (b'"' | b'\'') => {
            // Between the quotes; an unmatched quote gives nothing.
            let quoted = &rest[1..];
            Encoding::for_label(&quoted[..memchr::memchr(quote, quoted)?])
        }
        _ => {
            let end = rest
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b';')
                .unwrap_or(rest.len());
            Encoding::for_label(&rest[..end])
        }
    }
}

/// How many ASCII whitespace bytes `bytes` starts with.
fn skipped_spaces(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// The standard's "get an XML encoding": the `encoding` of an XML declaration at the very start
/// of `bytes`.
fn xml_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let declaration_end = memchr::memchr(b'>', bytes)?;
    let mut pos = memchr::memmem::find(&bytes[..declaration_end], b"encoding")? + b"encoding".len();
    // Here "space" is any byte up to 0x20, controls included.
    while *bytes.get(pos)? <= 0x20 {
        pos += 1;
    }
    if bytes[pos] != b'=' {
        return None;
    }
    pos += 1;
    while *bytes.get(pos)? <= 0x20 {
        pos += 1;
    }
    let quote = bytes[pos];
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let rest = &bytes[pos + 1..];
    let label = &rest[..memchr::memchr(quote, rest)?];
    if label.iter().any(|&b| b <= 0x20) {
        return None;
    }
    match Encoding::for_label(label)? {
        encoding if encoding == UTF_16BE || encoding == UTF_16LE => Some(UTF_8),
        encoding => Some(encoding),
    }
}

#[cfg(test)]
mod tests {
    use encoding_rs::*;

    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(
            decode("<p>中</p>".as_bytes(), None),
            Ok(Cow::Borrowed("<p>中</p>"))
        ));
        // Also after a UTF-8 BOM, which goes.
        assert!(matches!(
            decode("\u{feff}<p>中</p>".as_bytes(), None),
            Ok(Cow::Borrowed("<p>中</p>"))
        ));
    }

    /// What [`decode`] should give.
    #[derive(Debug, PartialEq)]
    enum Want {
        Text(String),
        InvalidUtf8(usize),
        InvalidEncoding(&'static str),
    }

    fn got(result: Result<Cow<'_, str>, Error>) -> Want {
        match result {
            Ok(text) => Want::Text(text.into_owned()),
            Err(Error::InvalidUtf8 { offset }) => Want::InvalidUtf8(offset),
            Err(Error::InvalidEncoding { encoding }) => Want::InvalidEncoding(encoding),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    /// `<meta charset=windows-1251>` preceded by `pad` bytes of text, then a legacy byte.
    fn padded(pad: usize) -> Vec<u8> {
        let mut page = vec![b'x'; pad];
        page.extend_from_slice(b"<meta charset=windows-1251><p>caf\xe9</p>");
        page
    }

    #[test]
    fn decode_table() {
        use Want::*;
        // The meta ends at byte 1024 exactly: found. One byte later: past the prescan.
        let fits = padded(PRESCAN - b"<meta charset=windows-1251>".len());
        let past = padded(PRESCAN + 1 - b"<meta charset=windows-1251>".len());
        let far = padded(2000);
        #[rustfmt::skip]
        let cases: Vec<(&str, &[u8], Option<&str>, Want)> = vec![
            ("unquoted charset",
             b"<meta charset=Windows-1250><p>\xaf\xf3\xb3\xe6</p>", None,
             Text("<meta charset=Windows-1250><p>Żółć</p>".into())),
            ("http-equiv unquoted, content quoted",
             b"<meta http-equiv=Content-Type content=\"text/html; charset=iso-8859-2\"><p>\xa3\xf3d\xbc</p>", None,
             Text("<meta http-equiv=Content-Type content=\"text/html; charset=iso-8859-2\"><p>Łódź</p>".into())),
            ("single quotes",
             b"<meta charset='koi8-r'><p>\xcd\xc9\xd2</p>", None,
             Text("<meta charset='koi8-r'><p>мир</p>".into())),
            ("single quotes in http-equiv",
             b"<meta http-equiv='content-type' content='text/html;charset=windows-1251'><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>", None,
             Text("<meta http-equiv='content-type' content='text/html;charset=windows-1251'><p>Привет</p>".into())),
            ("charset after other attributes",
             b"<meta name=viewport content=\"width=device-width\" charset=windows-1251><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>", None,
             Text("<meta name=viewport content=\"width=device-width\" charset=windows-1251><p>Привет</p>".into())),
            ("a meta in a comment is not read",
             b"<!-- <meta charset=windows-1251> --><p>caf\xe9</p>", None,
             InvalidUtf8(42)),
            ("a meta in a comment does not override the fallback",
             b"<!-- <meta charset=windows-1251> --><p>caf\xe9</p>", Some("windows-1252"),
             Text("<!-- <meta charset=windows-1251> --><p>café</p>".into())),
            ("a declaration ending at byte 1024", &fits, None,
             Text(format!("{}<meta charset=windows-1251><p>cafй</p>", "x".repeat(997)))),
            ("a declaration ending at byte 1025 is not read", &past, None,
             InvalidUtf8(1031)),
            ("a declaration after 1024 bytes is not read", &far, None,
             InvalidUtf8(2033)),
            ("UTF-16LE BOM",
             b"\xff\xfe<\0p\0>\0\xe9\0\x2d\x4e<\0/\0p\0>\0", None,
             Text("<p>é中</p>".into())),
            ("UTF-16BE BOM",
             b"\xfe\xff\0<\0p\0>\0\xe9\x4e\x2d\0<\0/\0p\0>", None,
             Text("<p>é中</p>".into())),
            ("UTF-16LE BOM, lone surrogate",
             b"\xff\xfe<\0\x00\xd8", None,
             InvalidEncoding("UTF-16LE")),
            ("a UTF-8 BOM wins over a meta",
             b"\xef\xbb\xbf<meta charset=windows-1251><p>caf\xe9</p>", Some("windows-1252"),
             InvalidUtf8(36)),
            ("utf-16 in a meta on ASCII is UTF-8",
             b"<meta charset=utf-16><p>x</p>", None,
             Text("<meta charset=utf-16><p>x</p>".into())),
            ("utf-16 in a meta is UTF-8: invalid bytes stay an error",
             b"<meta charset=utf-16le><p>caf\xe9</p>", Some("windows-1252"),
             InvalidUtf8(29)),
            ("label with whitespace and odd case",
             b"<META CHARSET = \" WiNdOwS-1252\t\"><p>caf\xe9</p>", None,
             Text("<META CHARSET = \" WiNdOwS-1252\t\"><p>café</p>".into())),
            ("x-user-defined is windows-1252",
             b"<meta charset=x-user-defined><p>caf\xe9 \x80</p>", None,
             Text("<meta charset=x-user-defined><p>café €</p>".into())),
            ("unknown label, no fallback",
             b"<meta charset=klingon><p>caf\xe9</p>", None,
             InvalidUtf8(28)),
            ("unknown label falls through to the fallback",
             b"<meta charset=klingon><p>caf\xe9</p>", Some("latin1"),
             Text("<meta charset=klingon><p>café</p>".into())),
            ("fallback for undeclared legacy bytes",
             b"<p>\xcf\xf0\xe8\xe2\xe5\xf2</p>", Some(" CP1251 "),
             Text("<p>Привет</p>".into())),
            ("no fallback",
             b"<p>\xcf\xf0\xe8\xe2\xe5\xf2</p>", None,
             InvalidUtf8(3)),
            ("a user's utf-16 stays UTF-16LE",
             b"<\0p\0>\0\xe9\0", Some("utf-16"),
             Text("<p>é".into())),
            ("a declaration wins over the fallback",
             b"<meta charset=gbk><p>\xd6\xd0\xb9\xfa</p>", Some("windows-1252"),
             Text("<meta charset=gbk><p>中国</p>".into())),
            ("declared UTF-8, invalid",
             b"<meta charset=utf-8><p>caf\xe9</p>", Some("windows-1252"),
             InvalidUtf8(26)),
            ("invalid in the declared encoding",
             b"<meta charset=shift_jis><p>\x82</p>", Some("windows-1252"),
             InvalidEncoding("Shift_JIS")),
            ("invalid in the fallback",
             b"<p>\x82</p>", Some("shift_jis"),
             InvalidEncoding("Shift_JIS")),
            ("the replacement encoding decodes nothing",
             b"<meta charset=iso-2022-kr><p>\xe9</p>", None,
             InvalidEncoding("replacement")),
            ("valid UTF-8 stays UTF-8 whatever it declares",
             "<meta charset=windows-1251><p>Привет</p>".as_bytes(), None,
             Text("<meta charset=windows-1251><p>Привет</p>".into())),
            ("XML declaration",
             b"<?xml version=\"1.0\" encoding=\"windows-1250\"?><p>\xaf\xf3\xb3\xe6</p>", None,
             Text("<?xml version=\"1.0\" encoding=\"windows-1250\"?><p>Żółć</p>".into())),
        ];
        for (what, input, fallback, want) in cases {
            let fallback = fallback.map(|label| encoding_for_label(label).expect(label));
            assert_eq!(got(decode(input, fallback)), want, "{what}");
        }
    }

    #[test]
    fn prescan_table() {
        #[rustfmt::skip]
        let cases: &[(&[u8], Option<&'static Encoding>)] = &[
            (b"<meta charset=Windows-1250>", Some(WINDOWS_1250)),
            (b"<meta charset=\"iso-8859-2\">", Some(ISO_8859_2)),
            (b"<meta charset='koi8-r'>", Some(KOI8_R)),
            (b"<meta/charset=iso-8859-7>", Some(ISO_8859_7)),
            (b"<META\nCHARSET\t=\t\" WiNdOwS-1252\n\"/>", Some(WINDOWS_1252)),
            (b"<meta http-equiv=Content-Type content=\"text/html; charset=iso-8859-2\">", Some(ISO_8859_2)),
            (b"<meta content=\"text/html; charset=gbk\" http-equiv=\"Content-Type\">", Some(GBK)),
            (b"<meta http-equiv=content-type content=text/html;charset=euc-kr>", Some(EUC_KR)),
            (b"<meta http-equiv=content-type content=\"text/html; charset = 'big5'\">", Some(BIG5)),
            (b"<meta http-equiv=content-type content=\"charsetx charset=big5\">", Some(BIG5)),
            (b"<meta name=viewport content=\"width=device-width\" charset=shift_jis>", Some(SHIFT_JIS)),
            // `content` needs `http-equiv="content-type"`.
            (b"<meta content=\"text/html; charset=windows-1251\">", None),
            (b"<meta http-equiv=refresh content=\"0; charset=windows-1251\">", None),
            // An unmatched quote in `content` gives nothing.
            (b"<meta http-equiv=content-type content='charset=\"big5'>", None),
            // A `charset` attribute wins over `content`, and only the first of a name counts.
            (b"<meta http-equiv=content-type content=\"charset=big5\" charset=iso-8859-2>", Some(ISO_8859_2)),
            (b"<meta charset=windows-1251 charset=iso-8859-2>", Some(WINDOWS_1251)),
            (b"<meta charset=klingon charset=iso-8859-2>", None),
            // An unknown label is passed over; the next meta counts.
            (b"<meta charset=klingon><meta charset=windows-1251>", Some(WINDOWS_1251)),
            // UTF-16 labels are UTF-8; x-user-defined is windows-1252.
            (b"<meta charset=utf-16>", Some(UTF_8)),
            (b"<meta charset=UTF-16BE>", Some(UTF_8)),
            (b"<meta charset=x-user-defined>", Some(WINDOWS_1252)),
            (b"<meta charset=iso-2022-kr>", Some(REPLACEMENT)),
            // Comments, other tags' attributes, end tags and other names are passed over.
            (b"<!-- <meta charset=windows-1251> -->", None),
            (b"<!-- -- > <meta charset=windows-1251> -->", None),
            (b"<!--><meta charset=windows-1251>", Some(WINDOWS_1251)),
            (b"<div title=\"<meta charset=windows-1251>\">", None),
            (b"<metadata charset=windows-1251>", None),
            (b"</meta charset=windows-1251>", None),
            (b"<!doctype html><html lang=cs><head><meta charset=windows-1250>", Some(WINDOWS_1250)),
            // Running out of bytes ends the prescan.
            (b"<meta charset=windows-1251", None),
            (b"<meta charset=\"windows-1251\"", None),
            // XML declarations: when no meta is found, and only inside the declaration.
            (b"<?xml version=\"1.0\" encoding=\"windows-1250\"?><html>", Some(WINDOWS_1250)),
            (b"<?xml version='1.0' encoding='utf-16'?>", Some(UTF_8)),
            (b"<?xml version=\"1.0\" encoding=\"iso-8859-2\"?><meta charset=koi8-r>", Some(KOI8_R)),
            (b"<?xml version=\"1.0\"?><p title=\"encoding='koi8-r'\">", None),
            (b"<\0?\0x\0m\0l\0", Some(UTF_16LE)),
            (b"\0<\0?\0x\0m\0l", Some(UTF_16BE)),
        ];
        for &(head, want) in cases {
            assert_eq!(
                prescan(head).map(Encoding::name),
                want.map(Encoding::name),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn labels_for_users() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<&'static Encoding>)] = &[
            ("windows-1250", Some(WINDOWS_1250)),
            (" Latin1\n", Some(WINDOWS_1252)),
            ("csisolatin2", Some(ISO_8859_2)),
            ("SJIS", Some(SHIFT_JIS)),
            ("UTF8", Some(UTF_8)),
            ("utf-16", Some(UTF_16LE)),
            ("x-user-defined", Some(X_USER_DEFINED)),
            ("iso-2022-kr", None),
            ("klingon", None),
            ("", None),
        ];
        for &(label, want) in cases {
            assert_eq!(
                encoding_for_label(label).map(Encoding::name),
                want.map(Encoding::name),
                "{label:?}"
            );
        }
    }
}
