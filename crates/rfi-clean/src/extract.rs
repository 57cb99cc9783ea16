//! Reads facts out of a cleaned article (dateline, image, lede, links, language, publication
//! time). It reads only the cleaner's own output, whose
//! serialisation is canonical (see `normalize`).

use crate::endpoint::is_same_or_subdomain;
use crate::markup::{Tok, is_void, tokenize};

/// Facts about a cleaned article, for structured output (`rfi-clean --format json`).
///
/// ```
/// let cleaned = rfi_clean::clean(concat!(
///     "<!--1705142701000-->\n[标题](https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240113-x)\n------\n\n",
///     "<div>13/01/2024 - 11:36</div><img src=\"https://s.rfi.fr/a.jpg\" alt=\"图\"><p><strong>导语。</strong></p><p>正文。</p>",
/// ))?;
/// let article = cleaned.article();
/// assert_eq!(article.published.as_deref(), Some("2024-01-13T10:45:01Z"));
/// assert_eq!(article.dateline.as_deref(), Some("2024-01-13T11:36:00+01:00"));
/// assert_eq!(article.lede.as_deref(), Some("导语。"));
/// assert_eq!(article.language.as_deref(), Some("zh-Hans"));
/// assert_eq!(article.image.as_ref().map(|i| i.src.as_str()), Some("https://s.rfi.fr/a.jpg"));
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Article {
    /// When the page was stored (the envelope's epoch milliseconds), RFC 3339 in UTC.
    pub published: Option<String>,
    /// The envelope's epoch milliseconds.
    pub published_ms: Option<u64>,
    /// The title (envelope or `<title>`).
    pub title: Option<String>,
    /// The cleaned URL (envelope or canonical).
    pub url: Option<String>,
    /// The cleaned canonical URL of a whole page.
    pub canonical: Option<String>,
    /// The dateline (`13/01/2024 - 11:36`, Paris time) in RFC 3339, or as written if it does
    /// not parse.
    pub dateline: Option<String>,
    /// The dateline as written.
    pub dateline_text: Option<String>,
    /// The first image.
    pub image: Option<Image>,
    /// The lede: the text of the first paragraph (RFI's bold opening paragraph).
    pub lede: Option<String>,
    /// The language, from the page's `lang` or the edition in an RFI URL (`/cn/` is `zh-Hans`).
    pub language: Option<String>,
    /// Every link, in order.
    pub links: Vec<Link>,
}

/// An image: its source and alternative text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Image {
    /// The `src`.
    pub src: String,
    /// The `alt`, empty if none.
    pub alt: String,
}

/// A link: its target and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Link {
    /// The `href`.
    pub href: String,
    /// The text inside the link, whitespace collapsed.
    pub text: String,
}

/// RFI editions and their language tags (shared/research/link-rules.md, section 4).
const RFI_EDITIONS: &[(&str, &str)] = &[
    ("fr", "fr"),
    ("en", "en"),
    ("es", "es"),
    ("pt", "pt"),
    ("br", "pt-BR"),
    ("ha", "ha"),
    ("sw", "sw"),
    ("ma", "bm"),
    ("ff", "ff"),
    ("ru", "ru"),
    ("uk", "uk"),
    ("vi", "vi"),
    ("cn", "zh-Hans"),
    ("tw", "zh-Hant"),
    ("km", "km"),
    ("fa", "fa"),
    ("ro", "ro"),
];

/// Reads the value of attribute `name` from a canonical start tag.
pub(crate) fn attribute(raw: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = raw.find(&needle)? + needle.len();
    let end = start + raw[start..].find('"')?;
    Some(htmlize::unescape_attribute(&raw[start..end]).into_owned())
}

/// The language of an RFI URL's edition (`https://www.rfi.fr/cn/...`).
pub(crate) fn rfi_language(url: &str) -> Option<&'static str> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    if host.ends_with("rfi.ro") {
        return Some("ro");
    }
    if !is_same_or_subdomain(host, "rfi.fr") {
        return None;
    }
    let edition = parsed.path_segments()?.next()?;
    RFI_EDITIONS
        .iter()
        .find(|(e, _)| *e == edition)
        .map(|(_, tag)| *tag)
}

