//! The streaming rewrite pass on lol_html: share links and widgets go, links are unwrapped,
//! stripped and decoded for display, a link whose text spells its old URL shows the new one.
//!
//! It must run before the sanitizer: ammonia drops the `data-*` attributes and the `whatsapp:`
//! scheme that identify widgets. Its output is never trusted: the full clean always sanitizes it.
//! lol_html hands attribute values and text over raw, so entities are undone here before
//! matching, and `&` is escaped again when a value is written back (lol_html escapes `"`).

mod formatting;
mod link;
mod media;
mod share_text;
mod state;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use lol_html::html_content::{ContentType, DocumentEnd, Element, TextChunk};
use lol_html::send::SendHandlerTypes;
use lol_html::{
    DocumentContentHandlers, ElementContentHandlers, HandlerResult, HtmlRewriter, MemorySettings,
    OutputSink, Settings,
};

use crate::{links, noscript, share};
pub(crate) use state::{Context, Findings, PassOptions, Selectors, document_base, is_base};
use state::{Kind, Outcome, PassState, Scratch, Shared, attributes, close_tracked, lock};

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

/// What a `<a href>` costs on top of its element and attributes, in tree nodes: the link rules
/// keep its old and new URL, the report and the extracted links list hold it again (measured:
/// a link costs about three times a plain element at its peak).
const LINK_NODES: usize = 2;

/// The tree nodes one start tag will cost the sanitizer: one for the element, one for each
/// attribute, and `LINK_NODES` more for a link or a player, which becomes one (what
/// `max_tree_nodes` counts). The content of a `<noscript>` counts in its own pass.
fn tree_cost(kind: Kind, el: &Element<'_, '_, SendHandlerTypes>) -> usize {
    match kind {
        Kind::Any => 1 + el.attributes().len(),
        // Measured (`scripts/bench-shapes`): 8 MB of `<iframe src>` to YouTube, counted as
        // plain elements, peaked at 11.9 times their size; as links, at 7.3.
        Kind::Link | Kind::Embed => LINK_NODES,
        _ => 0,
    }
}

/// Charges `nodes` to the tree budget, if the pass has one; stops the rewriter past it.
fn spend(st: &mut PassState, nodes: usize) -> HandlerResult {
    let Some(budget) = st.opts.tree_budget else {
        return Ok(());
    };
    st.found.tree_nodes += nodes;
    if st.found.tree_nodes > budget {
        st.found.tree_exceeded = true;
        return Err(Box::new(TreeBudgetSpent));
    }
    Ok(())
}

/// What a start tag may make the parser re-create or clone of the formatting elements before
/// it and the text before it (see `formatting`), in tree nodes; its end tag is reported to the
/// model. `input` is the pass's whole input, if it has it.
fn formatting_cost(
    el: &mut Element<'_, '_, SendHandlerTypes>,
    name: &str,
    input: Option<&[u8]>,
    state: &Shared,
    st: &mut PassState,
) -> usize {
    let model = &mut st.scratch.formatting;
    let mut cost = model.text_before(el.source_location().bytes());
    cost = cost.saturating_add(model.settle(input));
    // Attributes as written, where the input has them (no copies): attributes alike as written
    // are alike to the parser; the other way round, the model only keeps more entries.
    let written = |at: Option<lol_html::html_content::SourceLocation>| input?.get(at?.bytes());
    // The parser keeps the first of attributes of the same name (`<b id=1 id=2>` is `id=1`):
    // the later ones must not make two elements look alike.
    let mut names: Vec<Cow<'_, [u8]>> = Vec::new();
    let attributes = el.attributes().iter().filter_map(move |a| {
        let name = written(a.name_source_location())
            .map_or_else(|| Cow::Owned(a.name().into_bytes()), Cow::Borrowed);
        if names.iter().any(|seen| seen.eq_ignore_ascii_case(&name)) {
            return None;
        }
        names.push(name.clone());
        let value = written(a.value_source_location())
            .map_or_else(|| Cow::Owned(a.value().into_bytes()), Cow::Borrowed);
        Some((name, value))
    });
    let (tag_cost, opened) = model.start_tag(name, attributes);
    if !el.can_have_content() {
        return cost.saturating_add(tag_cost);
    }
    // lol_html reads their content as raw text only in the HTML namespace (`<svg><style>` holds
    // markup, and text that the parser may re-create formatting elements before).
    let raw = is_raw_text(name) && el.namespace_uri() == HTML_NAMESPACE;
    if raw {
        model.enter_raw_text();
    }
    if opened.is_some() || raw {
        let name = name.to_owned();
        let inner = Arc::clone(state);
        // lol_html closes an element at its own end tag or at an ancestor's (`</p>` in
        // `<p><b>`); the parser's list tells them apart, so the model must too.
        let on_end = el.on_end_tag(Box::new(move |end| {
            let at = end.source_location().bytes();
            let mut st = lock(&inner);
            let model = &mut st.scratch.formatting;
            let mut cost = if raw {
                model.skip_to(at.end);
                0
            } else {
                model.text_before(at)
            };
            if let Some(opened) = opened {
                cost = cost.saturating_add(model.end_tag(opened, end.name() == name));
            }
            spend(&mut st, cost)
        }));
        debug_assert!(on_end.is_ok(), "it can have content");
    }
    cost.saturating_add(tag_cost)
}

const HTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// Elements whose content the parser reads as raw text or RCDATA, never reconstructing
/// formatting elements in it (and a `<noscript>`, whose content its own pass charges).
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
    )
}

/// Stops the rewriter when the tree budget is spent (the pass's findings say why).
#[derive(Debug)]
struct TreeBudgetSpent;

impl std::fmt::Display for TreeBudgetSpent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tree budget spent")
    }
}

impl std::error::Error for TreeBudgetSpent {}

/// One rewrite pass over one document: options in, a rewriter, findings out.
#[derive(Debug)]
pub(crate) struct Pass {
    state: Shared,
}

impl Pass {
    pub(crate) fn new(mut opts: PassOptions) -> Pass {
        let scratch = Scratch {
            short_links: std::mem::take(&mut opts.short_links),
            formatting: formatting::Formatting::within(opts.formatting_base),
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

    /// Builds a rewriter that runs every rewrite rule into `sink`. `input` is what will be
    /// written to it, if the caller has it whole: a pass with a tree budget needs it to count
    /// the text nodes it charges (without it, every byte of a gap counts as one, and the text
    /// after the last tag as unbounded).
    pub(crate) fn rewriter<'h, O: OutputSink>(
        &self,
        ctx: Context<'h>,
        input: Option<&'h [u8]>,
        sink: O,
    ) -> HtmlRewriter<'h, O, SendHandlerTypes> {
        rewriter(ctx, input, Arc::clone(&self.state), sink)
    }
}

/// Builds a rewriter that runs every rewrite rule into `sink`.
fn rewriter<'h, O: OutputSink>(
    ctx: Context<'h>,
    input: Option<&'h [u8]>,
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
            let mut st = lock(&state);
            // Every element is seen here once: its name is read once, if a rule needs it.
            let mut buffer = [0; NAME_BUFFER];
            let name = (kind == Kind::Any && (st.opts.cap_depth || st.opts.tree_budget.is_some()))
                .then(|| element_name(el, input, &mut buffer));
            if st.opts.tree_budget.is_some() {
                // Every start tag counts, removed or not: lol_html's own stack grows with it too.
                let mut cost = tree_cost(kind, el);
                if let Some(name) = &name {
                    cost += formatting_cost(el, name, input, &state, &mut st);
                }
                spend(&mut st, cost)?;
            }
            if el.removed() {
                return Ok(()); // another rule took it already
            }
            let outcome = on_element(kind, name.as_deref(), input, el, ctx, &mut st);
            drop(st);
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
            link::on_link_text(t, &mut lock(&state));
            Ok(())
        }
    };
    let on_noscript_text = {
        let state = Arc::clone(&state);
        move |t: &mut TextChunk<'_>| -> HandlerResult {
            let mut st = lock(&state);
            on_noscript_text(t, ctx, &mut st);
            if st.found.tree_exceeded {
                return Err(Box::new(TreeBudgetSpent));
            }
            Ok(())
        }
    };
    let on_share_text = {
        let state = Arc::clone(&state);
        move |t: &mut TextChunk<'_>| -> HandlerResult {
            share_text::on_share_text(t, ctx.rules, &mut lock(&state));
            Ok(())
        }
    };
    let counts_tree = lock(&state).opts.tree_budget.is_some();
    let on_end = {
        let state = Arc::clone(&state);
        move |_: &mut DocumentEnd<'_>| -> HandlerResult {
            // The text after the last tag the formatting model was told of.
            let mut st = lock(&state);
            // Without the input, its length is unknown: the rest may be any number of text
            // nodes (no pass with a budget goes without it).
            let len = input.map_or(usize::MAX, <[u8]>::len);
            let model = &mut st.scratch.formatting;
            model.end_raw_text_at(len); // raw text that no end tag closed
            let cost = model
                .text_before(len..len)
                .saturating_add(model.settle(input));
            spend(&mut st, cost)
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
    if counts_tree {
        settings = settings
            .append_document_content_handler(DocumentContentHandlers::default().end(on_end));
    }
    HtmlRewriter::new(settings, sink)
}

