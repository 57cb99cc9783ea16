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

/// Elements with no end tag. (A `matches!` on the name compiles to a switch on length and
/// bytes; `contains` on a slice of names compared them one by one, for every token.)
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Block elements, whose leading and trailing whitespace is trimmed.
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Start tags that close an open `<p>` in button scope (HTML "in body" insertion mode; `table`
/// outside quirks mode): whatever is open in that `<p>` is popped with it.
pub(crate) fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "xmp"
    )
}

/// Splits canonical HTML into start tags, end tags and text.
pub(crate) fn tokenize(html: &str) -> Vec<Tok<'_>> {
    tokens(html).collect()
}

/// The tokens of canonical HTML one at a time, for a stage that keeps only some of them.
pub(crate) fn tokens(html: &str) -> Tokens<'_> {
    Tokens {
        html,
        i: 0,
        text_start: 0,
        tag: None,
    }
}

pub(crate) struct Tokens<'a> {
    html: &'a str,
    /// Where the search for the next `<` resumes.
    i: usize,
    /// Where the text not yet returned starts.
    text_start: usize,
    /// A tag found after some text, returned after that text.
    tag: Option<Tok<'a>>,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Tok<'a>;

    fn next(&mut self) -> Option<Tok<'a>> {
        if let Some(tag) = self.tag.take() {
            return Some(tag);
        }
        let html = self.html;
        while let Some(off) = memchr::memchr(b'<', &html.as_bytes()[self.i..]) {
            let lt = self.i + off;
            match tag_at(html, lt) {
                Some((tok, end)) => {
                    let text_start = self.text_start;
                    self.i = end;
                    self.text_start = end;
                    if text_start < lt {
                        self.tag = Some(tok);
                        return Some(Tok::Text(&html[text_start..lt]));
                    }
                    return Some(tok);
                }
                None => self.i = lt + 1,
            }
        }
        self.i = html.len();
        let text = &html[self.text_start..];
        self.text_start = html.len();
        (!text.is_empty()).then_some(Tok::Text(text))
    }
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
