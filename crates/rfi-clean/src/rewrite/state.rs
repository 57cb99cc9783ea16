//! The state of one rewrite pass, shared by its handlers: what the pass is told (`PassOptions`),
//! what it finds (`Findings`), its working state (`Scratch`), the selectors that route elements
//! to handlers, and the helpers the handlers share.

use std::sync::{Arc, Mutex, MutexGuard};

use lol_html::Selector;
use lol_html::html_content::Element;
use lol_html::send::SendHandlerTypes;
use url::Url;

use crate::document::HeadFacts;
use crate::embed::EmbedMode;
use crate::links;
use crate::report::Report;
use crate::rules::CompiledRules;
use crate::shortlink::{Lookup, Pairing, ShortLinks};

/// What a rule did with an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
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
pub(super) enum Kind {
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
    pub(super) elements: Vec<(Selector, Kind)>,
    pub(super) link_text: Selector,
    pub(super) title_text: Selector,
    pub(super) noscript_text: Selector,
    pub(super) share_text: Selector,
}

/// Elements whose class or id may say share: a coarse filter, checked word by word by
/// `share::has_share_token` (`lessons` holds `sns` but says nothing of sharing).
pub(super) const SHARE_CONTEXT: &str = "[class*=share i], [id*=share i], [class*=social i], \
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
    /// The most tree nodes (see `rewrite::tree_cost`) the sanitizer may be given; past it the
    /// pass stops with `tree_exceeded`. `None` counts nothing (the rewrite-only stream builds no
    /// tree).
    pub(crate) tree_budget: Option<usize>,
    /// What reconstructing the enclosing document's formatting elements may cost (the content
    /// of a `<noscript>` is parsed inside it), charged on top of this pass's own.
    pub(crate) formatting_base: usize,
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
    /// Tree nodes counted so far, and whether they passed `tree_budget` (the pass stopped).
    pub(crate) tree_nodes: usize,
    pub(crate) tree_exceeded: bool,
}

/// The handlers' working state within one pass.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The table in use: the given one, plus what has been learned so far.
    pub(super) short_links: ShortLinks,
    /// The current `<a>`: its old href (entities undone) and new href.
    pub(super) link: Option<(String, String)>,
    pub(super) link_text: String,
    /// How many removed elements we are inside: their content is not counted again.
    pub(super) removed_depth: usize,
    /// Open elements that count towards `MAX_DEPTH`.
    pub(super) depth: usize,
    /// The content of the `<noscript>` being read, once it started (`None` otherwise).
    pub(super) noscript: Option<String>,
    /// URLs of the last image seen (its `src` and `srcset` candidates).
    pub(super) last_image: Vec<String>,
    /// Open `<svg>` elements.
    pub(super) svg_depth: usize,
    /// The page's `<title>` is being read; it was read already.
    pub(super) in_title: bool,
    pub(super) title_done: bool,
    /// Open share containers and buttons: a text in them that is only a label or a network
    /// name goes.
    pub(super) share_depth: usize,
    pub(super) button_depth: usize,
    /// Open links whose text the link handler may hold or rewrite: share labels in them are
    /// left alone, so that the result does not depend on how the input is cut.
    pub(super) rewritten_link_depth: usize,
    /// Open `<picture>` elements.
    pub(super) picture_depth: usize,
    /// A text node in one of them, held until its end decides (labels are short).
    pub(super) share_text: String,
    /// The text node being read is too long to be a label: let the rest through.
    pub(super) share_text_passing: bool,
    /// The base URL links resolve against now (see `PassState::refresh_base`).
    pub(super) base: Option<Url>,
    /// The parser's list of active formatting elements, as far as the tree budget needs it.
    pub(super) formatting: super::formatting::Formatting,
}

/// Per-document state shared by the handlers of one pass.
#[derive(Debug, Default)]
pub(super) struct PassState {
    pub(super) opts: PassOptions,
    pub(super) found: Findings,
    pub(super) scratch: Scratch,
}

impl PassState {
    pub(super) fn document_url(&self) -> Option<&str> {
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
    pub(super) fn refresh_base(&mut self) {
        self.scratch.base = document_base(
            &self.opts,
            &self.found.head,
            self.opts.envelope_url.as_deref(),
        );
    }

    pub(super) fn links_base(&self) -> links::Base<'_> {
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

pub(super) type Shared = Arc<Mutex<PassState>>;

pub(super) fn lock(state: &Shared) -> MutexGuard<'_, PassState> {
    // A handler never panics while holding the lock, but stay usable if one ever did.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes an attribute value: lol_html escapes `"`, so only `&` is left to escape.
pub(super) fn set_attribute(el: &mut Element<'_, '_, SendHandlerTypes>, name: &str, value: &str) {
    let escaped = value.replace('&', "&amp;");
    el.set_attribute(name, &escaped)
        .expect("attribute names used here are valid");
}

/// An element's attributes: names as lol_html gives them (lowercase), values with their
/// entities undone.
pub(super) fn attributes(el: &Element<'_, '_, SendHandlerTypes>) -> Vec<(String, String)> {
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

/// The end of an element a rule follows (see `Outcome::Tracked`).
pub(super) fn close_tracked(kind: Kind, scratch: &mut Scratch) {
    match kind {
        Kind::Svg => scratch.svg_depth = scratch.svg_depth.saturating_sub(1),
        Kind::ShareContext => scratch.share_depth = scratch.share_depth.saturating_sub(1),
        Kind::Control => scratch.button_depth = scratch.button_depth.saturating_sub(1),
        Kind::Picture => scratch.picture_depth = scratch.picture_depth.saturating_sub(1),
        Kind::Link => {
            scratch.rewritten_link_depth = scratch.rewritten_link_depth.saturating_sub(1);
        }
        _ => {
            scratch.in_title = false;
            scratch.title_done = true;
        }
    }
}
