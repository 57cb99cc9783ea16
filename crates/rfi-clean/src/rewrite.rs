//! The streaming rewrite pass on lol_html: share links and widgets go, links are unwrapped,
//! stripped and decoded for display, a link whose text spells its old URL shows the new one.
//!
//! It must run before the sanitizer: ammonia drops the `data-*` attributes and the `whatsapp:`
//! scheme that identify widgets. Its output is never trusted: the full clean always sanitizes it.
//! lol_html hands attribute values and text over raw, so entities are undone here before
//! matching, and `&` is escaped again when a value is written back (lol_html escapes `"`).

use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};

use lol_html::html_content::{ContentType, Element, TextChunk};
use lol_html::send::SendHandlerTypes;
use lol_html::{
    ElementContentHandlers, HandlerResult, HtmlRewriter, MemorySettings, OutputSink, Selector,
    Settings,
};
use url::Url;

use crate::document::HeadFacts;
use crate::embed::{self, EmbedMode};
use crate::links;
use crate::report::Report;
use crate::rules::CompiledRules;
use crate::share;
use crate::shortlink::{Lookup, Pairing, ShortLinks, share_pairing};
use crate::{lazy, noscript};

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
    /// Followed until its end tag (`<svg>`, the page's `<title>`).
    Tracked,
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
    /// `<button>` and the like: UI that does nothing without script.
    Control,
    /// `<noscript>`: its content is markup for a browser without script.
    Noscript,
    /// Frames and players: links to what they embed, or nothing.
    Embed,
    /// `<svg>`: its `<title>`s are not the page's.
    Svg,
    /// `<picture>`: its `<source>` candidates are kept.
    Picture,
    /// `<source>`: a `<picture>`'s candidates (lazy ones promoted); elsewhere it goes.
    Source,
    /// An element whose class or id may say share (`share-bar`, `meta__social`, `btn-sns`).
    ShareContext,
    /// `<base href>`: the document's base URL.
    Base,
}

/// Selectors parsed once per `Cleaner`.
#[derive(Debug)]
pub(crate) struct Selectors {
    elements: Vec<(Selector, Kind)>,
    link_text: Selector,
    title_text: Selector,
    noscript_text: Selector,
    share_text: Selector,
}

/// Elements whose class or id may say share: a coarse filter, checked word by word by
/// `share::has_share_token` (`lessons` holds `sns` but says nothing of sharing).
const SHARE_CONTEXT: &str = "[class*=share i], [id*=share i], [class*=social i], \
    [id*=social i], [class*=sns i]";

/// What every pass of one clean shares: the rules, and what the content of a `<noscript>`
/// needs (the sanitizer to balance it; none in the rewrite-only stream, which leaves
/// `<noscript>` as it is).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'h> {
    pub(crate) rules: &'h CompiledRules,
    pub(crate) selectors: &'h Selectors,
    pub(crate) memory_limit: usize,
    pub(crate) sanitizer: Option<&'h ammonia::Builder<'static>>,
    pub(crate) embeds: EmbedMode,
}

impl Selectors {
    pub(crate) fn new(rules: &CompiledRules) -> Selectors {
        let parse = |s: &str| s.parse::<Selector>().expect("built-in selectors are valid");
        let mut elements: Vec<(Selector, Kind)> = rules
            .share_selectors
            .iter()
            .map(|selector| (selector.clone(), Kind::ShareWidget))
            .collect();
        elements.extend(
            rules
                .control_selectors
                .iter()
                .map(|selector| (selector.clone(), Kind::Control)),
        );
        elements.extend([
            (parse("*"), Kind::Any),
            (parse("a[href]"), Kind::Link),
            (parse("img"), Kind::Image),
            (parse("noscript"), Kind::Noscript),
            (
                parse("iframe, frame, embed, object, video, audio"),
                Kind::Embed,
            ),
            (parse("svg"), Kind::Svg),
            (parse("picture"), Kind::Picture),
            (parse("source"), Kind::Source),
            (parse(SHARE_CONTEXT), Kind::ShareContext),
            (parse("link[rel][href]"), Kind::Canonical),
            (parse("meta[property][content]"), Kind::OgUrl),
            (parse("title"), Kind::Title),
            (parse("html[lang]"), Kind::Html),
            (parse("base[href]"), Kind::Base),
        ]);
        Selectors {
            elements,
            link_text: parse("a"),
            title_text: parse("title"),
            noscript_text: parse("noscript"),
            share_text: parse(&format!("{SHARE_CONTEXT}, button")),
        }
    }
}

