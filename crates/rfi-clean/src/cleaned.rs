//! The result of a clean and its views: the output document, the article HTML, the facts of
//! the article, plain text and Markdown.

use crate::envelope::Envelope;
use crate::report::Report;
use crate::{extract, output};

/// What kind of document came in (and so goes out). With the `serde` feature it serializes as
/// `"envelope"`, `"page"` or `"fragment"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum DocumentKind {
    /// The scraper's envelope: `<!--epoch-ms-->`, `[title](url)`, `------`, a blank line, HTML.
    Envelope,
    /// A whole HTML page (`<!DOCTYPE html>` or `<html>`).
    Page,
    /// A bare HTML fragment.
    Fragment,
}

/// A cleaned document.
///
/// With the `serde` feature (on by default), `Cleaned` serializes as the object
/// `rfi-clean --format json` writes (without its `source`): `kind`, the fields of
/// [`article()`](Cleaned::article), `html` (the article HTML), `text` and `report`, in that order.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// let cleaned = rfi_clean::clean("<p>Hello <a href=\"https://a.com/?utm_source=x\">a</a></p>")?;
/// let json = serde_json::to_value(&cleaned).expect("serializes");
/// assert_eq!(json["kind"], "fragment");
/// assert_eq!(json["text"], "Hello a");
/// assert_eq!(json["report"]["params_stripped"], 1);
/// # }
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub(crate) kind: DocumentKind,
    pub(crate) envelope: Option<Envelope>,
    pub(crate) url: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) lang: Option<String>,
    pub(crate) html: String,
    pub(crate) document: String,
    pub(crate) report: Report,
}

impl Cleaned {
    /// The kind of document that came in and goes out.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The whole output document: the envelope with its cleaned URL, the whole page, or the fragment.
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The whole output document, owned.
    pub fn into_document(self) -> String {
        self.document
    }

    /// The cleaned article HTML (the envelope's body, the page's body, or the fragment).
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The envelope's header as it came in, for enveloped documents.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.envelope.as_ref()
    }

    /// The document's cleaned URL: the envelope's, or a page's canonical URL.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The title: the envelope's, or a page's `<title>`.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// What cleaning did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Facts read from the cleaned article: publication time, dateline, image, lede, links,
    /// language (see [`Article`](crate::Article)).
    pub fn article(&self) -> crate::Article {
        let (dateline_text, image, lede, links) = extract::facts(&self.html);
        let epoch_ms = self.envelope.as_ref().map(|e| e.epoch_ms);
        let published = epoch_ms
            .and_then(|ms| i64::try_from(ms).ok())
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(|t| t.to_string());
        let language = self.lang.clone().or_else(|| {
            self.url
                .as_deref()
                .and_then(extract::rfi_language)
                .map(str::to_owned)
        });
        crate::Article {
            published,
            published_ms: epoch_ms,
            title: self.title.clone(),
            url: self.url.clone(),
            canonical: self.canonical.clone(),
            dateline: dateline_text
                .as_deref()
                .map(|t| extract::parse_dateline(t).unwrap_or_else(|| t.to_owned())),
            dateline_text,
            image,
            lede,
            language,
            links,
        }
    }

    /// The cleaned article as plain text: blocks separated by blank lines, links as their text.
    ///
    /// ```
    /// let cleaned = rfi_clean::clean("<p>One <a href=\"https://a.com/\">link</a>.</p><ul><li>a</li><li>b</li></ul>")?;
    /// assert_eq!(cleaned.text(), "One link.\n\n- a\n- b");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn text(&self) -> String {
        output::to_text(&self.html)
    }

    /// The cleaned article as Markdown: headings, emphasis, links, images, lists.
    ///
    /// ```
    /// let cleaned = rfi_clean::clean("<h2>Title</h2><p>Some <em>text</em> and <a href=\"https://a.com/\">a link</a>.</p>")?;
    /// assert_eq!(cleaned.markdown(), "## Title\n\nSome *text* and [a link](https://a.com/).");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn markdown(&self) -> String {
        output::to_markdown(&self.html)
    }
}

impl std::fmt::Display for Cleaned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.document)
    }
}

/// The JSON object of a cleaned document: one struct, so the field order is the schema's.
#[cfg(feature = "serde")]
#[derive(serde::Serialize)]
struct CleanedJson<'a> {
    kind: DocumentKind,
    published: Option<String>,
    published_ms: Option<u64>,
    title: Option<String>,
    url: Option<String>,
    canonical: Option<String>,
    dateline: Option<String>,
    dateline_text: Option<String>,
    image: Option<crate::Image>,
    lede: Option<String>,
    language: Option<String>,
    links: Vec<crate::Link>,
    html: &'a str,
    text: String,
    report: &'a Report,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Cleaned {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let crate::Article {
            published,
            published_ms,
            title,
            url,
            canonical,
            dateline,
            dateline_text,
            image,
            lede,
            language,
            links,
        } = self.article();
        CleanedJson {
            kind: self.kind,
            published,
            published_ms,
            title,
            url,
            canonical,
            dateline,
            dateline_text,
            image,
            lede,
            language,
            links,
            html: &self.html,
            text: self.text(),
            report: &self.report,
        }
        .serialize(serializer)
    }
}
