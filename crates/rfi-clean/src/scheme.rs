//! Which URLs are web URLs, which are safe redirect targets, and which values look like script
//! (the one place these tests live: the link rules, the sanitizer and the output share them).

use url::Url;

/// Is this an http(s) URL? The only URLs the link rules rewrite.
pub(crate) fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// Is `text` an absolute http(s) URL?
pub(crate) fn is_web_str(text: &str) -> bool {
    Url::parse(text).is_ok_and(|u| is_web(&u))
}

/// A URL as an embed or tracker rule reads it (entities undone): absolute, or scheme-relative
/// (`//host/…`, taken as https, as on an https page).
pub(crate) fn parse_absolute_or_scheme_relative(raw: &str) -> Option<Url> {
    let raw = raw.trim();
    match raw.strip_prefix("//") {
        Some(rest) => Url::parse(&format!("https://{rest}")),
        None => Url::parse(raw),
    }
    .ok()
}

/// U3: a redirect target is followed only if it is an absolute http(s) URL with a host and no
/// userinfo.
pub(crate) fn is_safe_target(url: &Url) -> bool {
    is_web(url) && url.has_host() && url.username().is_empty() && url.password().is_none()
}

/// Would a lenient reader (an old browser, a feed reader) see a script scheme once every Unicode
/// space, control and invisible character is removed? `\u{2028}javascript:` is a relative URL to
/// the WHATWG parser (and so passes ammonia), but nothing is lost by dropping it (DOMPurify does).
pub(crate) fn looks_scripted(value: &str) -> bool {
    let mut scheme = String::new();
    for c in value.chars() {
        if c.is_whitespace()
            || c.is_control()
            || matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF)
        {
            continue;
        }
        if c == ':' {
            break;
        }
        if scheme.len() > 10 || !c.is_ascii_alphanumeric() {
            return false;
        }
        scheme.push(c.to_ascii_lowercase());
    }
    matches!(
        scheme.as_str(),
        "javascript" | "vbscript" | "data" | "file" | "livescript"
    )
}