/// What a pass is told before it starts.
#[derive(Debug, Default)]
pub(crate) struct PassOptions {
    /// The short-link table to resolve against (the final one, on a second pass).
    pub(crate) short_links: ShortLinks,
    /// Learn short-link pairings from share links as they go by, into the table.
    pub(crate) learn_short_links: bool,
    /// Record every short-code lookup (a one-shot pass checks them against the final table;
    /// a stream does not, and must not grow).
    pub(crate) record_lookups: bool,
    /// Capture and drop the `<title>` of a whole page, and read its `lang`.
    pub(crate) capture_page: bool,
    /// Unwrap elements nested deeper than `MAX_DEPTH` (only a pass whose output goes to the
    /// sanitizer's tree builder needs it; the rewrite-only stream builds no tree).
    pub(crate) cap_depth: bool,
    /// The envelope's URL, if any.
    pub(crate) envelope_url: Option<String>,
    /// This pass reads the content of a `<noscript>`: trackers go, nested `<noscript>` goes.
    pub(crate) in_noscript: bool,
    /// URLs of the image just before the `<noscript>`: the same image in it is a duplicate.
    pub(crate) image_before: Vec<String>,
    /// The base URL the caller gives (absolute http(s)): first of the base URLs.
    pub(crate) base_url: Option<Url>,
    /// Write every link resolved against the base URL.
    pub(crate) absolute_links: bool,
}

/// What a pass found, handed over when it ends.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub(crate) report: Report,
    pub(crate) pairing: Pairing,
    /// Every short-code lookup made, with what the table gave at that moment.
    pub(crate) lookups: Vec<Lookup>,
    pub(crate) head: HeadFacts,
    /// Kept `<a href>` and `<img src>` elements that the rules saw. If the sanitized output has
    /// more, the sanitizer's parser found links where lol_html saw none (see `pipeline`).
    pub(crate) urls_seen: usize,
}

/// The handlers' working state within one pass.
#[derive(Debug, Default)]
struct Scratch {
    /// The table in use: the given one, plus what has been learned so far.
    short_links: ShortLinks,
    /// The current `<a>`: its old href (entities undone) and new href.
    link: Option<(String, String)>,
    link_text: String,
    /// How many removed elements we are inside: their content is not counted again.
    removed_depth: usize,
    /// Open elements that count towards `MAX_DEPTH`.
    depth: usize,
    /// The content of the `<noscript>` being read, once it started (`None` otherwise).
    noscript: Option<String>,
    /// URLs of the last image seen (its `src` and `srcset` candidates).
    last_image: Vec<String>,
    /// Open `<svg>` elements.
    svg_depth: usize,
    /// The page's `<title>` is being read; it was read already.
    in_title: bool,
    title_done: bool,
    /// Open share containers and buttons: a text in them that is only a label or a network
    /// name goes.
    share_depth: usize,
    button_depth: usize,
    /// Open `<picture>` elements.
    picture_depth: usize,
    /// A text node in one of them, held until its end decides (labels are short).
    share_text: String,
    /// The text node being read is too long to be a label: let the rest through.
    share_text_passing: bool,
    /// The base URL links resolve against now (see `PassState::refresh_base`).
    base: Option<Url>,
}

/// Per-document state shared by the handlers of one pass.
#[derive(Debug, Default)]
struct PassState {
    opts: PassOptions,
    found: Findings,
    scratch: Scratch,
}

impl PassState {
    fn document_url(&self) -> Option<&str> {
        match &self.opts.base_url {
            Some(base) => Some(base.as_str()),
            None => self
                .found
                .head
                .document_url(self.opts.envelope_url.as_deref()),
        }
    }

