//! The only module that formats output: the envelope's header lines, a whole page's head, the
//! bare fragment, and the plain-text and Markdown renderings (with their title header).

use crate::envelope::Envelope;
use crate::markup::{Tok, is_block, tokenize};
use crate::scheme::looks_scripted;

/// Writes the envelope's header and the cleaned HTML, in the seed's layout.
pub(crate) fn envelope(env: &Envelope, url: &str, html: &str) -> String {
    let mut out = String::with_capacity(html.len() + env.title.len() + url.len() + 64);
    out.push_str(&env.stamp_line);
    out.push_str("\n[");
    out.push_str(&markdown_title(&env.title));
    out.push_str("](");
    out.push_str(&markdown_url(url));
    out.push_str(")\n");
    out.push_str(&env.rule_line);
    out.push_str("\n\n");
    out.push_str(html);
    out.push('\n');
    out
}

/// A title as Markdown link text: `<` becomes `&lt;`, so a title cannot carry HTML into a
/// Markdown renderer (which passes inline HTML through); everything else is kept as written.
/// (Found by fuzzing: `[a<body><template><math>…](…)` in an envelope.)
pub(crate) fn markdown_title(title: &str) -> std::borrow::Cow<'_, str> {
    if title.contains('<') {
        std::borrow::Cow::Owned(title.replace('<', "&lt;"))
    } else {
        std::borrow::Cow::Borrowed(title)
    }
}

/// What a whole page keeps besides its body.
pub(crate) struct PageHead<'a> {
    pub(crate) lang: Option<&'a str>,
    pub(crate) title: Option<&'a str>,
    pub(crate) canonical: Option<&'a str>,
}

/// Writes a whole page: a UTF-8 head with the title and canonical URL, then the cleaned body.
pub(crate) fn page(head: &PageHead<'_>, html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    out.push_str("<!DOCTYPE html>\n<html");
    if let Some(lang) = head.lang.filter(|l| is_language_tag(l)) {
        out.push_str(" lang=\"");
        out.push_str(lang);
        out.push('"');
    }
    out.push_str(">\n<head>\n<meta charset=\"utf-8\">\n");
    if let Some(title) = head.title {
        out.push_str("<title>");
        out.push_str(&escape_text(title));
        out.push_str("</title>\n");
    }
    if let Some(canonical) = head.canonical {
        out.push_str("<link rel=\"canonical\" href=\"");
        out.push_str(&escape_attribute(canonical));
        out.push_str("\">\n");
    }
    out.push_str("</head>\n<body>\n");
    out.push_str(html);
    out.push_str("\n</body>\n</html>\n");
    out
}

/// A URL as a Markdown link target: characters that would end or break the target are
/// percent-encoded (`( ) < >` and whitespace), which leaves the URL's meaning unchanged.
///
/// A URL with a script scheme (`javascript:`) has its colon encoded, which makes it a harmless
/// relative URL for any Markdown renderer.
pub(crate) fn markdown_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let neutralize = looks_scripted(url);
    let mut colon_seen = false;
    for c in url.chars() {
        if c == ':' && neutralize && !colon_seen {
            colon_seen = true;
            out.push_str("%3A");
            continue;
        }
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `xx`, `xx-YY`: letters, digits and hyphens, as BCP 47 tags are written.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub(crate) fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(crate) fn escape_attribute(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;")
}

/// Renders cleaned HTML as plain text: blocks separated by blank lines, `<br>` as a line break,
/// list items on their own lines, table rows on their own lines, links as their text, images
/// left out.
pub(crate) fn to_text(html: &str) -> String {
    let mut text = TextWriter::default();
    let mut lists: Vec<Option<u32>> = Vec::new(); // None: ul; Some(n): ol, at item n
    for tok in tokenize(html) {
        match tok {
            Tok::Text(t) => text.text(&htmlize::unescape(t)),
            Tok::Start { name: "br", .. } => text.line_break(),
            Tok::Start { name: "li", .. } => {
                text.pending(Break::Line);
                let marker = match lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{n}. ")
                    }
                    _ => "- ".to_owned(),
                };
                text.emit(&marker);
            }
            Tok::Start { name, .. } => {
                match name {
                    "ul" => lists.push(None),
                    "ol" => lists.push(Some(0)),
                    "pre" => text.pre += 1,
                    _ => {}
                }
                text.block_edge(name, lists.len());
            }
            Tok::End { name, .. } => {
                match name {
                    "ul" | "ol" => {
                        lists.pop();
                    }
                    "pre" => text.pre = text.pre.saturating_sub(1),
                    "td" | "th" => text.emit(" "),
                    _ => {}
                }
                text.block_edge(name, lists.len());
            }
        }
    }
    text.trim_spaces();
    text.out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Break {
    #[default]
    None,
    Line,
    Paragraph,
}

