//! What a rules file may add to the sanitizer's policy: safe lists of elements and attributes,
//! and their check. Nothing here can let script in: only names on the safe lists are accepted.

use serde::{Deserialize, Serialize};

use crate::Error;

/// Allowances added to the sanitizer's policy. Only names from [`SAFE_EXTRA_TAGS`] and
/// [`SAFE_EXTRA_ATTRIBUTES`] are accepted: nothing here can let script in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SanitizerRules {
    /// Extra elements to keep.
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// Extra attributes to keep on every element.
    #[serde(default)]
    pub add_generic_attributes: Vec<String>,
    /// Extra attributes to keep, per element.
    #[serde(default)]
    pub add_tag_attributes: std::collections::BTreeMap<String, Vec<String>>,
}

/// Elements a rules file may add to the sanitizer's allowlist.
pub const SAFE_EXTRA_TAGS: &[&str] = &[
    "address", "audio", "main", "picture", "section", "source", "track", "video",
];

/// Attributes a rules file may add to the sanitizer's allowlist. URL-valued ones (`src`,
/// `poster`, `srcset`, `cite`) are still checked for their scheme.
pub const SAFE_EXTRA_ATTRIBUTES: &[&str] = &[
    "alt", "cite", "class", "colspan", "controls", "datetime", "decoding", "height", "kind",
    "label", "loading", "media", "poster", "preload", "reversed", "rowspan", "sizes", "span",
    "src", "srclang", "srcset", "start", "type", "width",
];

/// The `'static` name in `allowed` equal to `name`, or an error naming what is allowed.
pub(crate) fn safe_name(
    name: &str,
    allowed: &'static [&'static str],
    what: &str,
) -> Result<&'static str, Error> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| Error::InvalidRule {
            rule: name.to_owned(),
            reason: format!(
                "not a {what} the sanitizer can safely allow (allowed: {})",
                allowed.join(", ")
            ),
        })
}

/// A rules file's sanitizer allowances, checked against the safe lists.
#[derive(Debug, Clone)]
pub(crate) struct Allowances {
    pub(crate) tags: Vec<&'static str>,
    pub(crate) generic: Vec<&'static str>,
    pub(crate) per_tag: Vec<(&'static str, Vec<&'static str>)>,
}

/// Checks allowances: every name must be on a safe list.
pub(crate) fn extra_allowances(rules: &SanitizerRules) -> Result<Allowances, Error> {
    let attributes = |names: &[String]| -> Result<Vec<&'static str>, Error> {
        names
            .iter()
            .map(|n| safe_name(n, SAFE_EXTRA_ATTRIBUTES, "attribute"))
            .collect()
    };
    // Attributes may go on an extra tag or on one ammonia allows already.
    let any_tag = |tag: &str| {
        safe_name(tag, AMMONIA_DEFAULT_TAGS, "tag")
            .or_else(|_| safe_name(tag, SAFE_EXTRA_TAGS, "tag"))
    };
    Ok(Allowances {
        tags: rules
            .add_tags
            .iter()
            .map(|t| safe_name(t, SAFE_EXTRA_TAGS, "tag"))
            .collect::<Result<_, _>>()?,
        generic: attributes(&rules.add_generic_attributes)?,
        per_tag: rules
            .add_tag_attributes
            .iter()
            .map(|(tag, names)| Ok((any_tag(tag)?, attributes(names)?)))
            .collect::<Result<_, Error>>()?,
    })
}

/// The tags ammonia allows by default (attributes may be added to these too).
pub(crate) const AMMONIA_DEFAULT_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];
