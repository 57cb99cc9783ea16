//! `<noscript>` content: what a browser without script shows, read as markup (never as text),
//! minus what is only there for tracking (pixels, tag-manager frames) or to ask for script.

use crate::rules::CompiledRules;
use crate::scheme::parse_absolute_or_scheme_relative;

/// A `<noscript>` holds fallback content: past this size, it is dropped rather than held.
pub(crate) const MAX_CONTENT: usize = 1 << 20;

/// Does this URL (entities undone; scheme-relative counts as https) point at a tracker?
pub(crate) fn is_tracker_url(raw: &str, rules: &CompiledRules) -> bool {
    parse_absolute_or_scheme_relative(raw)
        .is_some_and(|url| rules.trackers.iter().any(|t| t.matches(&url)))
}

/// Is this (sanitized) content a notice that the page needs script ("Please enable
/// JavaScript", "Du trenger javascript", "JavaScriptを有効に")? The word is the same in every
/// language the pages use.
pub(crate) fn is_script_notice(html: &str) -> bool {
    let lower = html.to_lowercase();
    lower.contains("javascript") && !lower.contains("<img") && !lower.contains("<a ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    #[test]
    fn trackers() {
        let rules = CompiledRules::new(&Rules::default()).expect("compiles");
        for url in [
            "https://www.googletagmanager.com/ns.html?id=GTM-ABC",
            "//www.googletagmanager.com/ns.html?id=GTM-ABC",
            "https://www.facebook.com/tr?id=1&ev=PageView&noscript=1",
            "https://sb.scorecardresearch.com/p?c1=2&c2=1",
            "https://logs1242.xiti.com/hit.xiti?s=1",
            "https://mc.yandex.ru/watch/153166",
        ] {
            assert!(is_tracker_url(url, &rules), "{url}");
        }
        for url in [
            "https://www.facebook.com/page",
            "https://example.com/photo.jpg",
            "/relative.png",
        ] {
            assert!(!is_tracker_url(url, &rules), "{url}");
        }
    }

    #[test]
    fn notices() {
        assert!(is_script_notice(
            "Please enable JavaScript to view the comments."
        ));
        assert!(is_script_notice(
            "<span>Du trenger javascript for å se video.</span>"
        ));
        assert!(!is_script_notice(
            r#"<img src="https://e.com/a.jpg" alt="JavaScript logo">"#
        ));
        assert!(!is_script_notice("<p>Un texte.</p>"));
    }
}
