//! The streaming rewrite pass on lol_html: share links and widgets go, links are unwrapped,
//! stripped and decoded for display, a link whose text spells its old URL shows the new one.
//!
//! It must run before the sanitizer: ammonia drops the `data-*` attributes and the `whatsapp:`
//! scheme that identify widgets. Its output is never trusted: the full clean always sanitizes it.
//! lol_html hands attribute values and text over raw, so entities are undone here before
//! matching, and `&` is escaped again when a value is written back (lol_html escapes `"`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use lol_html::html_content::{ContentType, Element, TextChunk};
use lol_html::send::SendHandlerTypes;
use lol_html::{
    ElementContentHandlers, HandlerResult, HtmlRewriter, MemorySettings, OutputSink, Selector,
    Settings,
};
use url::Url;

use crate::config::CompiledRules;
use crate::links::{self, ShortLinks};
use crate::report::Report;
use crate::share;

/// A link's text is compared with its old URL only up to this length.
const MAX_LINK_TEXT: usize = 4096;
/// A page title is kept up to this length.
const MAX_TITLE: usize = 4096;

/// Elements nested deeper than this are unwrapped: their tags go, their content stays. The
/// HTML parser behind the sanitizer (html5ever) spends time quadratic in the nesting of block
/// elements (100,000 nested `<div>` take 18 s in `ammonia::clean`); browsers cap nesting too
/// (Blink at 512).
pub(crate) const MAX_DEPTH: usize = 512;

/// Elements that the parser closes by itself when a sibling starts (`<p>a<p>b`), or that never
/// nest: they do not count towards `MAX_DEPTH`, so pages full of unclosed paragraphs are safe.
const NOT_COUNTED: &[&str] = &[
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p",
    "rb", "rp", "rt", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

/// What a rule did with an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Kept,
    /// Removed with its content.
    Removed,
    /// Counted towards `MAX_DEPTH` until its end tag.
    Counted,
}

/// What an element handler is for. Each has its own selector, so lol_html hands the rewriter
/// only the elements a rule can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `share-button`, `share-modal`, `[data-root-share]`: RFI's share widget (the seed).
    ShareWidget,
    /// Every element: nesting depth, and promotion placeholders, which are named by an
    /// attribute prefix (`data-selfpromo-*`) that no CSS selector can express.
    Any,
    Link,
    Image,
    Canonical,
    OgUrl,
    Title,
    Html,
}

/// Selectors parsed once per `Cleaner`.
#[derive(Debug)]
pub(crate) struct Selectors {
    elements: Vec<(Selector, Kind)>,
    link_text: Selector,
    title_text: Selector,
}

impl Selectors {
    pub(crate) fn new() -> Selectors {
        let parse = |s: &str| s.parse::<Selector>().expect("built-in selectors are valid");
        let mut elements: Vec<(Selector, Kind)> = Vec::new();
        for tag in share::WIDGET_TAGS {
            elements.push((parse(tag), Kind::ShareWidget));
        }
        for attribute in share::WIDGET_ATTRIBUTES {
            elements.push((parse(&format!("[{attribute}]")), Kind::ShareWidget));
        }
        elements.extend([
            (parse("*"), Kind::Any),
            (parse("a[href]"), Kind::Link),
            (parse("img[src]"), Kind::Image),
            (parse("link[rel][href]"), Kind::Canonical),
            (parse("meta[property][content]"), Kind::OgUrl),
            (parse("title"), Kind::Title),
            (parse("html[lang]"), Kind::Html),
        ]);
        Selectors {
            elements,
            link_text: parse("a"),
            title_text: parse("title"),
        }
    }
}

