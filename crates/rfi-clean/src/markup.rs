//! Reading canonical HTML: the tokenizer and the tag tables that the normalize stage, the fact
//! extraction and the text and Markdown renderings share. It reads only the sanitizer's
//! serialisation (html5ever's), in which attribute values are double-quoted with `"` escaped,
//! text has `<`, `>` and `&` escaped, and there are no comments or raw-text elements.

#[derive(Debug, Clone, Copy)]
pub(crate) enum Tok<'a> {
    Start { name: &'a str, raw: &'a str },
    End { name: &'a str, raw: &'a str },
    Text(&'a str),
}

/// Elements with no end tag.
pub(crate) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Block elements, whose leading and trailing whitespace is trimmed.
pub(crate) const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Splits canonical HTML into start tags, end tags and text.
pub(crate) fn tokenize(html: &str) -> Vec<Tok<'_>> {
    let bytes = html.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        match tag_at(html, lt) {
            Some((tok, end)) => {
                if text_start < lt {
                    toks.push(Tok::Text(&html[text_start..lt]));
                }
                toks.push(tok);
                i = end;
                text_start = end;
            }
            None => i = lt + 1,
        }
    }
    if text_start < html.len() {
        toks.push(Tok::Text(&html[text_start..]));
    }
    toks
}

/// A start or end tag at `lt` in canonical serialisation, and the offset just after it.
fn tag_at(html: &str, lt: usize) -> Option<(Tok<'_>, usize)> {
    let bytes = html.as_bytes();
    let closing = bytes.get(lt + 1) == Some(&b'/');
    let name_start = lt + 1 + usize::from(closing);
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = &html[name_start..name_start + name_len];
    let mut j = name_start + name_len;
    if closing {
        return (bytes.get(j) == Some(&b'>')).then(|| {
            (
                Tok::End {
                    name,
                    raw: &html[lt..=j],
                },
                j + 1,
            )
        });
    }
    // Attributes: ` name="value"`, values never contain a raw `"`.
    loop {
        match bytes.get(j)? {
            b'>' => {
                return Some((
                    Tok::Start {
                        name,
                        raw: &html[lt..=j],
                    },
                    j + 1,
                ));
            }
            b' ' => {
                j += 1;
                while bytes
                    .get(j)
                    .is_some_and(|b| !matches!(b, b'=' | b' ' | b'>'))
                {
                    j += 1;
                }
                if bytes.get(j) == Some(&b'=') {
                    if bytes.get(j + 1) != Some(&b'"') {
                        return None;
                    }
                    let close = memchr::memchr(b'"', &bytes[j + 2..])?;
                    j = j + 2 + close + 1;
                }
            }
            _ => return None,
        }
    }
}