    /// The base URL, the first available in this order (issue 11): the caller's, `<base
    /// href>` (resolved against the caller's or envelope URL if relative), the envelope URL,
    /// `<link rel=canonical>`, `og:url`. Called when one of them is found: links resolve
    /// against what the document has said before them, as a streaming browser's would.
    fn refresh_base(&mut self) {
        self.scratch.base = document_base(
            &self.opts,
            &self.found.head,
            self.opts.envelope_url.as_deref(),
        );
    }

    fn links_base(&self) -> links::Base<'_> {
        links::Base {
            url: self.scratch.base.as_ref(),
            absolute: self.opts.absolute_links,
        }
    }
}

/// See [`PassState::refresh_base`].
pub(crate) fn document_base(
    opts: &PassOptions,
    head: &HeadFacts,
    envelope_url: Option<&str>,
) -> Option<Url> {
    let web = |s: &str| Url::parse(s).ok().filter(is_base);
    if let Some(base) = &opts.base_url {
        return Some(base.clone());
    }
    let fallback = envelope_url.and_then(web);
    if let Some(href) = &head.base_href {
        let resolved = match &fallback {
            Some(f) => f.join(href).ok(),
            None => Url::parse(href).ok(),
        };
        if let Some(base) = resolved.filter(is_base) {
            return Some(base);
        }
    }
    fallback
        .or_else(|| head.canonical.as_deref().and_then(web))
        .or_else(|| head.og_url.as_deref().and_then(web))
}

/// A base URL is an absolute http(s) URL with a host.
pub(crate) fn is_base(url: &Url) -> bool {
    crate::scheme::is_web(url) && url.has_host()
}

type Shared = Arc<Mutex<PassState>>;

fn lock(state: &Shared) -> MutexGuard<'_, PassState> {
    // A handler never panics while holding the lock, but stay usable if one ever did.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One rewrite pass over one document: options in, a rewriter, findings out.
#[derive(Debug)]
pub(crate) struct Pass {
    state: Shared,
}

impl Pass {
    pub(crate) fn new(mut opts: PassOptions) -> Pass {
        let scratch = Scratch {
            short_links: std::mem::take(&mut opts.short_links),
            ..Scratch::default()
        };
        let mut state = PassState {
            opts,
            found: Findings::default(),
            scratch,
        };
        state.refresh_base();
        Pass {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// What the pass has found so far (all of it, once its rewriter has ended).
    pub(crate) fn take_findings(&self) -> Findings {
        std::mem::take(&mut lock(&self.state).found)
    }

    /// Builds a rewriter that runs every rewrite rule into `sink`.
    pub(crate) fn rewriter<'h, O: OutputSink>(
        &self,
        ctx: Context<'h>,
        sink: O,
    ) -> HtmlRewriter<'h, O, SendHandlerTypes> {
        rewriter(ctx, Arc::clone(&self.state), sink)
    }
}

