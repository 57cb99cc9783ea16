//! What came in: the scraper's envelope, a whole page or a fragment, and the facts a page's head
//! gives (title, canonical URL, `og:url`, language), which the rewrite pass finds.

use crate::cleaned::DocumentKind;
use crate::envelope::{self, Detect, Envelope};

/// A detected input: its kind, its envelope if it has one, and the HTML to clean.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub(crate) kind: DocumentKind,
    pub(crate) envelope: Option<Envelope>,
    pub(crate) body: &'a str,
}

/// Detects the kind of a whole input.
pub(crate) fn detect(input: &str) -> Document<'_> {
    match envelope::detect(input.as_bytes(), true) {
        Detect::Envelope(env, at) => Document {
            kind: DocumentKind::Envelope,
            envelope: Some(env),
            body: &input[at..],
        },
        _ => Document {
            kind: if is_page(input) {
                DocumentKind::Page
            } else {
                DocumentKind::Fragment
            },
            envelope: None,
            body: input,
        },
    }
}

/// Is this HTML a whole page? A doctype or `<html>` first, after whitespace and comments.
fn is_page(html: &str) -> bool {
    let mut rest = html.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        match rest.strip_prefix("<!--") {
            Some(after) => match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => return false,
            },
            None => break,
        }
    }
    let starts_with = |prefix: &str| {
        rest.len() > prefix.len()
            && rest.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            && matches!(
                rest.as_bytes()[prefix.len()],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>'
            )
    };
    starts_with("<!doctype") || starts_with("<html")
}

/// What a page's head says about it, as found in the input (attribute values with their
/// entities undone; the title as raw text).
#[derive(Debug, Default)]
pub(crate) struct HeadFacts {
    pub(crate) title: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) og_url: Option<String>,
    pub(crate) lang: Option<String>,
    /// The first `<base href>`, trimmed.
    pub(crate) base_href: Option<String>,
}

impl HeadFacts {
    /// The URL the document says it is: canonical, then og:url, then the envelope's.
    pub(crate) fn document_url<'a>(&'a self, envelope_url: Option<&'a str>) -> Option<&'a str> {
        self.canonical
            .as_deref()
            .or(self.og_url.as_deref())
            .or(envelope_url)
    }

    /// The page's title as text, as `document.title` reads it: ASCII whitespace stripped and
    /// collapsed, every other space (no-break, ideographic) as written. A title of only
    /// whitespace is no title: written as `<title></title>`, it would come back as none (found
    /// by fuzzing).
    pub(crate) fn title_text(&self) -> Option<String> {
        self.title
            .as_deref()
            .map(|t| {
                let text = htmlize::unescape(t);
                text.split(|c: char| c.is_ascii_whitespace())
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|t| !t.chars().all(char::is_whitespace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_detection() {
        assert!(is_page("<!DOCTYPE html><p>x"));
        assert!(is_page("\u{feff}\n <!-- c --> <html lang=fr>"));
        assert!(!is_page("<p>x</p>"));
        assert!(!is_page("<htmlx>"));
        assert!(!is_page("<!-- <html> "));
    }
}
