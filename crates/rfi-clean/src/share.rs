//! Share and self-promotion widgets: which elements are widgets, and which texts are the labels
//! that head a share bar. The rewrite pass removes widgets; the normalize stage removes labels
//! that their widgets left alone. Prose that merely mentions sharing (`他分享了…`) is never a label.

/// Does one of these attribute names start with a promotion prefix (lowercased)?
pub(crate) fn is_promo(
    mut attribute_names: impl Iterator<Item = String>,
    prefixes: &[String],
) -> bool {
    attribute_names.any(|name| {
        prefixes.iter().any(|p| {
            name.len() >= p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        })
    })
}

/// A label in comparable form: trimmed (Unicode whitespace), without a trailing `:` or `：`,
/// lowercased. `"Partager\u{a0}:"` and `"partager"` compare equal.
pub(crate) fn normalize_label(text: &str) -> String {
    let text = text.trim();
    let text = text
        .strip_suffix(':')
        .or_else(|| text.strip_suffix('：'))
        .unwrap_or(text);
    text.trim().to_lowercase()
}

/// Is this whole text one of the share labels?
pub(crate) fn is_share_label(text: &str, labels: &[String]) -> bool {
    // Labels are short: skip the allocation for ordinary paragraphs.
    if text.len() > 64 {
        return false;
    }
    let normalized = normalize_label(text);
    !normalized.is_empty() && labels.contains(&normalized)
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
            ":",
            "",
        ] {
            assert!(!is_share_label(text, &labels), "{text:?}");
        }
    }

    #[test]
    fn promos() {
        let names = |n: &[&str]| {
            n.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        let prefixes = ["data-selfpromo".to_owned()];
        assert!(is_promo(names(&["data-selfpromo-newsletter"]), &prefixes));
        assert!(is_promo(names(&["class", "data-selfpromo-app"]), &prefixes));
        assert!(!is_promo(names(&["class", "data-share"]), &prefixes));
        assert!(!is_promo(names(&[]), &prefixes));
    }
}
