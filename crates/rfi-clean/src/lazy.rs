//! Lazy-loaded images: the real URL of an image that a script would have swapped in
//! (`data-src`, `data-lazy-src`, `data-original`, `data-srcset`…) becomes its `src` or `srcset`,
//! and a placeholder `src` (a `data:` URI, a blank or spacer file, a 1×1 image) is no image.
//!
//! Pure functions over an element's attributes (entities undone); the rewrite pass applies them
//! to every `<img>` and `<source>` before the link rules run on the result.

/// Attributes that hold the real `src`, most specific first. Any other `data-*-src` follows.
const SRC_ATTRIBUTES: &[&str] = &[
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-original-src",
    "data-echo",
    "data-img-src",
    "data-image-src",
    "data-lazyload",
    "lazy-src",
];

/// Attributes that hold the real `srcset`. Any other `data-*-srcset` follows.
const SRCSET_ATTRIBUTES: &[&str] = &["data-srcset", "data-lazy-srcset", "data-original-set"];

/// File names of placeholder images (`blank.gif`, `spacer.png`, `image-lazy.png`, `1x1.gif`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "blank",
    "spacer",
    "pixel",
    "transparent",
    "placeholder",
    "lazy",
    "loading",
    "empty",
    "dummy",
    "1x1",
];

/// What to change on one image.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Promotion {
    /// The new `src`, if it changes.
    pub(crate) src: Option<String>,
    /// The new `srcset`, if it changes.
    pub(crate) srcset: Option<String>,
    /// The image has no real URL at all (only a placeholder, or nothing).
    pub(crate) no_image: bool,
}

/// Is this value a usable image URL (not empty, not a `data:` or script URI)?
fn is_usable(value: &str) -> bool {
    // `looks_scripted` covers `data:` and `javascript:`, padded or split by invisible characters.
    !value.trim().is_empty() && !crate::scheme::looks_scripted(value)
}

/// Is this `src` a placeholder that a lazy loader replaces?
pub(crate) fn is_placeholder(src: &str) -> bool {
    let src = src.trim();
    if src.is_empty()
        || src
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("data:"))
    {
        return true;
    }
    let path = src.split(['?', '#']).next().unwrap_or(src);
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let (stem, extension) = file.rsplit_once('.').unwrap_or((&file, ""));
    // Whole words only: `logo-311x113.png` is no `1x1`, `blanket.jpg` no `blank`.
    matches!(extension, "gif" | "png" | "svg" | "jpg" | "jpeg" | "webp")
        && stem
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| PLACEHOLDER_WORDS.contains(&word))
}

/// Is the element declared 0 or 1 pixel wide or high (a tracking pixel or a spacer)?
pub(crate) fn is_tiny(attributes: &[(String, String)]) -> bool {
    attributes.iter().any(|(name, value)| {
        (name == "width" || name == "height")
            && matches!(value.trim().trim_end_matches("px"), "0" | "1")
    })
}

/// Is the element hidden by its own attributes (`hidden`, `display:none`, `visibility:hidden`,
/// pushed off screen)?
pub(crate) fn is_hidden(attributes: &[(String, String)]) -> bool {
    attributes.iter().any(|(name, value)| match name.as_str() {
        "hidden" => true,
        "style" => {
            let style: String = value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            style.contains("display:none")
                || style.contains("visibility:hidden")
                || style.contains("left:-9999px")
        }
        _ => false,
    })
}

/// The value of the first attribute named in `names`, then of any `data-*<suffix>`, that
/// `usable` accepts.
fn lazy_value<'a>(
    attributes: &'a [(String, String)],
    names: &[&str],
    suffix: &str,
    usable: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    let get = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    names
        .iter()
        .filter_map(|n| get(n))
        .find(|v| usable(v))
        .or_else(|| {
            attributes
                .iter()
                .filter(|(n, _)| n.starts_with("data-") && n.ends_with(suffix))
                .map(|(_, v)| v.as_str())
                .find(|v| usable(v))
        })
}

/// Does every candidate of this `srcset` name a usable URL?
fn is_usable_srcset(value: &str) -> bool {
    let mut candidates = crate::sanitize::srcset_urls(value).peekable();
    candidates.peek().is_some() && candidates.all(is_usable)
}

