//! Images, picture sources and embeds: lazy URLs promoted, trackers in `<noscript>` dropped,
//! duplicates of the image before a `<noscript>` dropped, players turned into links.

use lol_html::html_content::{ContentType, Element};
use lol_html::send::SendHandlerTypes;

use super::state::{Context, Outcome, PassState, attributes, set_attribute};
use crate::embed::{self, EmbedMode};
use crate::rules::CompiledRules;
use crate::{lazy, links, noscript};

/// Handles an `<img>`: lazy promotion, trackers and duplicates in `<noscript>`, link rules.
pub(super) fn on_image(
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
pub(super) fn on_embed(
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

/// Handles a `<source>`: in a `<picture>`, a lazy `srcset` is promoted and a placeholder one
/// goes; elsewhere (a video's or audio's, which the sanitizer drops) the element goes.
pub(super) fn on_source(el: &mut Element<'_, '_, SendHandlerTypes>, st: &mut PassState) -> Outcome {
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