/// `13/01/2024 - 11:36` in Paris time, as RFC 3339.
pub(crate) fn parse_dateline(text: &str) -> Option<String> {
    let (date, time) = text.trim().split_once(" - ")?;
    let mut d = date.split('/');
    let (day, month, year) = (d.next()?, d.next()?, d.next()?);
    let (hour, minute) = time.split_once(':')?;
    let num = |s: &str, len: usize| -> Option<i16> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let civil = jiff::civil::DateTime::new(
        num(year, 4)?,
        i8::try_from(num(month, 2)?).ok()?,
        i8::try_from(num(day, 2)?).ok()?,
        i8::try_from(num(hour, 2)?).ok()?,
        i8::try_from(num(minute, 2)?).ok()?,
        0,
        0,
    )
    .ok()?;
    let zoned = civil.in_tz("Europe/Paris").ok()?;
    Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

fn looks_like_dateline(text: &str) -> bool {
    let t = text.trim();
    let b = t.as_bytes();
    b.len() == 18
        && b[2] == b'/'
        && b[5] == b'/'
        && &t[10..13] == " - "
        && b[15] == b':'
        && [0, 1, 3, 4, 6, 7, 8, 9, 13, 14, 16, 17]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// Decoded text with whitespace runs collapsed to one space.
fn collapse(text: &str) -> String {
    let decoded = htmlize::unescape(text);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads the facts of an article out of its cleaned HTML.
pub(crate) fn facts(html: &str) -> (Option<String>, Option<Image>, Option<String>, Vec<Link>) {
    let toks = tokenize(html);
    let mut dateline = None;
    let mut image = None;
    let mut links = Vec::new();
    let mut ledes = Ledes::default();
    let mut chrome = 0usize; // open nav, header, footer, aside, form
    let mut i = 0;
    let mut texts_seen = 0;
    while i < toks.len() {
        match toks[i] {
            Tok::Text(t) if dateline.is_none() && texts_seen < 8 => {
                texts_seen += 1;
                if looks_like_dateline(&htmlize::unescape(t)) {
                    dateline = Some(collapse(t));
                }
            }
            Tok::Start { name: "img", raw } if image.is_none() => {
                if let Some(src) = attribute(raw, "src") {
                    let alt = attribute(raw, "alt").unwrap_or_default();
                    image = Some(Image { src, alt });
                }
            }
            Tok::Start { name: "a", raw } => {
                if let Some(href) = attribute(raw, "href") {
                    let text = inner_text(&toks, i);
                    links.push(Link { href, text });
                }
            }
            Tok::Start { name, .. } if CHROME.contains(&name) => chrome += 1,
            Tok::End { name, .. } if CHROME.contains(&name) => chrome = chrome.saturating_sub(1),
            Tok::Start { name: "p", .. } if ledes.chosen.is_none() => {
                ledes.offer(&toks, i, chrome > 0);
            }
            _ => {}
        }
        i += 1;
    }
    (dateline, image, ledes.lede(), links)
}

/// Elements around a page's article, not in it: a paragraph in them is no lede.
const CHROME: &[&str] = &["nav", "header", "footer", "aside", "form"];

/// A paragraph this wide is prose, not a label, a byline or a date (width: wide characters,
/// CJK and Hangul, count two; `Article réservé aux abonnés` is 27).
const LEDE_MIN_WIDTH: usize = 40;

/// The width of a text: wide characters (CJK, kana, Hangul, fullwidth forms) count two.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFF00..=0xFF60 => 2,
            _ => 1,
        })
        .sum()
}

/// Picks the lede: the first paragraph of the article's prose. Not in a page's navigation,
/// header, footer or forms, not a paragraph of links (skip links, menus), not a cookie banner;
/// the first such paragraph of at least `LEDE_MIN_WIDTH`, else the first such one
/// (short ledes: `<p><strong>导语。</strong></p>`), else the first paragraph with text.
#[derive(Default)]
struct Ledes {
    chosen: Option<String>,
    short: Option<String>,
    any: Option<String>,
}

