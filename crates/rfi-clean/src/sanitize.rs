//! The sanitize stage: ammonia, with its default allowlist plus what articles need.
//!
//! Policy (documented in the README): ammonia's defaults (no script, style, event handler,
//! form, iframe, object, svg or math; URLs only with safe schemes; comments stripped;
//! `rel="noopener noreferrer"` on links), plus `dir` on every element for right-to-left text,
//! `srcset` and `sizes` on `img`, and `datetime` on `time`. ammonia does not check the schemes
//! of `srcset` and `cite`, so this stage does: an absolute URL there must be http or https.

use std::borrow::Cow;

use crate::allowance::Allowances;
use crate::scheme::looks_scripted;

/// The ammonia builder for rfi-clean's policy, plus checked allowances. Built once per `Cleaner`.
pub(crate) fn builder(allowances: &Allowances) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["dir"])
        .add_tag_attributes("img", ["srcset", "sizes"])
        // Responsive images keep their candidates; the rewrite pass keeps `<source>` only in
        // a `<picture>` (a video's sources go with it).
        .add_tags(["picture", "source"])
        .add_tag_attributes("source", ["srcset", "sizes", "type", "media"])
        .add_tag_attributes("time", ["datetime"])
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(filter_attribute);
    builder.add_tags(allowances.tags.iter().copied());
    builder.add_generic_attributes(allowances.generic.iter().copied());
    for (tag, attributes) in &allowances.per_tag {
        builder.add_tag_attributes(*tag, attributes.iter().copied());
    }
    builder
}

/// Attributes whose values are URLs, as ammonia and browsers read them.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "poster",
    "data",
    "ping",
];

fn filter_attribute<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        "srcset" => srcset_urls(value)
            .all(|url| is_web_or_relative(url) && !looks_scripted(url))
            .then_some(Cow::Borrowed(value)),
        "cite" => {
            (is_web_or_relative(value) && !looks_scripted(value)).then_some(Cow::Borrowed(value))
        }
        _ if URL_ATTRIBUTES.contains(&attribute) && looks_scripted(value) => None,
        _ => Some(Cow::Borrowed(value)),
    }
}

/// An absolute URL with an http(s) scheme, or a URL with no scheme at all (as a browser parses it).
fn is_web_or_relative(value: &str) -> bool {
    // Most values answer without the parser (1.4% of a clean's instructions went to parsing
    // `srcset` URLs): with no `:` there is no scheme; `http(s)://` and a plain host parse
    // whatever follows (the path, query and fragment parsers never fail).
    if !value.contains(':') {
        return true;
    }
    let authority = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    if let Some(after) = authority {
        let end = after
            .bytes()
            .position(|b| matches!(b, b'/' | b'\\' | b'?' | b'#'))
            .unwrap_or(after.len());
        if crate::links::is_plain_host(&after[..end]) {
            return true;
        }
    }
    parse_is_web_or_relative(value)
}