/// What to change on an image with these attributes (names lowercase, values unescaped).
pub(crate) fn promote(attributes: &[(String, String)]) -> Promotion {
    let get = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let mut promotion = Promotion::default();
    let src = get("src");
    // A lazy loader always swaps its attribute in: it wins over whatever `src` holds.
    match lazy_value(attributes, SRC_ATTRIBUTES, "-src", is_usable) {
        Some(lazy) if src != Some(lazy) => promotion.src = Some(lazy.trim().to_owned()),
        _ => {}
    }
    let srcset = get("srcset");
    match lazy_value(attributes, SRCSET_ATTRIBUTES, "-srcset", is_usable_srcset) {
        Some(lazy) if srcset != Some(lazy) => promotion.srcset = Some(lazy.trim().to_owned()),
        _ => {}
    }
    let real_src =
        promotion.src.is_some() || src.is_some_and(|s| is_usable(s) && !is_placeholder(s));
    let real_srcset = promotion.srcset.is_some() || srcset.is_some_and(is_usable_srcset);
    promotion.no_image = !real_src && !real_srcset;
    promotion
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders() {
        for src in [
            "",
            "data:image/gif;base64,R0lGODlhAQABAIAAAA==",
            "DATA:image/png;base64,x",
            "http://s1.example.com/img/image-lazy.png",
            "/static/blank.gif",
            "spacer.png?v=2",
            "/i/1x1.gif",
        ] {
            assert!(is_placeholder(src), "{src:?}");
        }
        for src in [
            "https://example.com/photo.jpg",
            "/media/blanket-fort.jpg?w=680",
            "http://s1.example.com/img/logo-liberation-311x113.png",
            "https://example.com/loading-dock/2024.jpg",
            "https://example.com/lazy-river.html",
        ] {
            assert!(!is_placeholder(src), "{src:?}");
        }
    }

    #[test]
    fn promotions() {
        let cases: &[(&[(&str, &str)], Promotion)] = &[
            // data-src and no src: the article's only photo.
            (
                &[("data-src", "https://e.com/a.jpg?w=680"), ("alt", "x")],
                Promotion {
                    src: Some("https://e.com/a.jpg?w=680".into()),
                    ..Promotion::default()
                },
            ),
            // A data: placeholder with the real URL under a site's own name.
            (
                &[
                    ("src", "data:image/gif;base64,R0lGODlhEAAJ"),
                    ("data-lazyimage-src", "https://e.com/b.jpg"),
                ],
                Promotion {
                    src: Some("https://e.com/b.jpg".into()),
                    ..Promotion::default()
                },
            ),
            // A placeholder file and data-src: the loader's URL wins.
            (
                &[
                    ("src", "http://s.e.com/img/image-lazy.png"),
                    ("data-src", "http://s.e.com/photo.jpg"),
                ],
                Promotion {
                    src: Some("http://s.e.com/photo.jpg".into()),
                    ..Promotion::default()
                },
            ),
            // srcset from data-srcset.
            (
                &[
                    ("src", "data:image/gif;base64,R0l"),
                    ("data-srcset", "a.jpg 1x, b.jpg 2x"),
                ],
                Promotion {
                    srcset: Some("a.jpg 1x, b.jpg 2x".into()),
                    ..Promotion::default()
                },
            ),
            // A real image stays as it is.
            (&[("src", "https://e.com/c.jpg")], Promotion::default()),
            // Only a placeholder: no image.
            (
                &[("src", "data:image/png;base64,iVBOR")],
                Promotion {
                    no_image: true,
                    ..Promotion::default()
                },
            ),
            // A data-src that is itself a data: URI or a script is no URL.
            (
                &[("data-src", "data:image/gif;base64,x"), ("src", "")],
                Promotion {
                    no_image: true,
                    ..Promotion::default()
                },
            ),
            (
                &[("data-src", " javascript:alert(1)")],
                Promotion {
                    no_image: true,
                    ..Promotion::default()
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(&promote(&attrs(input)), expected, "{input:?}");
        }
    }

    #[test]
    fn tiny_and_hidden() {
        assert!(is_tiny(&attrs(&[("width", "1"), ("height", "1")])));
        assert!(is_tiny(&attrs(&[("height", "0px")])));
        assert!(!is_tiny(&attrs(&[("width", "10")])));
        assert!(is_hidden(&attrs(&[("style", "display: none")])));
        assert!(is_hidden(&attrs(&[(
            "style",
            "position:absolute; left:-9999px;"
        )])));
        assert!(is_hidden(&attrs(&[("hidden", "")])));
        assert!(!is_hidden(&attrs(&[("style", "border:0")])));
    }
}