/// Builds a rewriter that runs every rewrite rule into `sink`.
fn rewriter<'h, O: OutputSink>(
    ctx: Context<'h>,
    state: Shared,
    sink: O,
) -> HtmlRewriter<'h, O, SendHandlerTypes> {
    let Context {
        selectors,
        memory_limit,
        ..
    } = ctx;
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
            let outcome = on_element(kind, el, ctx, &mut lock(&state));
            if outcome == Outcome::Removed && el.can_have_content() {
                let inner = Arc::clone(&state);
                let on_end = el.on_end_tag(Box::new(move |_| {
                    let mut st = lock(&inner);
                    st.scratch.removed_depth = st.scratch.removed_depth.saturating_sub(1);
                    Ok(())
                }));
                if on_end.is_ok() {
                    lock(&state).scratch.removed_depth += 1;
                }
            } else if outcome == Outcome::Tracked {
                // The end of an element whose extent a rule follows (`<svg>`, `<title>`).
                let inner = Arc::clone(&state);
                let on_end = el.on_end_tag(Box::new(move |_| {
                    close_tracked(kind, &mut lock(&inner).scratch);
                    Ok(())
                }));
                if on_end.is_err() {
                    // No end tag will come: it does not stay open.
                    close_tracked(kind, &mut lock(&state).scratch);
                }
            } else if outcome == Outcome::Counted {
                let inner = Arc::clone(&state);
                let on_end = el.on_end_tag(Box::new(move |_| {
                    let mut st = lock(&inner);
                    st.scratch.depth = st.scratch.depth.saturating_sub(1);
                    Ok(())
                }));
                if on_end.is_err() {
                    // No end tag will come: it does not stay open.
                    let mut st = lock(&state);
                    st.scratch.depth = st.scratch.depth.saturating_sub(1);
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
    let on_noscript_text = {
        let state = Arc::clone(&state);
        move |t: &mut TextChunk<'_>| -> HandlerResult {
            on_noscript_text(t, ctx, &mut lock(&state));
            Ok(())
        }
    };
    let on_share_text = {
        let state = Arc::clone(&state);
        move |t: &mut TextChunk<'_>| -> HandlerResult {
            on_share_text(t, ctx.rules, &mut lock(&state));
            Ok(())
        }
    };
    let on_title_text = move |t: &mut TextChunk<'_>| -> HandlerResult {
        let mut st = lock(&state);
        if st.opts.capture_page && st.scratch.in_title {
            let title = st.found.head.title.get_or_insert_with(String::new);
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
        ))
        .append_element_content_handler((
            Cow::Borrowed(&selectors.noscript_text),
            ElementContentHandlers::default().text(on_noscript_text),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&selectors.share_text),
            ElementContentHandlers::default().text(on_share_text),
        ));
    HtmlRewriter::new(settings, sink)
}

