//! Links: share links go (learning short-link pairings on the way), others are unwrapped,
//! stripped and decoded; a link whose text spells its old URL shows the new one.

use lol_html::html_content::{ContentType, Element, TextChunk};
use lol_html::send::SendHandlerTypes;

use url::Url;

use super::state::{PassState, set_attribute};
use crate::links;
use crate::rules::CompiledRules;
use crate::shortlink::share_pairing;

/// A link's text is compared with its old URL only up to this length.
const MAX_LINK_TEXT: usize = 4096;

/// Handles an `<a>`. Returns whether it was removed (a share link).
pub(super) fn on_link(
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
    if let Some(change) = links::rewrite_plain(raw, rules) {
        // No share link, nothing to unwrap: stripped and decoded on the text.
        apply(el, raw, &change, st);
        return false;
    }
    if links::is_untouched(raw, st.links_base(), rules) {
        return false; // no share link, nothing to rewrite or count
    }
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
    }
    apply(el, raw, &change, st);
    false
}

/// Writes a link's change, if it has one, and counts it.
fn apply(
    el: &mut Element<'_, '_, SendHandlerTypes>,
    raw: &str,
    change: &links::LinkChange,
    st: &mut PassState,
) {
    if let Some(new) = &change.url {
        set_attribute(el, "href", new);
        st.scratch.link = Some((raw.to_owned(), new.clone()));
    }
    st.found.report.count_link(change);
}

/// A text node inside a rewritten link: if it spells the old URL, it shows the new one.
/// The node is held back (up to `MAX_LINK_TEXT`) until its last chunk decides.
pub(super) fn on_link_text(t: &mut TextChunk<'_>, st: &mut PassState) {
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