/// Per-document state shared by the handlers of one pass.
#[derive(Debug, Default)]
pub(crate) struct PassState {
    pub(crate) report: Report,
    /// Short codes resolved so far (filled in advance by `prescan` for a one-shot clean).
    pub(crate) short_links: ShortLinks,
    /// Streaming: learn short-link pairings from share links as they go by.
    pub(crate) learn_short_links: bool,
    pub(crate) pairing: Pairing,
    /// The envelope's URL, if any.
    pub(crate) envelope_url: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) og_url: Option<String>,
    /// Capture and drop the `<title>` of a whole page.
    pub(crate) capture_page: bool,
    pub(crate) title: Option<String>,
    pub(crate) lang: Option<String>,
    /// The current `<a>`: its old href (entities undone) and new href.
    pub(crate) link: Option<(String, String)>,
    pub(crate) link_text: String,
    /// How many removed elements we are inside: their content is not counted again.
    pub(crate) removed_depth: usize,
    /// Record every short-code lookup (a one-shot pass checks them against the final table;
    /// a stream does not, and must not grow).
    pub(crate) record_lookups: bool,
    /// Every short-code lookup made, with what the table gave at that moment.
    pub(crate) lookups: Vec<(String, Option<String>)>,
    /// Unwrap elements nested deeper than `MAX_DEPTH` (only a pass whose output goes to the
    /// sanitizer's tree builder needs it; the rewrite-only stream builds no tree).
    pub(crate) cap_depth: bool,
    /// Open elements that count towards `MAX_DEPTH`.
    pub(crate) depth: usize,
    /// Kept `<a href>` and `<img src>` elements that the rules saw. If the sanitized output has
    /// more, the sanitizer's parser found links where lol_html saw none (see `Cleaner::clean`).
    pub(crate) urls_seen: usize,
}

impl PassState {
    /// The URL the document says it is: canonical, then og:url, then the envelope's.
    pub(crate) fn document_url(&self) -> Option<&str> {
        self.canonical
            .as_deref()
            .or(self.og_url.as_deref())
            .or(self.envelope_url.as_deref())
    }
}

/// Distinct short codes a document may pair; beyond this, new codes are not learned, so an
/// endless stream of share links cannot grow memory without bound.
const MAX_PAIRED_CODES: usize = 4096;

/// Pairings of short codes with article URLs, as found in share links.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    /// Codes paired explicitly (`redirect_uri`); `None` once two share links disagree.
    explicit: HashMap<String, Option<String>>,
    /// Codes a share link of this document shares: they stand for the document itself.
    implicit: HashSet<String>,
}

impl Pairing {
    /// Learns what one share link says; returns the codes it told something about.
    fn learn(&mut self, codes: Vec<String>, article: Option<String>) -> Vec<String> {
        let mut learned = Vec::new();
        for code in codes {
            let known = self.explicit.contains_key(&code) || self.implicit.contains(&code);
            if !known && self.explicit.len() + self.implicit.len() >= MAX_PAIRED_CODES {
                continue;
            }
            match &article {
                Some(url) => {
                    let entry = self
                        .explicit
                        .entry(code.clone())
                        .or_insert_with(|| Some(url.clone()));
                    if entry.as_deref() != Some(url.as_str()) {
                        *entry = None; // ambiguous: resolve nothing
                    }
                }
                None => {
                    self.implicit.insert(code.clone());
                }
            }
            learned.push(code);
        }
        learned
    }

    /// What one code stands for: its explicit pairing, else the document itself.
    fn resolve_one(&self, code: &str, document_url: Option<&str>) -> Option<String> {
        match self.explicit.get(code) {
            Some(explicit) => explicit.clone(),
            None if self.implicit.contains(code) => document_url.map(str::to_owned),
            None => None,
        }
    }

    /// The short-link table: explicit pairings first, then this document's own codes.
    pub(crate) fn resolve(&self, document_url: Option<&str>) -> ShortLinks {
        self.explicit
            .keys()
            .chain(&self.implicit)
            .filter_map(|code| Some((code.clone(), self.resolve_one(code, document_url)?)))
            .collect()
    }
}

pub(crate) type Shared = Arc<Mutex<PassState>>;

pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, PassState> {
    // A handler never panics while holding the lock, but stay usable if one ever did.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Builds a rewriter that runs every rewrite rule into `sink`.
pub(crate) fn rewriter<'h, O: OutputSink>(
    rules: &'h CompiledRules,
    selectors: &'h Selectors,
    memory_limit: usize,
    state: Shared,
    sink: O,
) -> HtmlRewriter<'h, O, SendHandlerTypes> {
    let mut settings = Settings::new_send()
        .with_strict(false)
        .with_memory_settings(MemorySettings::new().with_max_allowed_memory_usage(memory_limit));
    for (selector, kind) in &selectors.elements {
        let state = Arc::clone(&state);
        let kind = *kind;
        let handler = move |el: &mut Element<'_, '_, SendHandlerTypes>| -> HandlerResult {
            if el.removed() {
                return Ok(()); // another rule took it already
            }
            let outcome = on_element(kind, el, rules, &mut lock(&state));
            if outcome == Outcome::Removed && el.can_have_content() {
                let inner = Arc::clone(&state);
                let on_end = el.on_end_tag(Box::new(move |_| {
                    let mut st = lock(&inner);
                    st.removed_depth = st.removed_depth.saturating_sub(1);
                    Ok(())
                }));
                if on_end.is_ok() {
                    lock(&state).removed_depth += 1;
                }
            } else if outcome == Outcome::Counted {
                let inner = Arc::clone(&state);
                let on_end = el.on_end_tag(Box::new(move |_| {
                    let mut st = lock(&inner);
                    st.depth = st.depth.saturating_sub(1);
                    Ok(())
                }));
                if on_end.is_err() {
                    // No end tag will come: it does not stay open.
                    let mut st = lock(&state);
                    st.depth = st.depth.saturating_sub(1);
                }
            }
            Ok(())
        };
        settings = settings.append_element_content_handler((
            Cow::Borrowed(selector),
            ElementContentHandlers::default().element(handler),
        ));
    }
    let on_link_text = {
        let state = Arc::clone(&state);
        move |t: &mut TextChunk<'_>| -> HandlerResult {
            on_link_text(t, &mut lock(&state));
            Ok(())
        }
    };
    let on_title_text = move |t: &mut TextChunk<'_>| -> HandlerResult {
        let mut st = lock(&state);
        if st.capture_page {
            let title = st.title.get_or_insert_with(String::new);
            if title.len() < MAX_TITLE {
                title.push_str(t.as_str());
            }
        }
        Ok(())
    };
    settings = settings
        .append_element_content_handler((
            Cow::Borrowed(&selectors.link_text),
            ElementContentHandlers::default().text(on_link_text),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&selectors.title_text),
            ElementContentHandlers::default().text(on_title_text),
        ));
    HtmlRewriter::new(settings, sink)
}

/// Handles one start tag for one rule.
fn on_element(
    kind: Kind,
    el: &mut Element<'_, '_, SendHandlerTypes>,
    rules: &CompiledRules,
    st: &mut PassState,
) -> Outcome {
    if st.removed_depth > 0 {
        // Inside a removed widget: it all goes already, and counts once.
        st.link = None;
        return Outcome::Kept;
    }
    match kind {
        Kind::ShareWidget => {
            st.report.share_widgets_removed += 1;
            el.remove();
            Outcome::Removed
        }
        Kind::Any => {
            if !el.attributes().is_empty()
                && share::is_promo(el.attributes().iter().map(|a| a.name()))
            {
                st.report.promos_removed += 1;
                el.remove();
                return Outcome::Removed;
            }
            if !st.cap_depth
                || !el.can_have_content()
                || NOT_COUNTED.contains(&el.tag_name().as_str())
            {
                return Outcome::Kept;
            }
            if st.depth >= MAX_DEPTH {
                st.report.elements_unnested += 1;
                el.remove_and_keep_content();
                return Outcome::Kept;
            }
            st.depth += 1;
            Outcome::Counted
        }
        Kind::Link => {
            if on_link(el, rules, st) {
                return Outcome::Removed;
            }
            st.urls_seen += 1;
            Outcome::Kept
        }
        Kind::Image => {
            st.urls_seen += 1;
            if let Some(src) = el.get_attribute("src") {
                let raw = htmlize::unescape_attribute(&src);
                let mut change = links::rewrite(&raw, rules, &st.short_links);
                st.report.count_link(&change);
                if st.record_lookups {
                    st.lookups.append(&mut change.short_lookups);
                }
                if let Some(new) = change.url {
                    set_attribute(el, "src", &new);
                }
            }
            Outcome::Kept
        }
        Kind::Canonical => {
            let rel = el.get_attribute("rel").unwrap_or_default();
            if rel
                .split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
            {
                if let Some(href) = el.get_attribute("href") {
                    st.canonical.get_or_insert_with(|| {
                        htmlize::unescape_attribute(&href).trim().to_owned()
                    });
                }
            }
            Outcome::Kept
        }
        Kind::OgUrl => {
            let property = el.get_attribute("property").unwrap_or_default();
            if property.eq_ignore_ascii_case("og:url") {
                if let Some(content) = el.get_attribute("content") {
                    st.og_url.get_or_insert_with(|| {
                        htmlize::unescape_attribute(&content).trim().to_owned()
                    });
                }
            }
            Outcome::Kept
        }
        Kind::Title if st.capture_page => {
            el.remove();
            Outcome::Kept // the title's text is still captured; nothing was lost
        }
        Kind::Html if st.capture_page => {
            if let Some(lang) = el.get_attribute("lang") {
                st.lang.get_or_insert(lang);
            }
            Outcome::Kept
        }
        Kind::Title | Kind::Html => Outcome::Kept,
    }
}

