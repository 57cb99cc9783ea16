//! The only module that formats the final text of a document: the envelope's header lines,
//! a whole page's head, or the bare fragment.

use crate::envelope::Envelope;

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
    let neutralize = crate::links::looks_scripted(url);
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
}