/// Element names up to this length are read into a buffer (see `element_name`).
const NAME_BUFFER: usize = 16;

/// An element's name, lowercased as lol_html's `tag_name` gives it: read from the input, if the
/// pass has it, into `buffer` (every name the rules know fits), else a copy from lol_html.
fn element_name<'b>(
    el: &Element<'_, '_, SendHandlerTypes>,
    input: Option<&[u8]>,
    buffer: &'b mut [u8; NAME_BUFFER],
) -> Cow<'b, str> {
    let start_tag = input.and_then(|input| input.get(el.source_location().bytes()));
    if let Some(written) = start_tag.and_then(|tag| tag.strip_prefix(b"<")) {
        let end = written
            .iter()
            .position(|b| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            .unwrap_or(written.len());
        let written = &written[..end];
        if written.len() <= NAME_BUFFER && written.is_ascii() {
            let name = &mut buffer[..written.len()];
            name.copy_from_slice(written);
            name.make_ascii_lowercase();
            if let Ok(name) = std::str::from_utf8(name) {
                debug_assert_eq!(name, el.tag_name(), "read as lol_html reads it");
                return Cow::Borrowed(name);
            }
        }
    }
    Cow::Owned(el.tag_name())
}

/// Handles one start tag for one rule.
fn on_element(
    kind: Kind,
    name: Option<&str>,
    input: Option<&[u8]>,
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
            let prefixes = &rules.promo_attribute_prefixes;
            let is_promo = el.attributes().iter().any(|a| {
                // The name as written in the input, if the pass has it: no copy to lowercase.
                match a
                    .name_source_location()
                    .and_then(|at| input?.get(at.bytes()))
                {
                    Some(written) => share::is_promo_name(written, prefixes),
                    None => share::is_promo_name(a.name().as_bytes(), prefixes),
                }
            });
            if is_promo {
                st.found.report.promos_removed += 1;
                el.remove();
                return Outcome::Removed;
            }
            if !st.opts.cap_depth
                || !el.can_have_content()
                || name.is_some_and(|name| NOT_COUNTED.contains(&name))
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
            if link::on_link(el, rules, st) {
                return Outcome::Removed;
            }
            st.found.urls_seen += 1;
            if st.scratch.link.is_some() && el.can_have_content() {
                // A rewritten link's text is the link handler's until its end tag.
                st.scratch.rewritten_link_depth += 1;
                return Outcome::Tracked;
            }
            Outcome::Kept
        }
        Kind::Image => media::on_image(el, rules, st),
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
        Kind::Embed => media::on_embed(el, ctx, st),
        Kind::Picture => {
            st.scratch.picture_depth += 1;
            Outcome::Tracked
        }
        Kind::Source => media::on_source(el, st),
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
        // Its elements are the document's too (8 MB of `<noscript>` full of `<div><span>`, not
        // counted, peaked at 43 times their size): they share its budget.
        tree_budget: st
            .opts
            .tree_budget
            .map(|budget| budget.saturating_sub(st.found.tree_nodes)),
        // Its content is parsed where it stands, after the document's formatting elements.
        formatting_base: st.scratch.formatting.entries_weight(),
        ..PassOptions::default()
    });
    let mut out = Vec::with_capacity(content.len());
    let mut rewriter = pass.rewriter(ctx, Some(content.as_bytes()), |chunk: &[u8]| {
        out.extend_from_slice(chunk)
    });
    let rewritten = rewriter
        .write(content.as_bytes())
        .and_then(|()| rewriter.end());
    let found = pass.take_findings();
    st.found.tree_nodes += found.tree_nodes;
    if found.tree_exceeded {
        st.found.tree_exceeded = true; // the document's pass stops too
        return String::new();
    }
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