/// Handles an `<a>`. Returns whether it was removed (a share link).
fn on_link(
    el: &mut Element<'_, '_, SendHandlerTypes>,
    rules: &CompiledRules,
    st: &mut PassState,
) -> bool {
    st.link = None;
    let Some(href) = el.get_attribute("href") else {
        return false;
    };
    let raw = htmlize::unescape_attribute(&href);
    let raw = raw.trim();
    let Ok(url) = Url::parse(raw) else {
        return false; // relative or unparsable: left as it is
    };
    if let Some(service) = links::share_service(&url, rules) {
        if st.learn_short_links {
            let (codes, article) = links::share_pairing(&url, service, rules);
            for code in st.pairing.learn(codes, article) {
                match st.pairing.resolve_one(&code, st.document_url()) {
                    Some(url) => st.short_links.insert(code, url),
                    None => st.short_links.remove(&code),
                };
            }
        }
        st.report.share_widgets_removed += 1;
        el.remove();
        return true;
    }
    let mut change = links::rewrite_parsed(raw, url, rules, &st.short_links);
    if st.record_lookups {
        st.lookups.append(&mut change.short_lookups);
    }
    if let Some(new) = &change.url {
        // A redirector may wrap a share link.
        let unwrapped_share = change.unwrapped > 0
            && Url::parse(new).is_ok_and(|u| links::share_service(&u, rules).is_some());
        if unwrapped_share {
            st.report.share_widgets_removed += 1;
            el.remove();
            return true;
        }
        set_attribute(el, "href", new);
        st.link = Some((raw.to_owned(), new.clone()));
    }
    st.report.count_link(&change);
    false
}

/// A text node inside a rewritten link: if it spells the old URL, it shows the new one.
/// The node is held back (up to `MAX_LINK_TEXT`) until its last chunk decides.
fn on_link_text(t: &mut TextChunk<'_>, st: &mut PassState) {
    let Some((old, new)) = &st.link else {
        return;
    };
    if st.link_text.len() + t.as_str().len() > MAX_LINK_TEXT {
        // Too long to be a URL: let it through unchanged.
        let held = std::mem::take(&mut st.link_text);
        let current = t.as_str().to_owned();
        t.replace(&(held + &current), ContentType::Html);
        st.link = None;
        return;
    }
    st.link_text.push_str(t.as_str());
    if !could_spell(&st.link_text, old) {
        // Not the URL (most link text is a word or two): let it through as it came.
        let held = std::mem::take(&mut st.link_text);
        if held.len() > t.as_str().len() {
            t.replace(&held, ContentType::Html);
        }
        st.link = None;
        return;
    }
    if !t.last_in_text_node() {
        t.remove();
        return;
    }
    let held = std::mem::take(&mut st.link_text);
    let text = htmlize::unescape(&held);
    if text.trim() == old.as_str() {
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        t.replace(&format!("{lead}{new}{trail}"), ContentType::Text);
    } else {
        t.replace(&held, ContentType::Html);
    }
}

/// Can raw text that starts with `so_far` still spell `url`, once entities are undone and
/// whitespace trimmed? Text with a character reference is left to the full comparison.
fn could_spell(so_far: &str, url: &str) -> bool {
    if so_far.contains('&') {
        return true;
    }
    let text = so_far.trim_start();
    url.starts_with(text)
        || text
            .strip_prefix(url)
            .is_some_and(|rest| rest.trim().is_empty())
}

/// Writes an attribute value: lol_html escapes `"`, so only `&` is left to escape.
fn set_attribute(el: &mut Element<'_, '_, SendHandlerTypes>, name: &str, value: &str) {
    let escaped = value.replace('&', "&amp;");
    el.set_attribute(name, &escaped)
        .expect("attribute names used here are valid");
}