/// [`is_web_or_relative`], always through the parser.
fn parse_is_web_or_relative(value: &str) -> bool {
    match url::Url::parse(value) {
        Ok(url) => matches!(url.scheme(), "http" | "https"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// The URLs of a `srcset` value, split as the HTML standard's srcset parser does: a candidate's
/// URL runs to the next whitespace, and commas at its end separate candidates.
pub(crate) fn srcset_urls(value: &str) -> impl Iterator<Item = &str> {
    let mut rest = value;
    std::iter::from_fn(move || {
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
            if rest.is_empty() {
                return None;
            }
            let end = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(',');
            let url_ended_with_comma = url.len() < end;
            rest = &rest[end..];
            if !url_ended_with_comma {
                // Skip descriptors up to the next comma.
                rest = rest.find(',').map_or("", |i| &rest[i + 1..]);
            }
            if !url.is_empty() {
                return Some(url);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_web_or_relative_agrees_with_the_parser() {
        let starts = [
            "https://",
            "http://",
            "HTTPS://",
            "ftp://",
            "javascript:",
            "",
            "//",
            "/",
        ];
        let hosts = [
            "example.com",
            "s.rfi.fr",
            "Example.com",
            "a..b",
            "u@h.com",
            "h.com:8080",
            "h.com:x",
            "[::1]",
            "[x",
            "1.2.3",
            "999.1.1.1",
            "0x7f.1",
            "xn--a.com",
            "é.com",
            "a%2Fb.com",
            "",
            "a b.com",
            "a\\b.com",
        ];
        let tails = ["", "/", "/a b", "\\x", "?q=1", "#f", ":", "/a:b", " 2x"];
        for start in starts {
            for host in hosts {
                for tail in tails {
                    let value = format!("{start}{host}{tail}");
                    assert_eq!(
                        is_web_or_relative(&value),
                        parse_is_web_or_relative(&value),
                        "{value:?}"
                    );
                }
            }
        }
    }
    use crate::allowance::{
        SAFE_EXTRA_ATTRIBUTES, SAFE_EXTRA_TAGS, SanitizerRules, extra_allowances,
    };

    #[test]
    fn the_builder_does_not_panic() {
        // ammonia panics at clean time on contradictory settings: catch them here.
        let none = extra_allowances(&SanitizerRules::default()).expect("no allowances");
        assert_eq!(builder(&none).clean("").to_string(), "");
        // Every safe allowance at once must not trip ammonia's configuration panics either.
        let all = SanitizerRules {
            add_tags: SAFE_EXTRA_TAGS.iter().map(|t| t.to_string()).collect(),
            add_generic_attributes: SAFE_EXTRA_ATTRIBUTES
                .iter()
                .map(|a| a.to_string())
                .collect(),
            add_tag_attributes: [("img".to_owned(), vec!["loading".to_owned()])].into(),
        };
        let all = extra_allowances(&all).expect("safe allowances");
        assert_eq!(
            builder(&all)
                .clean("<video src=\"javascript:x\" class=\"c\">v</video>")
                .to_string(),
            "<video class=\"c\">v</video>"
        );
    }

    #[test]
    fn unsafe_allowances_are_refused() {
        for rules in [
            SanitizerRules {
                add_tags: vec!["script".into()],
                ..Default::default()
            },
            SanitizerRules {
                add_generic_attributes: vec!["onclick".into()],
                ..Default::default()
            },
            SanitizerRules {
                add_generic_attributes: vec!["style".into()],
                ..Default::default()
            },
            SanitizerRules {
                add_tag_attributes: [("iframe".to_owned(), vec!["src".to_owned()])].into(),
                ..Default::default()
            },
        ] {
            let err = extra_allowances(&rules).expect_err("refused");
            assert!(err.to_string().contains("can safely allow"), "{err}");
        }
    }

    #[test]
    fn script_schemes_behind_unicode_spaces_are_dropped() {
        let b = builder(&extra_allowances(&SanitizerRules::default()).expect("none"));
        for href in [
            "\u{2028}javascript:alert(1)",
            "\u{3000}JavaScript:x",
            "\u{200B}vbscript:x",
            "java\u{2029}script:x",
        ] {
            let out = b.clean(&format!("<a href=\"{href}\">x</a>")).to_string();
            assert_eq!(out, "<a rel=\"noopener noreferrer\">x</a>", "{href:?}");
        }
        let out = b.clean("<a href=\"/javascript-guide\">x</a>").to_string();
        assert_eq!(
            out,
            "<a href=\"/javascript-guide\" rel=\"noopener noreferrer\">x</a>"
        );
    }

    #[test]
    fn srcset_splitting() {
        let urls: Vec<&str> = srcset_urls("a.jpg 1x, https://x/b,c.jpg 2x,d.jpg").collect();
        assert_eq!(urls, ["a.jpg", "https://x/b,c.jpg", "d.jpg"]);
        // A comma inside a URL is part of it; only trailing commas separate.
        let urls: Vec<&str> = srcset_urls(" a.jpg,b.jpg 100w , ,c.jpg").collect();
        assert_eq!(urls, ["a.jpg,b.jpg", "c.jpg"]);
    }

    #[test]
    fn unsafe_schemes_in_srcset_and_cite_are_dropped() {
        let b = builder(&extra_allowances(&SanitizerRules::default()).expect("none"));
        let out = b
            .clean(r#"<img src="a.jpg" srcset="a.jpg 1x, javascript:alert(1) 2x"><blockquote cite="javascript:x">q</blockquote>"#)
            .to_string();
        assert_eq!(out, r#"<img src="a.jpg"><blockquote>q</blockquote>"#);
        let out = b
            .clean(r#"<img srcset="https://s.rfi.fr/a.jpg 320w, /b.jpg 640w"><q cite="https://a.com/">q</q>"#)
            .to_string();
        assert_eq!(
            out,
            r#"<img srcset="https://s.rfi.fr/a.jpg 320w, /b.jpg 640w"><q cite="https://a.com/">q</q>"#
        );
    }
}