#[derive(Default)]
struct TextWriter {
    out: String,
    pending: Break,
    pre: usize,
}

impl TextWriter {
    fn pending(&mut self, b: Break) {
        self.trim_spaces();
        self.pending = self.pending.max(b);
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n') || self.pending != Break::None
    }

    fn emit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if !self.out.is_empty() {
            match self.pending {
                Break::Paragraph => self.out.push_str("\n\n"),
                Break::Line => self.out.push('\n'),
                Break::None => {}
            }
        }
        self.pending = Break::None;
        self.out.push_str(s);
    }

    fn text(&mut self, decoded: &str) {
        if self.pre > 0 {
            self.emit(decoded);
            return;
        }
        // Collapse whitespace as a browser does (NBSP is not collapsible).
        let mut collapsed = String::with_capacity(decoded.len());
        let mut space = self.at_line_start() || self.out.ends_with(' ');
        for c in decoded.chars() {
            if c.is_whitespace() && c != '\u{a0}' {
                if !space {
                    collapsed.push(' ');
                    space = true;
                }
            } else {
                collapsed.push(c);
                space = false;
            }
        }
        self.emit(&collapsed);
    }

    fn line_break(&mut self) {
        self.trim_spaces();
        self.out.push('\n');
        self.pending = Break::None;
    }

    fn block_edge(&mut self, name: &str, list_depth: usize) {
        if name == "tr" || (list_depth > 0 && matches!(name, "ul" | "ol" | "li")) {
            self.pending(Break::Line);
        } else if is_block(name) && !matches!(name, "td" | "th" | "tbody" | "thead" | "tfoot")
            || name == "pre"
        {
            self.pending(Break::Paragraph);
        }
    }

    fn trim_spaces(&mut self) {
        if self.pre == 0 {
            let kept = self.out.trim_end_matches(' ').len();
            self.out.truncate(kept);
        }
    }
}

/// Renders cleaned HTML as Markdown (headings, emphasis, links, images, lists).
pub(crate) fn to_markdown(html: &str) -> String {
    let markdown = htmd::convert(html).unwrap_or_default();
    markdown.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_targets_cannot_be_broken() {
        assert_eq!(
            markdown_url("https://a.com/x_(y)?a=<b> c"),
            "https://a.com/x_%28y%29?a=%3Cb%3E%20c"
        );
        assert_eq!(
            markdown_url("https://www.rfi.fr/cn/中国/"),
            "https://www.rfi.fr/cn/中国/"
        );
    }

    #[test]
    fn markup_in_titles_is_neutralized() {
        assert_eq!(
            markdown_title("a <script>alert(1)</script> b"),
            "a &lt;script>alert(1)&lt;/script> b"
        );
        assert_eq!(markdown_title("外贸：中国 & 美国"), "外贸：中国 & 美国");
    }

    #[test]
    fn script_urls_are_neutralized() {
        assert_eq!(
            markdown_url("javascript:alert(1)"),
            "javascript%3Aalert%281%29"
        );
        assert_eq!(markdown_url(" JavaScript:x"), "%20JavaScript%3Ax");
        assert_eq!(
            markdown_url("javascript%3Aalert%281%29"),
            "javascript%3Aalert%281%29"
        );
    }

    #[test]
    fn page_head_is_escaped() {
        let head = PageHead {
            lang: Some("fr\" onload=x"),
            title: Some("A & <b>"),
            canonical: Some("https://a.com/?a=1&b=\""),
        };
        let out = page(&head, "<p>x</p>");
        assert!(out.starts_with("<!DOCTYPE html>\n<html>\n"), "{out}");
        assert!(out.contains("<title>A &amp; &lt;b&gt;</title>"), "{out}");
        assert!(
            out.contains("href=\"https://a.com/?a=1&amp;b=&quot;\""),
            "{out}"
        );
    }

    #[test]
    fn text_rendering() {
        let html = "<div>13/01/2024 - 11:36</div><p><strong>Lede</strong> and <a href=\"x\">a link</a>.</p><ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol><p>a<br>b &amp; c&nbsp;d</p><h2>Title</h2><pre>  keep\n  this</pre>";
        assert_eq!(
            to_text(html),
            "13/01/2024 - 11:36\n\nLede and a link.\n\n- one\n- two\n\n1. first\n2. second\n\na\nb & c\u{a0}d\n\nTitle\n\n  keep\n  this"
        );
    }
}