impl Ledes {
    fn offer(&mut self, toks: &[Tok<'_>], start: usize, in_chrome: bool) {
        let text = inner_text(toks, start);
        if text.is_empty() {
            return;
        }
        if self.any.is_none() {
            self.any = Some(text.clone());
        }
        let links = link_text_len(toks, start);
        let is_prose = !in_chrome
            && links * 2 < text.chars().count()
            && !text.to_lowercase().contains("cookie");
        if !is_prose {
            return;
        }
        if width(&text) >= LEDE_MIN_WIDTH {
            self.chosen = Some(text);
        } else if self.short.is_none() {
            self.short = Some(text);
        }
    }

    fn lede(self) -> Option<String> {
        self.chosen.or(self.short).or(self.any)
    }
}

/// Characters of link text in the element starting at `start`.
fn link_text_len(toks: &[Tok<'_>], start: usize) -> usize {
    let (mut depth, mut in_link, mut len) = (0usize, 0usize, 0usize);
    for tok in &toks[start..] {
        match *tok {
            Tok::Start { name, .. } if !is_void(name) => {
                depth += 1;
                in_link += usize::from(name == "a");
            }
            Tok::End { name, .. } => {
                in_link -= usize::from(name == "a" && in_link > 0);
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Tok::Text(t) if in_link > 0 => len += htmlize::unescape(t).trim().chars().count(),
            _ => {}
        }
    }
    len
}

/// The collapsed text of the element starting at `start`.
fn inner_text(toks: &[Tok<'_>], start: usize) -> String {
    let mut depth = 0usize;
    let mut text = String::new();
    for tok in &toks[start..] {
        match *tok {
            Tok::Start { name, .. } if !is_void(name) => depth += 1,
            Tok::End { .. } => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Tok::Text(t) => text.push_str(t),
            // A line break separates words (`Consulter<br>le journal`).
            Tok::Start { name: "br", .. } => text.push(' '),
            Tok::Start { .. } => {}
        }
    }
    collapse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        assert_eq!(
            parse_dateline("13/01/2024 - 11:36").as_deref(),
            Some("2024-01-13T11:36:00+01:00")
        );
        assert_eq!(
            parse_dateline("15/07/2024 - 09:05").as_deref(),
            Some("2024-07-15T09:05:00+02:00")
        );
        assert_eq!(parse_dateline("31/02/2024 - 11:36"), None);
        assert_eq!(parse_dateline("13/01/2024 11:36"), None);
        assert!(looks_like_dateline(" 13/01/2024 - 11:36 "));
        assert!(!looks_like_dateline("13/01/2024 - 11:36 et plus"));
    }

    #[test]
    fn languages() {
        assert_eq!(
            rfi_language("https://www.rfi.fr/cn/中国/20240113-x"),
            Some("zh-Hans")
        );
        assert_eq!(
            rfi_language("https://www.rfi.fr/tw/20180425-x"),
            Some("zh-Hant")
        );
        assert_eq!(rfi_language("https://www.rfi.fr/br/x"), Some("pt-BR"));
        assert_eq!(rfi_language("https://www.rfi.ro/x"), Some("ro"));
        assert_eq!(rfi_language("https://example.com/fr/x"), None);
    }

    #[test]
    fn the_lede_is_the_first_paragraph_of_prose() {
        let cases = [
            // Skip link, cookie banner, navigation: none is the lede.
            (
                "<p><a href=\"#main\">Aller au contenu principal</a></p><p>Ce site utilise des cookies pour mesurer l'audience.</p><nav><p>Monde Afrique Europe Amériques Asie</p></nav><p>Le gouvernement a présenté mardi son projet de loi.</p>",
                "Le gouvernement a présenté mardi son projet de loi.",
            ),
            // A short lede, when nothing longer comes: RFI's bold opening line.
            ("<p><strong>导语。</strong></p><p>正文。</p>", "导语。"),
            // A label and a byline before the lede.
            (
                "<p>Article réservé aux abonnés</p><p>01. November 2021 | Naturschutz</p><p>中国外交部星期五宣布，将在下个月举行会议。</p>",
                "中国外交部星期五宣布，将在下个月举行会议。",
            ),
            // A line break separates words.
            (
                "<p>Consulter<br>le journal du matin, chaque jour à sept heures.</p>",
                "Consulter le journal du matin, chaque jour à sept heures.",
            ),
        ];
        for (html, lede) in cases {
            assert_eq!(facts(html).2.as_deref(), Some(lede), "{html}");
        }
    }

    #[test]
    fn facts_of_an_article() {
        let html = "<div>13/01/2024 - 11:36</div><img src=\"https://s.rfi.fr/a.jpg?x=1&amp;y=2\"><p><strong>Lede.</strong></p><p>Body <a href=\"https://a.com/?a=1&amp;b=2\">link  text</a>.</p>";
        let (dateline, image, lede, links) = facts(html);
        assert_eq!(dateline.as_deref(), Some("13/01/2024 - 11:36"));
        assert_eq!(
            image,
            Some(Image {
                src: "https://s.rfi.fr/a.jpg?x=1&y=2".into(),
                alt: String::new()
            })
        );
        assert_eq!(lede.as_deref(), Some("Lede."));
        assert_eq!(
            links,
            [Link {
                href: "https://a.com/?a=1&b=2".into(),
                text: "link text".into()
            }]
        );
    }
}
