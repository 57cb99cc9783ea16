//! Share and self-promotion widgets: which elements are widgets, and which texts are the labels
//! that head a share bar. The rewrite pass removes widgets; the normalize stage removes labels
//! that their widgets left alone. Prose that merely mentions sharing (`他分享了…`) is never a label.

/// Does this attribute name (as written, in any case) start with a promotion prefix
/// (lowercased)?
pub(crate) fn is_promo_name(name: &[u8], prefixes: &[String]) -> bool {
    prefixes
        .iter()
        .any(|p| name.len() >= p.len() && name[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Words in a class or id, or in a `data-*` attribute's name, that mark share UI.
const SHARE_TOKENS: &[&str] = &[
    "share", "sharing", "social", "sns", "addthis", "addtoany", "shariff",
];

/// Does a control (a `<button>`) say by its attributes that it shares the page: a class, id or
/// `data-*` name with a share token (`btn-share`, `data-social`), or an `aria-label` or `title`
/// that is a share label (`Partager`, `공유`)?
pub(crate) fn is_share_control(attributes: &[(String, String)], labels: &[String]) -> bool {
    let has_token = has_share_token;
    attributes.iter().any(|(name, value)| match name.as_str() {
        "class" | "id" => has_token(value),
        "aria-label" | "title" => is_share_label(value, labels),
        _ => name.starts_with("data-") && has_token(&name[5..]),
    })
}

/// Does a class, id or attribute name hold a share word (`btn-share`, `meta__social`,
/// `shareBtn`, `btn-sns`), as a whole word?
pub(crate) fn has_share_token(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(split_camel)
        .any(|word| SHARE_TOKENS.iter().any(|t| word.eq_ignore_ascii_case(t)))
}

/// `shareButton` → `share`, `Button`.
fn split_camel(word: &str) -> impl Iterator<Item = &str> {
    let mut bounds = vec![0];
    let bytes = word.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase() {
            bounds.push(i);
        }
    }
    bounds.push(word.len());
    (0..bounds.len() - 1).map(move |i| &word[bounds[i]..bounds[i + 1]])
}

/// A label in comparable form: trimmed (Unicode whitespace), without a trailing `:` or `：`,
/// lowercased. `"Partager\u{a0}:"` and `"partager"` compare equal.
pub(crate) fn normalize_label(text: &str) -> String {
    strip_colon(text.trim()).to_lowercase()
}

/// A trimmed text without its trailing `:` or `：`, trimmed again.
fn strip_colon(text: &str) -> &str {
    text.strip_suffix(':')
        .or_else(|| text.strip_suffix('：'))
        .unwrap_or(text)
        .trim()
}

/// Is this whole text one of the share labels?
pub(crate) fn is_share_label(text: &str, labels: &[String]) -> bool {
    // Labels are short: skip the allocation for ordinary paragraphs (after the page's
    // indentation around them, found on a real page).
    let text = text.trim();
    if text.len() > 64 {
        return false;
    }
    let text = strip_colon(text);
    if text.is_empty() {
        return false;
    }
    // ASCII lowercases byte by byte, so it is compared without allocating its lowercase form
    // (most short texts the normalize stage asks about are link texts, not labels).
    if text.is_ascii() {
        return labels.iter().any(|label| {
            label.len() == text.len()
                && label
                    .bytes()
                    .zip(text.bytes())
                    .all(|(l, t)| l == t.to_ascii_lowercase())
        });
    }
    labels.contains(&text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["分享", "Partager", "Chia sẻ", "همرسانی"]
            .iter()
            .map(|l| normalize_label(l))
            .collect()
    }

    #[test]
    fn labels_match_in_their_written_forms() {
        let labels = labels();
        for text in [
            "分享 :",
            "分享：",
            "分享",
            " Partager\u{a0}: ",
            "partager:",
            "PARTAGER :",
            "Chia sẻ :",
            "همرسانی :",
        ] {
            assert!(is_share_label(text, &labels), "{text:?}");
        }
    }

    #[test]
    fn prose_is_not_a_label() {
        let labels = labels();
        for text in [
            "他分享了这篇文章",
            "Partager : la suite",
            "Partagez",
            "Partageo",
            ":",
            "",
        ] {
            assert!(!is_share_label(text, &labels), "{text:?}");
        }
    }

    #[test]
    fn share_controls() {
        let labels = labels();
        let attrs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        for yes in [
            attrs(&[("class", "btn-share open-tip")]),
            attrs(&[("class", "innerlink icon-toolbox-share")]),
            attrs(&[("aria-label", "Partager"), ("type", "button")]),
            attrs(&[("class", "js-social"), ("data-social", "twitter")]),
            attrs(&[("id", "shareButton")]),
        ] {
            assert!(is_share_control(&yes, &labels), "{yes:?}");
        }
        for no in [
            attrs(&[("id", "pea_cook_btn"), ("class", "pea_cook_btn")]),
            attrs(&[("data-toggle", "collapse")]),
            attrs(&[("class", "shared-memories")]),
            attrs(&[("aria-label", "Partager : la suite")]),
        ] {
            assert!(!is_share_control(&no, &labels), "{no:?}");
        }
    }

    #[test]
    fn promos() {
        let prefixes = ["data-selfpromo".to_owned()];
        for name in [
            "data-selfpromo-newsletter",
            "DATA-SelfPromo-app",
            "data-selfpromo",
        ] {
            assert!(is_promo_name(name.as_bytes(), &prefixes), "{name}");
        }
        for name in [
            "class",
            "data-share",
            "data-selfprom",
            "x-data-selfpromo",
            "",
        ] {
            assert!(!is_promo_name(name.as_bytes(), &prefixes), "{name}");
        }
    }
}