/// Handles one start tag for one rule.
fn on_element(
    kind: Kind,
    el: &mut Element<'_, '_, SendHandlerTypes>,
    ctx: Context<'_>,
    st: &mut PassState,
) -> Outcome {
    let rules = ctx.rules;
    if st.scratch.removed_depth > 0 {
        // Inside a removed widget: it all goes already, and counts once.
        st.scratch.link = None;
        return Outcome::Kept;
    }
    match kind {
        Kind::ShareWidget => {
            st.found.report.share_widgets_removed += 1;
            el.remove();
            Outcome::Removed
        }
        Kind::Any => {
            if !el.attributes().is_empty()
                && share::is_promo(
                    el.attributes().iter().map(|a| a.name()),
                    &rules.promo_attribute_prefixes,
                )
            {
                st.found.report.promos_removed += 1;
                el.remove();
                return Outcome::Removed;
            }
            if !st.opts.cap_depth
                || !el.can_have_content()
                || NOT_COUNTED.contains(&el.tag_name().as_str())
            {
                return Outcome::Kept;
            }
            if st.scratch.depth >= MAX_DEPTH {
                st.found.report.elements_unnested += 1;
                el.remove_and_keep_content();
                return Outcome::Kept;
            }
            st.scratch.depth += 1;
            Outcome::Counted
        }
        Kind::Link => {
            if on_link(el, rules, st) {
                return Outcome::Removed;
            }
            st.found.urls_seen += 1;
            Outcome::Kept
        }
        Kind::Image => on_image(el, rules, st),
        Kind::Control => {
            // Only share controls: another button's text may belong to a paragraph (`×`,
            // `Continuer à lire ici`), and the sanitizer keeps it as text.
            if !share::is_share_control(&attributes(el), &rules.share_labels) {
                st.scratch.button_depth += 1;
                return Outcome::Tracked;
            }
            st.found.report.controls_removed += 1;
            el.remove();
            Outcome::Removed
        }
        Kind::Noscript => {
            if ctx.sanitizer.is_none() {
                return Outcome::Kept; // the rewrite-only stream leaves it to the browser
            }
            if st.opts.in_noscript {
                el.remove(); // nested: text to every parser, and no use to anyone
                return Outcome::Removed;
            }
            st.found.report.noscripts_unwrapped += 1;
            st.scratch.noscript = Some(String::new());
            el.remove_and_keep_content();
            Outcome::Kept
        }
        Kind::Embed => on_embed(el, ctx, st),
        Kind::Picture => {
            st.scratch.picture_depth += 1;
            Outcome::Tracked
        }
        Kind::Source => on_source(el, st),
        Kind::ShareContext => {
            let says_share = ["class", "id"]
                .iter()
                .filter_map(|name| el.get_attribute(name))
                .any(|value| share::has_share_token(&value));
            if !says_share || !el.can_have_content() {
                return Outcome::Kept;
            }
            st.scratch.share_depth += 1;
            Outcome::Tracked
        }
        Kind::Svg => {
            if !el.can_have_content() {
                return Outcome::Kept;
            }
            st.scratch.svg_depth += 1;
            Outcome::Tracked
        }
        Kind::Canonical => {
            let rel = el.get_attribute("rel").unwrap_or_default();
            if rel
                .split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
            {
                if let Some(href) = el.get_attribute("href") {
                    if st.found.head.canonical.is_none() {
                        st.found.head.canonical =
                            Some(htmlize::unescape_attribute(&href).trim().to_owned());
                        st.refresh_base();
                    }
                }
            }
            Outcome::Kept
        }
        Kind::OgUrl => {
            let property = el.get_attribute("property").unwrap_or_default();
            if property.eq_ignore_ascii_case("og:url") {
                if let Some(content) = el.get_attribute("content") {
                    if st.found.head.og_url.is_none() {
                        st.found.head.og_url =
                            Some(htmlize::unescape_attribute(&content).trim().to_owned());
                        st.refresh_base();
                    }
                }
            }
            Outcome::Kept
        }
        Kind::Title if st.opts.capture_page => {
            el.remove();
            // The page's title is the first one outside SVG (`document.title`); an icon's
            // `<title>` in the body is not (found on a real page: the share icons' names).
            if st.scratch.svg_depth > 0 || st.scratch.title_done {
                return Outcome::Kept;
            }
            st.scratch.in_title = true;
            Outcome::Tracked // the title's text is still captured; nothing was lost
        }
        Kind::Html if st.opts.capture_page => {
            if let Some(lang) = el.get_attribute("lang") {
                st.found.head.lang.get_or_insert(lang);
            }
            Outcome::Kept
        }
        Kind::Base => {
            // Only the first `<base href>` counts (HTML, "the frozen base URL").
            if st.found.head.base_href.is_none() {
                if let Some(href) = el.get_attribute("href") {
                    let href = htmlize::unescape_attribute(&href);
                    st.found.head.base_href = Some(links::trim_url(&href).to_owned());
                    st.refresh_base();
                }
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
    st.scratch.link = None;
    let Some(href) = el.get_attribute("href") else {
        return false;
    };
    let raw = htmlize::unescape_attribute(&href);
    let raw = links::trim_url(&raw);
    let Some(link) = links::resolve(raw, st.scratch.base.as_ref()) else {
        return false; // unparsable: left as it is
    };
    // A scheme-relative-path link (`https:example.com`) is a path on the page's own host: it
    // is not taken for a link to another host's share endpoint.
    let share = (link.form != links::Form::SchemeRelativePath)
        .then(|| links::share_service(&link.url, rules))
        .flatten();
    if let Some(service) = share {
        let url = &link.url;
        if st.opts.learn_short_links {
            let (codes, article) = share_pairing(url, service, rules);
            for code in st.found.pairing.learn(codes, article) {
                match st.found.pairing.resolve_one(&code, st.document_url()) {
                    Some(url) => st.scratch.short_links.insert(code, url),
                    None => st.scratch.short_links.remove(&code),
                };
            }
        }
        st.found.report.share_widgets_removed += 1;
        el.remove();
        return true;
    }
    let mut change = links::rewrite_resolved(link, st.links_base(), rules, &st.scratch.short_links);
    if st.opts.record_lookups {
        st.found.lookups.append(&mut change.short_lookups);
    }
    if let Some(new) = &change.url {
        // A redirector may wrap a share link.
        let unwrapped_share = change.unwrapped > 0
            && Url::parse(new).is_ok_and(|u| links::share_service(&u, rules).is_some());
        if unwrapped_share {
            st.found.report.share_widgets_removed += 1;
            el.remove();
            return true;
        }
        set_attribute(el, "href", new);
        st.scratch.link = Some((raw.to_owned(), new.clone()));
    }
    st.found.report.count_link(&change);
    false
}

/// A text node inside a rewritten link: if it spells the old URL, it shows the new one.
/// The node is held back (up to `MAX_LINK_TEXT`) until its last chunk decides.
fn on_link_text(t: &mut TextChunk<'_>, st: &mut PassState) {
    if st.scratch.noscript.is_some() {
        return; // a `<noscript>`'s content is read by its own pass
    }
    let Some((old, new)) = &st.scratch.link else {
        return;
    };
    if st.scratch.link_text.len() + t.as_str().len() > MAX_LINK_TEXT {
        // Too long to be a URL: let it through unchanged.
        let held = std::mem::take(&mut st.scratch.link_text);
        let current = t.as_str().to_owned();
        t.replace(&(held + &current), ContentType::Html);
        st.scratch.link = None;
        return;
    }
    st.scratch.link_text.push_str(t.as_str());
    if !could_spell(&st.scratch.link_text, old) {
        // Not the URL (most link text is a word or two): let it through as it came.
        let held = std::mem::take(&mut st.scratch.link_text);
        if held.len() > t.as_str().len() {
            t.replace(&held, ContentType::Html);
        }
        st.scratch.link = None;
        return;
    }
    if !t.last_in_text_node() {
        t.remove();
        return;
    }
    let held = std::mem::take(&mut st.scratch.link_text);
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

/// An element's attributes: names as lol_html gives them (lowercase), values with their
/// entities undone.
fn attributes(el: &Element<'_, '_, SendHandlerTypes>) -> Vec<(String, String)> {
    el.attributes()
        .iter()
        .map(|a| {
            (
                a.name(),
                htmlize::unescape_attribute(a.value()).into_owned(),
            )
        })
        .collect()
}

/// Handles an `<img>`: lazy promotion, trackers and duplicates in `<noscript>`, link rules.
fn on_image(
    el: &mut Element<'_, '_, SendHandlerTypes>,
    rules: &CompiledRules,
    st: &mut PassState,
) -> Outcome {
    let attrs = attributes(el);
    let get = |name: &str| attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim());
    if st.opts.in_noscript {
        let tracker = get("src").is_some_and(|src| noscript::is_tracker_url(src, rules));
        if tracker || lazy::is_tiny(&attrs) || lazy::is_hidden(&attrs) {
            st.found.report.trackers_removed += 1;
            el.remove();
            return Outcome::Removed;
        }
    }
    let promotion = lazy::promote(&attrs);
    if promotion.no_image {
        // Nothing to show but its `alt`: the placeholder goes, the element stays (the sanitizer
        // would leave the same `<img>` of a `src` it refuses, so cleaning again changes nothing).
        st.scratch.last_image.clear();
        if get("src").is_some() {
            el.remove_attribute("src");
        }
        return Outcome::Kept;
    }
    if promotion.src.is_some() || promotion.srcset.is_some() {
        st.found.report.images_promoted += 1;
    }
    if let Some(srcset) = &promotion.srcset {
        set_attribute(el, "srcset", srcset);
    }
    let src = promotion.src.clone().or_else(|| {
        get("src")
            .filter(|s| !lazy::is_placeholder(s))
            .map(str::to_owned)
    });
    let srcset = promotion
        .srcset
        .clone()
        .or_else(|| get("srcset").map(str::to_owned));
    let urls: Vec<String> = src
        .iter()
        .cloned()
        .chain(srcset.iter().flat_map(|s| {
            crate::sanitize::srcset_urls(s)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }))
        .collect();
    if st.opts.in_noscript && urls.iter().any(|u| st.opts.image_before.contains(u)) {
        el.remove(); // the same image as the one the page shows before it
        return Outcome::Removed;
    }
    st.scratch.last_image = urls;
    st.found.urls_seen += 1;
    match &src {
        Some(src) => {
            let mut change = links::rewrite(src, st.links_base(), rules, &st.scratch.short_links);
            st.found.report.count_link(&change);
            if st.opts.record_lookups {
                st.found.lookups.append(&mut change.short_lookups);
            }
            let new = change.url.as_ref().unwrap_or(src);
            if promotion.src.is_some() || change.url.is_some() {
                set_attribute(el, "src", new);
            }
        }
        // A placeholder `src` beside a real `srcset`: the sanitizer would keep the `data:`
        // URI's attribute only to drop it; it goes here.
        None => el.remove_attribute("src"),
    }
    Outcome::Kept
}

/// Handles a frame or player: a link to what it embeds, or nothing.
fn on_embed(
    el: &mut Element<'_, '_, SendHandlerTypes>,
    ctx: Context<'_>,
    st: &mut PassState,
) -> Outcome {
    let attrs = attributes(el);
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let url = ["src", "data-src", "data-lazy-src", "data"]
        .iter()
        .find_map(|name| get(name));
    let hidden = lazy::is_hidden(&attrs) || lazy::is_tiny(&attrs);
    let tracker = url.is_some_and(|u| noscript::is_tracker_url(u, ctx.rules));
    if hidden || tracker {
        st.found.report.trackers_removed += usize::from(tracker);
        el.remove();
        return Outcome::Removed;
    }
    let link = match (ctx.embeds, url) {
        (EmbedMode::Links, Some(url)) => embed::public_link(url, &ctx.rules.embeds),
        _ => None,
    };
    let Some(link) = link else {
        // The sanitizer drops what is left (a frame no rule knows: an ad, a widget).
        return Outcome::Kept;
    };
    let change = links::rewrite(
        &link.href,
        st.links_base(),
        ctx.rules,
        &st.scratch.short_links,
    );
    st.found.report.count_link(&change);
    let href = change.url.unwrap_or(link.href);
    let text = get("title")
        .filter(|t| t.chars().count() <= 200)
        .unwrap_or(&link.service);
    let html = format!(
        "<a href=\"{}\">{}</a>",
        href.replace('&', "&amp;").replace('"', "&quot;"),
        htmlize::escape_text(text)
    );
    st.found.report.embeds_linked += 1;
    st.found.urls_seen += 1;
    el.replace(&html, ContentType::Html);
    Outcome::Removed
}

/// The content of a `<noscript>`, which lol_html reads as text (as a browser with script
/// does): collected, then read as markup by a pass of its own, balanced by the sanitizer, and
/// put back in its place. Trackers go; a page's notice that script is needed goes.
fn on_noscript_text(t: &mut TextChunk<'_>, ctx: Context<'_>, st: &mut PassState) {
    let Some(content) = st.scratch.noscript.as_mut() else {
        return;
    };
    if content.len() + t.as_str().len() <= noscript::MAX_CONTENT {
        content.push_str(t.as_str());
    }
    if !t.last_in_text_node() {
        t.remove();
        return;
    }
    let content = st.scratch.noscript.take().unwrap_or_default();
    let html = unwrap_noscript(&content, ctx, st);
    t.replace(&html, ContentType::Html);
}

/// Reads the content of a `<noscript>` as markup, with every rule (see `on_noscript_text`).
fn unwrap_noscript(content: &str, ctx: Context<'_>, st: &mut PassState) -> String {
    let Some(sanitizer) = ctx.sanitizer else {
        return String::new();
    };
    let pass = Pass::new(PassOptions {
        short_links: st.scratch.short_links.clone(),
        cap_depth: true,
        in_noscript: true,
        image_before: std::mem::take(&mut st.scratch.last_image),
        envelope_url: st.opts.envelope_url.clone(),
        // The content of a `<noscript>` shares its document's base URL.
        base_url: st.scratch.base.clone(),
        absolute_links: st.opts.absolute_links,
        ..PassOptions::default()
    });
    let mut out = Vec::with_capacity(content.len());
    let mut rewriter = pass.rewriter(ctx, |chunk: &[u8]| out.extend_from_slice(chunk));
    let rewritten = rewriter
        .write(content.as_bytes())
        .and_then(|()| rewriter.end());
    let found = pass.take_findings();
    if rewritten.is_err() {
        return String::new(); // fallback content only: nothing of the article is lost
    }
    let text = String::from_utf8_lossy(&out);
    let balanced = sanitizer.clean(&text).to_string();
    if noscript::is_script_notice(&balanced) {
        return String::new();
    }
    st.found.report += found.report;
    st.found.urls_seen += found.urls_seen;
    balanced
}

/// The end of an element a rule follows (see `Outcome::Tracked`).
fn close_tracked(kind: Kind, scratch: &mut Scratch) {
    match kind {
        Kind::Svg => scratch.svg_depth = scratch.svg_depth.saturating_sub(1),
        Kind::ShareContext => scratch.share_depth = scratch.share_depth.saturating_sub(1),
        Kind::Control => scratch.button_depth = scratch.button_depth.saturating_sub(1),
        Kind::Picture => scratch.picture_depth = scratch.picture_depth.saturating_sub(1),
        _ => {
            scratch.in_title = false;
            scratch.title_done = true;
        }
    }
}

/// Share labels are short: a text node longer than this is let through as it comes.
const MAX_LABEL_TEXT: usize = 96;
/// Whitespace included, a held text node is let through past this length.
const MAX_TEXT_HELD: usize = 4096;

/// A text node in a share container or a button: if its whole text is a share label
/// (`Partager`, `分享到:`, `Copier le lien`), or a network name in a share container
/// (`Facebook`, `카카오`), it goes. Prose never matches a whole-text label.
fn on_share_text(t: &mut TextChunk<'_>, rules: &CompiledRules, st: &mut PassState) {
    let in_share = st.scratch.share_depth > 0;
    if t.removed() || st.scratch.noscript.is_some() {
        return; // another handler (a link's, a `<noscript>`'s) took this chunk
    }
    if !in_share && st.scratch.button_depth == 0 {
        return;
    }
    let sc = &mut st.scratch;
    if sc.share_text_passing {
        sc.share_text_passing = !t.last_in_text_node();
        return;
    }
    sc.share_text.push_str(t.as_str());
    // Labels come padded with the page's indentation: only what is not whitespace counts.
    if sc.share_text.trim().len() > MAX_LABEL_TEXT || sc.share_text.len() > MAX_TEXT_HELD {
        let held = std::mem::take(&mut sc.share_text);
        t.replace(&held, ContentType::Html);
        sc.share_text_passing = !t.last_in_text_node();
        return;
    }
    if !t.last_in_text_node() {
        t.remove();
        return;
    }
    let held = std::mem::take(&mut sc.share_text);
    let text = htmlize::unescape(&held);
    let is_ui = share::is_share_label(&text, &rules.share_labels)
        || (in_share && share::is_share_label(&text, &rules.share_network_names));
    if is_ui {
        st.found.report.labels_removed += 1;
        t.remove();
    } else {
        t.replace(&held, ContentType::Html);
    }
}

/// Handles a `<source>`: in a `<picture>`, a lazy `srcset` is promoted and a placeholder one
/// goes; elsewhere (a video's or audio's, which the sanitizer drops) the element goes.
fn on_source(el: &mut Element<'_, '_, SendHandlerTypes>, st: &mut PassState) -> Outcome {
    if st.scratch.picture_depth == 0 {
        el.remove();
        return Outcome::Removed;
    }
    let attrs = attributes(el);
    let promotion = lazy::promote(&attrs);
    match &promotion.srcset {
        Some(srcset) => {
            st.found.report.images_promoted += 1;
            set_attribute(el, "srcset", srcset);
        }
        None if promotion.no_image => {
            el.remove(); // nothing but a placeholder: the `<img>` after it is the image
            return Outcome::Removed;
        }
        None => {}
    }
    Outcome::Kept
}
