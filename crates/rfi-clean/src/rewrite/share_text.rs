//! Share UI that is text: in a share container or a button, a text that is only a share label
//! or a network name goes.

use lol_html::html_content::{ContentType, TextChunk};

use super::state::PassState;
use crate::rules::CompiledRules;
use crate::share;

/// Share labels are short: a text node longer than this is let through as it comes.
const MAX_LABEL_TEXT: usize = 96;
/// Whitespace included, a held text node is let through past this length.
const MAX_TEXT_HELD: usize = 4096;

/// A text node in a share container or a button: if its whole text is a share label
/// (`Partager`, `分享到:`, `Copier le lien`), or a network name in a share container
/// (`Facebook`, `카카오`), it goes. Prose never matches a whole-text label.
pub(super) fn on_share_text(t: &mut TextChunk<'_>, rules: &CompiledRules, st: &mut PassState) {
    let in_share = st.scratch.share_depth > 0;
    if t.removed() || st.scratch.noscript.is_some() || st.scratch.rewritten_link_depth > 0 {
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
