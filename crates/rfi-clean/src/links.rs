//! Link handling: pure functions from one URL to its clean form.
//!
//! Per URL, in order (shared/research/link-rules.md, section 0): parse with the WHATWG parser,
//! unwrap short links and redirectors (section 2, rules U1–U6), strip tracking parameters
//! (section 3), then write the display form, with percent-escapes decoded where a browser would
//! decode them (section 1, rules D1–D9). Relative URLs and other schemes are left untouched.
//! Nothing here sees HTML: callers undo entities before and escape after.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use url::Url;

use crate::display::{decode_component, display};
use crate::endpoint::is_same_or_subdomain;
use crate::rules::{CompiledRules, CompiledShare, TargetIn};
use crate::scheme::{is_safe_target, is_web};
use crate::shortlink::{ShortLinks, short_code};

/// Redirect hops followed at most (U4). A longer chain is not unwrapped at all: stopping half
/// way would leave a redirector that the next clean unwraps further (not idempotent).
const MAX_HOPS: usize = 16;

/// What happened to one URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LinkChange {
    /// The new URL, if it differs from the input.
    pub(crate) url: Option<String>,
    pub(crate) decoded: bool,
    pub(crate) unwrapped: usize,
    pub(crate) short_links_resolved: usize,
    pub(crate) params_stripped: usize,
    /// A redirector whose target was refused (not http(s), userinfo…).
    pub(crate) refused_unwrap: bool,
    /// The short codes looked up, and what the table gave for each.
    pub(crate) short_lookups: Vec<(String, Option<String>)>,
}

/// Cleans one URL: unwrap, strip, decode for display.
///
/// `raw` has had its HTML entities undone. Returns what changed; `url: None` means keep `raw`.
pub(crate) fn rewrite(
    raw: &str,
    base: Base<'_>,
    rules: &CompiledRules,
    short_links: &ShortLinks,
) -> LinkChange {
    let trimmed = trim_url(raw);
    if let Some(change) = rewrite_plain(trimmed, rules) {
        return change;
    }
    if is_untouched(trimmed, base, rules) {
        return LinkChange::default();
    }
    rewrite_by_parsing(raw, base, rules, short_links)
}

/// As [`rewrite`], always through the parser: what [`rewrite_plain`] and [`is_untouched`] must
/// agree with.
fn rewrite_by_parsing(
    raw: &str,
    base: Base<'_>,
    rules: &CompiledRules,
    short_links: &ShortLinks,
) -> LinkChange {
    match resolve(raw, base.url) {
        Some(link) => rewrite_resolved(link, base, rules, short_links),
        None => LinkChange::default(), // unparsable: D1
    }
}

/// A document's base URL, and how its links are written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Base<'b> {
    /// What relative links resolve against, if the document has a base URL.
    pub(crate) url: Option<&'b Url>,
    /// Write every link resolved against `url` (when there is one), not as it came.
    pub(crate) absolute: bool,
}

/// How a link is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// With a scheme and, for http(s), two slashes: the same URL whatever the base.
    Absolute,
    /// Scheme-relative (`//host/p`), path-relative (`/a`, `a/b`) or query-only (`?q=1`).
    Relative,
    /// `https:example.com/x`: relative on a page of the same scheme (see [`parse_absolute`]).
    SchemeRelativePath,
}

/// A link and the URL it stands for.
#[derive(Debug)]
pub(crate) struct Resolved<'r> {
    /// The link as written, trimmed as the parser trims it.
    pub(crate) raw: &'r str,
    /// The URL it resolves to: against the base, or against a placeholder base without one
    /// (then only its query, fragment and, for `//host`, its host are real).
    pub(crate) url: Url,
    pub(crate) form: Form,
    /// `url` was resolved against a real base (always true for absolute links).
    pub(crate) based: bool,
}

/// The stand-in base of a document that has none: a host no rule names (RFC 6761 `.invalid`),
/// so only global rules apply to its relative links, and it is never written out.
static PLACEHOLDER_BASE: std::sync::LazyLock<Url> = std::sync::LazyLock::new(|| {
    Url::parse("https://relative.invalid/").expect("the placeholder base parses")
});

/// Is `trimmed` (an href with its entities undone, trimmed as [`trim_url`] trims) a link that
/// no rule touches, as a scan of its text can prove? `true` means that [`rewrite`] through the
/// parser would keep it as written and report nothing, and that it is no share link
/// ([`share_service`] of what it resolves to is `None`); `false` means "parse it and see".
///
/// Most links of a page are plain `https://host/path` or `/path` links to ordinary sites, and
/// parsing them (its host above all: UTS 46) cost 13% of a full clean's instructions, ammonia's
/// parses included (issue 14). The scan is a whitelist of what the WHATWG parser serialises
/// back byte for byte: ASCII without spaces, quotes, brackets or backslashes; an escape
/// only if it is ASCII (none is decoded for display); for an absolute link, a lowercase
/// `http(s)://` and a host of lowercase letters, digits, dots and hyphens (no port, no userinfo,
/// no punycode, not an IPv4 address) followed by `/`, and no dot segment. Then every rule that
/// could touch it is asked with the strings themselves: its host is in no short-link,
/// redirector or share index, no share rule of any host names a parameter of its query, and the
/// same tracking test as the parser's path strips nothing from its query or fragment.
pub(crate) fn is_untouched(trimmed: &str, base: Base<'_>, rules: &CompiledRules) -> bool {
    // The cheap refusals first: most links that change are share links, redirectors and short
    // links (refused by their host), or links with non-ASCII escapes (refused by the scan).
    let absolute = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    let (host, rest, share_query) = if let Some(after) = absolute {
        // The serialiser writes `/` after a host that has none: the link must have it.
        let Some(end) = byte_position(after, b'/') else {
            return false;
        };
        let rest = &after[end..];
        (&after[..end], rest, query_of(rest))
    } else {
        // A relative link, left as written (`edit_relative`), unless every link is made
        // absolute; no scheme may start it (`mailto:`, `whatsapp:` are share endpoints).
        let base_url = match base.url {
            Some(_) if base.absolute => return false,
            Some(url) if !is_web(url) => return false,
            Some(url) => url,
            None => &*PLACEHOLDER_BASE,
        };
        let first_segment = &trimmed[..component_end(trimmed)];
        if trimmed.is_empty() || first_segment.contains(':') {
            return false;
        }
        if let Some(after) = trimmed.strip_prefix("//") {
            let end = component_end(after);
            (&after[..end], &after[end..], query_of(&after[end..]))
        } else {
            let Some(host) = base_url.host_str() else {
                return false;
            };
            // A fragment-only link resolves to the base with its query.
            let share_query = if trimmed.starts_with('#') {
                base_url.query()
            } else {
                query_of(trimmed)
            };
            (host, trimmed, share_query)
        }
    };
    if !is_plain_host(host) || is_rule_host(host, rules) {
        return false;
    }
    let Some(plain) = plain_text(rest).filter(|plain| !plain.high_escape) else {
        return false;
    };
    let (before_fragment, fragment) = match byte_position(rest, b'#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (path, query) = match byte_position(before_fragment, b'?') {
        Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
        None => (before_fragment, None),
    };
    // Dot segments of a relative link are left as written.
    let dot_segment = plain.dot_escape || has_dot_segment(path);
    if (absolute.is_some() && dot_segment) || is_shared_anywhere(share_query, rules) {
        return false;
    }
    query.is_none_or(|q| strip_pairs(q, host, rules).is_none())
        && fragment.is_none_or(|f| strip_fragment(f, host, rules).1 == 0)
}

/// Where the first component of `s` ends: at its first `/`, `?` or `#`, or at its end.
fn component_end(s: &str) -> usize {
    s.bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(s.len())
}

/// What one pass over the path, query and fragment of a link finds (see [`plain_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plain {
    /// A percent-escape of a byte above 0x7F, which the display form may decode.
    high_escape: bool,
    /// A `%2e`, which may spell a dot segment.
    dot_escape: bool,
}

/// Is `s` made of bytes the WHATWG parser copies as they are into the path, query and
/// fragment of an http(s) URL (none of its percent-encode sets has them, and no HTML serialiser
/// escapes them but `&`)? Says what else the link rules need to know of its escapes; `None` if
/// it is not plain. One pass over a table: hrefs are long (share links run to 500 bytes).
fn plain_text(s: &str) -> Option<Plain> {
    const PLAIN: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 128 {
            table[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        let punctuation = b"-._~!$&()*+,;=:@/?#%";
        let mut i = 0;
        while i < punctuation.len() {
            table[punctuation[i] as usize] = true;
            i += 1;
        }
        table
    };
    let bytes = s.as_bytes();
    let mut found = Plain {
        high_escape: false,
        dot_escape: false,
    };
    for (i, &b) in bytes.iter().enumerate() {
        if !PLAIN[usize::from(b)] {
            return None;
        }
        if b == b'%' {
            if let [high, low, ..] = bytes[i + 1..] {
                if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() {
                    found.high_escape |= matches!(high, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F');
                    found.dot_escape |= high == b'2' && low.eq_ignore_ascii_case(&b'e');
                }
            }
        }
    }
    Some(found)
}

/// What [`rewrite`] gives for an absolute http(s) link that the parser writes back as it came
/// but for what the rules change: the same checks as [`is_untouched`] (no rule host, no share
/// parameter, nothing the parser would write otherwise), with escapes of non-ASCII bytes
/// allowed. Its tracking pairs are stripped and its path, query and fragment decoded for
/// display on the text itself, as `finish` does on the parsed URL. `None`: parse it.
///
/// Most links of a news page are to the site itself, with an escaped non-ASCII path (`/cn/%E4…`)
/// and a tracking parameter (`?xtor=…`): parsing them was a fifth of the rewrite pass.
pub(crate) fn rewrite_plain(trimmed: &str, rules: &CompiledRules) -> Option<LinkChange> {
    let after = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))?;
    let (host, rest) = after.split_at(byte_position(after, b'/')?);
    if !is_plain_host(host) || is_rule_host(host, rules) {
        return None;
    }
    if plain_text(rest)?.dot_escape {
        return None; // left to the parser: it may be a dot segment
    }
    let (before_fragment, fragment) = match byte_position(rest, b'#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (path, query) = match byte_position(before_fragment, b'?') {
        Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
        None => (before_fragment, None),
    };
    if has_dot_segment(path) || is_shared_anywhere(query, rules) {
        return None;
    }
    let mut change = LinkChange::default();
    let mut display = String::with_capacity(trimmed.len());
    display.push_str(&trimmed[..trimmed.len() - rest.len()]);
    let mut decoded = decode_into(path, &mut display);
    if let Some(query) = query {
        let stripped = strip_pairs(query, host, rules);
        if let Some((_, n)) = &stripped {
            change.params_stripped += n;
        }
        let kept = stripped.as_ref().map_or(query, |(kept, _)| kept.as_str());
        // A query that all goes goes with its `?` (`Url::set_query(None)`).
        if stripped.is_none() || !kept.is_empty() {
            display.push('?');
            decoded |= decode_into(kept, &mut display);
        }
    }
    if let Some(fragment) = fragment {
        let (kept, n) = strip_fragment(fragment, host, rules);
        change.params_stripped += n;
        if n == 0 || !kept.is_empty() {
            display.push('#');
            decoded |= decode_into(&kept, &mut display);
        }
    }
    change.decoded = decoded;
    if display != trimmed {
        change.url = Some(display);
    }
    Some(change)
}

/// Does a path have a segment the parser removes (`.`, `..`)? (A `%2e` may spell one too:
/// [`plain_text`] tells.)
fn has_dot_segment(path: &str) -> bool {
    let bytes = path.as_bytes();
    // A dot segment starts with a dot at the start or after a `/`.
    memchr::memchr_iter(b'.', bytes).any(|i| {
        let rest = &bytes[i + 1..];
        (i == 0 || bytes[i - 1] == b'/')
            && (matches!(rest.first(), None | Some(b'/'))
                || rest.first() == Some(&b'.') && matches!(rest.get(1), None | Some(b'/')))
    })
}

/// The query of a path, query and fragment, as the parser splits them.
fn query_of(rest: &str) -> Option<&str> {
    let before_fragment = byte_position(rest, b'#').map_or(rest, |i| &rest[..i]);
    byte_position(before_fragment, b'?').map(|i| &before_fragment[i + 1..])
}

/// The first `b` (ASCII) in `s`: a plain loop, cheaper than `str::find` on short strings.
fn byte_position(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// A host the parser writes back as it is (UTS 46 passes such ASCII labels through): lowercase
/// letters, digits and hyphens in labels that are not empty and not punycode (`xn--`, which
/// is checked and may fail), the last one starting with a letter (else it may be an IPv4
/// address: `0x7f.1`, `1.2.3`).
pub(crate) fn is_plain_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    let mut label_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'.' {
            if i == label_start {
                return false; // an empty label
            }
            label_start = i + 1;
        } else if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || (i == label_start && bytes[i..].starts_with(b"xn--"))
        {
            return false;
        }
    }
    bytes.get(label_start).is_some_and(u8::is_ascii_lowercase)
}

/// Could a short-link, redirector or share rule name this host (as `short_code`,
/// `redirect_target` and `share_service` read it)?
fn is_rule_host(host: &str, rules: &CompiledRules) -> bool {
    let short = host.strip_prefix("www.").unwrap_or(host);
    rules
        .short_link_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(short))
        || rules.redirector_hosts.may_match_host(host)
        || rules.share_hosts.may_match_host(host)
}

/// Does a share rule of any host (`?share=twitter`) name a parameter of this query (form
/// decoded, as `share_service` reads it)?
fn is_shared_anywhere(query: Option<&str>, rules: &CompiledRules) -> bool {
    let Some(query) = query.filter(|_| rules.share_on_any_host) else {
        return false;
    };
    let is_share_name = |name: &str| {
        rules.share.iter().any(|share| {
            share.endpoints.is_empty()
                && share.query_value.as_ref().is_some_and(|qv| qv.name == name)
        })
    };
    if !query.contains(['%', '+']) {
        // Nothing to decode: the names are as written (form decoding skips empty pairs).
        return query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .any(|pair| is_share_name(pair.split('=').next().unwrap_or("")));
    }
    url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| is_share_name(&name))
}

/// Resolves `raw` against `base` as a browser would (WHATWG URL). `None` if it does not parse.
pub(crate) fn resolve<'r>(raw: &'r str, base: Option<&Url>) -> Option<Resolved<'r>> {
    let trimmed = trim_url(raw);
    let against = base.unwrap_or(&PLACEHOLDER_BASE);
    if is_scheme_relative_path(trimmed) {
        // Only its query and fragment are cleaned, with the base's site rules: what precedes
        // them is left exactly as written.
        let tail = trimmed.find(['?', '#']).map_or("", |i| &trimmed[i..]);
        return Some(Resolved {
            raw: trimmed,
            url: against.join(tail).ok()?,
            form: Form::SchemeRelativePath,
            based: base.is_some(),
        });
    }
    match Url::parse(trimmed) {
        Ok(url) => Some(Resolved {
            raw: trimmed,
            url,
            form: Form::Absolute,
            based: true,
        }),
        Err(url::ParseError::RelativeUrlWithoutBase) => Some(Resolved {
            raw: trimmed,
            url: against.join(trimmed).ok()?,
            form: Form::Relative,
            based: base.is_some(),
        }),
        Err(_) => None,
    }
}

/// As [`rewrite`], for a link resolved already.
pub(crate) fn rewrite_resolved(
    link: Resolved<'_>,
    base: Base<'_>,
    rules: &CompiledRules,
    short_links: &ShortLinks,
) -> LinkChange {
    if link.form == Form::Absolute {
        return rewrite_parsed(link.raw, link.url, rules, short_links);
    }
    if base.absolute && link.based {
        let resolved = match (link.form, base.url) {
            (Form::SchemeRelativePath, Some(b)) => b.join(link.raw).ok(),
            _ => Some(link.url),
        };
        return match resolved {
            Some(url) => rewrite_parsed(link.raw, url, rules, short_links),
            None => LinkChange::default(),
        };
    }
    let mut change = LinkChange::default();
    if !is_web(&link.url) {
        return change;
    }
    if link.form == Form::Relative {
        // A relative link to a redirector or a short link (`//l.facebook.com/l.php?u=…`, or
        // `/url?q=…` on a Google page) is replaced by its target, which is absolute.
        if let Some(target) = follow(link.url.clone(), rules, short_links, &mut change) {
            if change.unwrapped + change.short_links_resolved > 0 {
                return finish(link.raw, target, change, rules);
            }
        }
    }
    edit_relative(link.raw, &link.url, link.form, rules, &mut change);
    change
}

/// A relative link cleaned in place: its query and fragment stripped, its path, query and
/// fragment decoded for display, the rest as written (never serialised from the resolved URL,
/// which would make it absolute). Site rules apply with `resolved`'s host.
fn edit_relative(
    raw: &str,
    resolved: &Url,
    form: Form,
    rules: &CompiledRules,
    change: &mut LinkChange,
) {
    // The parser drops ASCII tabs and newlines anywhere: split what it would see.
    let clean: Cow<'_, str> = if raw.contains(['\t', '\n', '\r']) {
        Cow::Owned(raw.replace(['\t', '\n', '\r'], ""))
    } else {
        Cow::Borrowed(raw)
    };
    let s = clean.as_ref();
    let (before_fragment, fragment) = match s.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (s, None),
    };
    let (head, query) = match before_fragment.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (before_fragment, None),
    };
    let host = resolved.host_str().unwrap_or("");
    let mut out = String::with_capacity(s.len());
    let mut decoded = false;
    if form == Form::SchemeRelativePath {
        out.push_str(head);
    } else {
        // `//host…` (either slash, for the http(s) base): the authority is never decoded.
        let slashes = head
            .bytes()
            .take(2)
            .filter(|b| matches!(b, b'/' | b'\\'))
            .count();
        let authority_end = if slashes == 2 {
            head[2..].find(['/', '\\']).map_or(head.len(), |i| i + 2)
        } else {
            0
        };
        out.push_str(&head[..authority_end]);
        decoded |= decode_into(&head[authority_end..], &mut out);
    }
    if let Some(query) = query {
        let stripped = strip_pairs(query, host, rules);
        let kept = match &stripped {
            Some((kept, n)) => {
                change.params_stripped += n;
                kept.as_str()
            }
            None => query,
        };
        // A query-only link whose query all goes keeps its `?`: an empty href would name the
        // page with its own query.
        if stripped.is_none() || !kept.is_empty() || head.is_empty() {
            out.push('?');
            decoded |= decode_into(kept, &mut out);
        }
    }
    if let Some(fragment) = fragment {
        let (kept, n) = strip_fragment(fragment, host, rules);
        change.params_stripped += n;
        if n == 0 || !kept.is_empty() || out.is_empty() {
            out.push('#');
            decoded |= decode_into(&kept, &mut out);
        }
    }
    change.decoded = decoded;
    if (decoded || change.params_stripped > 0) && out != raw {
        change.url = Some(out);
    }
}

/// Decodes `s` into `out` as [`decode_component`] does; says whether anything was decoded.
fn decode_into(s: &str, out: &mut String) -> bool {
    let start = out.len();
    decode_component(s, out);
    out[start..] != *s
}

/// What the WHATWG URL parser strips from both ends of its input: C0 controls and space
/// (`str::trim` would also strip U+00A0 or U+3000, which the parser keeps, and encodes).
pub(crate) fn trim_url(raw: &str) -> &str {
    raw.trim_matches(|c: char| c <= ' ')
}

/// `raw` parsed as an absolute URL, if it is one whatever the page's base URL.
///
/// A special scheme not followed by two slashes (`https:example.com/x`, `http:/example.com/a`)
/// is relative in a browser when the page has that scheme (WHATWG URL, "special relative or
/// authority state"): it names a path on the page's own host. Parsed alone, it would name
/// `example.com`; such links are left to the relative-link rules, never rewritten to a host.
pub(crate) fn parse_absolute(raw: &str) -> Option<Url> {
    let trimmed = trim_url(raw);
    let url = Url::parse(trimmed).ok()?;
    (!is_scheme_relative_path(trimmed)).then_some(url)
}

/// Is `trimmed` a special scheme followed by something other than two slashes (either way)?
pub(crate) fn is_scheme_relative_path(trimmed: &str) -> bool {
    let Some((scheme, rest)) = trimmed.split_once(':') else {
        return false;
    };
    let special = ["http", "https", "ws", "wss", "ftp"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme));
    // The parser drops ASCII tabs and newlines anywhere before it looks at the slashes.
    let mut after = rest
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(2);
    special
        && !(matches!(after.next(), Some('/' | '\\')) && matches!(after.next(), Some('/' | '\\')))
}

/// As [`rewrite`], for a URL the caller has parsed already (`url` is `raw.trim()` parsed).
pub(crate) fn rewrite_parsed(
    raw: &str,
    url: Url,
    rules: &CompiledRules,
    short_links: &ShortLinks,
) -> LinkChange {
    let mut change = LinkChange::default();
    if !is_web(&url) {
        return change;
    }
    let url = match follow(url, rules, short_links, &mut change) {
        Some(url) => url,
        // Too long a chain: keep the URL as it came (re-parsed: cloning every URL up front
        // for this rare case cost more than parsing it again).
        None => match Url::parse(trim_url(raw)) {
            Ok(original) => original,
            Err(_) => return change,
        },
    };
    finish(raw, url, change, rules)
}

/// U4: follows short links and redirectors from `url`, counting hops in `change`. `None` for
/// a chain longer than `MAX_HOPS`, which is left as it came.
fn follow(
    url: Url,
    rules: &CompiledRules,
    short_links: &ShortLinks,
    change: &mut LinkChange,
) -> Option<Url> {
    let mut url = url;
    let mut seen: Vec<String> = Vec::new();
    for hop in 0..=MAX_HOPS {
        let target = match short_code(&url, rules) {
            Some(code) => {
                let article = short_links.get(code);
                change
                    .short_lookups
                    .push((code.to_owned(), article.cloned()));
                article
                    .and_then(|a| Url::parse(a).ok())
                    .filter(is_safe_target)
            }
            None => match redirect_target(&url, rules) {
                Target::Safe(t) => Some(t),
                Target::Refused => {
                    change.refused_unwrap = true;
                    None
                }
                Target::None => None,
            },
        };
        let Some(target) = target else { break };
        if seen.iter().any(|s| s == target.as_str()) || target == url {
            break;
        }
        if hop == MAX_HOPS {
            change.unwrapped = 0;
            change.short_links_resolved = 0;
            change.refused_unwrap = true;
            return None;
        }
        if short_code(&url, rules).is_some() {
            change.short_links_resolved += 1;
        } else {
            change.unwrapped += 1;
        }
        seen.push(url.to_string());
        url = target;
    }
    Some(url)
}

/// Strips `url` and writes its display form, if it differs from `raw`.
fn finish(raw: &str, mut url: Url, mut change: LinkChange, rules: &CompiledRules) -> LinkChange {
    change.params_stripped = strip_tracking(&mut url, rules);
    let display = display(&url);
    change.decoded = display.as_str() != url.as_str();
    // Whatever differs from the display form is written in it, even if only the parser's
    // normalisation changed it (`HTTPS://A.COM` or a raw control character): a raw form that
    // the HTML parser rewrites (NUL becomes U+FFFD) would come back changed on the next clean.
    if display != trim_url(raw) {
        change.url = Some(display);
    }
    change
}

enum Target {
    None,
    Safe(Url),
    Refused,
}

/// U1–U3: the target a redirector URL carries.
fn redirect_target(url: &Url, rules: &CompiledRules) -> Target {
    if !rules.redirector_hosts.may_match(url) {
        return Target::None;
    }
    for redirector in &rules.redirectors {
        let Some(endpoint) = redirector.endpoints.iter().find(|e| e.matches(url)) else {
            continue;
        };
        let candidate = match &redirector.target {
            TargetIn::PathRest => endpoint
                .rest_of_path(url)
                .filter(|rest| !rest.is_empty())
                .map(|rest| {
                    let mut target = format!("https://{rest}");
                    if let Some(query) = url.query() {
                        target.push('?');
                        target.push_str(query);
                    }
                    Cow::Owned(target)
                }),
            // U2: form decoding, exactly once, as the redirector's own server reads it.
            TargetIn::Params(params) => params.iter().find_map(|name| {
                url.query_pairs()
                    .find(|(k, v)| k == name && !v.is_empty())
                    .map(|(_, v)| v)
            }),
            // href.li: `?https://example.com/` as it is; decoded once only if it is encoded.
            TargetIn::WholeQuery => url.query().filter(|q| !q.is_empty()).map(|q| {
                let encoded = ["http%3a", "https%3a"]
                    .iter()
                    .any(|p| q.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)));
                if encoded {
                    percent_decode_str(q).decode_utf8_lossy()
                } else {
                    Cow::Borrowed(q)
                }
            }),
            // AWS SES click tracking (`/CL0/<encoded target>/1/<id>/<signature>`).
            TargetIn::PathSegment => endpoint
                .rest_of_path(url)
                .and_then(|rest| rest.split('/').next())
                .filter(|segment| !segment.is_empty())
                .map(|segment| percent_decode_str(segment).decode_utf8_lossy()),
        };
        let Some(mut candidate) = candidate else {
            return Target::None;
        };
        if redirector.cut_hash_suffix {
            if let Some(cut) = without_hash_suffix(&candidate) {
                candidate = Cow::Owned(cut.to_owned());
            }
        }
        return match Url::parse(&candidate) {
            Ok(target) if is_safe_target(&target) => Target::Safe(target),
            _ => Target::Refused,
        };
    }
    Target::None
}

/// `target` without a trailing `:` + hash of 20 or more base64url characters (Disqus), if it
/// has one. Shorter tails are part of the target (`https://example.com/a:b`).
fn without_hash_suffix(target: &str) -> Option<&str> {
    let (head, hash) = target.rsplit_once(':')?;
    let is_hash = hash.len() >= 20
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    is_hash.then_some(head)
}

/// Is this URL a share link? Returns the service it shares to.
pub(crate) fn share_service<'r>(url: &Url, rules: &'r CompiledRules) -> Option<&'r CompiledShare> {
    let at_known_host = rules.share_hosts.may_match(url);
    if !rules.share_on_any_host && !at_known_host {
        return None;
    }
    // Where the host index turns the URL away, no endpoint matches: only the rules that match
    // on any host are left to try. With the default rules every link met Jetpack's any-host
    // rule, and trying the thirty others took 3% of a full clean's instructions (callgrind, 200
    // generated pages).
    let mut candidates = rules
        .share
        .iter()
        .filter(|share| at_known_host || share.endpoints.is_empty());
    candidates.find(|share| {
        let at_endpoint = if share.endpoints.is_empty() {
            share.query_value.is_some() && is_web(url)
        } else {
            share.endpoints.iter().any(|e| e.matches(url))
        };
        at_endpoint && share_query_matches(url.query(), share)
    })
}

/// Does a query meet a share rule's conditions on it (`query_value`, `requires_any`,
/// `unless`), its pairs form-decoded as `Url::query_pairs` decodes them? A name is decoded only
/// if it has an escape or a `+`, a value only when its name matters: share links carry long
/// encoded texts, and decoding every pair for every rule took a third of `share_service`.
fn share_query_matches(query: Option<&str>, share: &CompiledShare) -> bool {
    let pairs = || {
        query
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (form_decode(name), value)
            })
    };
    share.query_value.as_ref().is_none_or(|qv| {
        pairs().any(|(k, v)| {
            k == qv.name.as_str() && {
                let v = form_decode(v);
                qv.values.iter().any(|x| *x == v)
            }
        })
    }) && (share.requires_any.is_empty()
        // A value decodes to nothing only if it is empty.
        || pairs().any(|(k, v)| !v.is_empty() && share.requires_any.iter().any(|r| *r == k)))
        && !pairs().any(|(k, _)| share.unless.iter().any(|u| *u == k))
}

/// One component of a query, form-decoded (`+` is a space), as `Url::query_pairs` decodes it.
pub(crate) fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned())
}

/// Removes tracking parameters from the query and from a query-like fragment. Returns how many.
pub(crate) fn strip_tracking(url: &mut Url, rules: &CompiledRules) -> usize {
    let host = url.host_str().unwrap_or("").to_owned();
    let mut removed = 0;
    if let Some(query) = url.query() {
        if let Some((kept, n)) = strip_pairs(query, &host, rules) {
            removed += n;
            url.set_query((!kept.is_empty()).then_some(kept.as_str()));
        }
    }
    let stripped = url.fragment().map(|fragment| {
        let (kept, n) = strip_fragment(fragment, &host, rules);
        (kept.into_owned(), n)
    });
    if let Some((kept, n)) = stripped.filter(|(_, n)| *n > 0) {
        removed += n;
        url.set_fragment((!kept.is_empty()).then_some(kept.as_str()));
    }
    removed
}

/// Strips tracking pairs from a fragment that reads as a query (`xtor=RSS-1`,
/// `?pk_campaign=x`); anchors stay. Returns the fragment left and how many pairs went.
fn strip_fragment<'f>(
    fragment: &'f str,
    host: &str,
    rules: &CompiledRules,
) -> (Cow<'f, str>, usize) {
    let (lead, body) = match fragment.strip_prefix('?') {
        Some(body) => ("?", body),
        None => ("", fragment),
    };
    let first = body.split('&').next().unwrap_or("");
    if first.contains('=') {
        if let Some((kept, n)) = strip_pairs(body, host, rules) {
            let new = if kept.is_empty() {
                String::new()
            } else {
                format!("{lead}{kept}")
            };
            return (Cow::Owned(new), n);
        }
    }
    (Cow::Borrowed(fragment), 0)
}

/// Strips tracking pairs from a raw `a=1&b=2` string. `None` if nothing was removed.
fn strip_pairs(raw: &str, host: &str, rules: &CompiledRules) -> Option<(String, usize)> {
    let names: Vec<Cow<'_, str>> = raw
        .split('&')
        .map(|pair| percent_decode_str(pair.split('=').next().unwrap_or("")).decode_utf8_lossy())
        .collect();
    let present = |name: &str| names.iter().any(|n| n == name);
    let tracking = &rules.tracking;
    let is_tracking = |name: &str| {
        !name.is_empty()
            && (rules.tracking_names.matches(name)
                || tracking.scoped.iter().any(|s| {
                    (s.names.iter().any(|n| n == name)
                        || s.prefixes.iter().any(|p| name.starts_with(p.as_str())))
                        && s.hosts.iter().any(|h| is_same_or_subdomain(host, h))
                })
                || tracking.conditional.iter().any(|c| {
                    (c.names.iter().any(|n| n == name)
                        || c.prefixes.iter().any(|p| name.starts_with(p.as_str())))
                        && c.when_present.iter().any(|w| present(w))
                }))
    };
    let tracking: Vec<bool> = names.iter().map(|n| is_tracking(n)).collect();
    let removed = tracking.iter().filter(|&&t| t).count();
    if removed == 0 {
        return None;
    }
    let mut kept = String::with_capacity(raw.len());
    for (pair, _) in raw
        .split('&')
        .zip(&tracking)
        .filter(|(pair, tracking)| !pair.is_empty() && !**tracking)
    {
        if !kept.is_empty() {
            kept.push('&');
        }
        kept.push_str(pair);
    }
    Some((kept, removed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn rules() -> CompiledRules {
        CompiledRules::new(&Rules::default()).expect("default rules compile")
    }

    fn decoded(s: &str) -> String {
        let mut out = String::new();
        decode_component(s, &mut out);
        out
    }

    fn clean(raw: &str) -> String {
        clean_with(raw, &ShortLinks::new())
    }

    fn clean_with(raw: &str, short: &ShortLinks) -> String {
        rewrite(raw, Base::default(), &rules(), short)
            .url
            .unwrap_or_else(|| raw.to_owned())
    }

    #[test]
    fn decode_component_table() {
        let cases = [
            // non-ASCII UTF-8 decodes (the seed's path, with U+FF0C)
            ("/cn/%E4%B8%AD%E5%9B%BD/a%EF%BC%8Cb", "/cn/中国/a，b"),
            // hex case does not matter, and the kept escape keeps its case
            ("/%e4%b8%ad%2f", "/中%2f"),
            // no ASCII escape decodes, unreserved ones included: the WHATWG parser keeps them
            ("/%41%7E%2D%2E%5F%7a", "/%41%7E%2D%2E%5F%7a"),
            // reserved and unsafe ASCII stays (D5, pitfall 4)
            (
                "/%25%2F%3F%23%26%3D%2B%20%3C%3E%22%27%28%29",
                "/%25%2F%3F%23%26%3D%2B%20%3C%3E%22%27%28%29",
            ),
            // controls, DEL
            ("/%00%1F%7F", "/%00%1F%7F"),
            // one pass only: %2541 is %25 then 41
            ("/%2541", "/%2541"),
            // invalid UTF-8 stays, the rest decodes (D6)
            ("/%C3%A9%E9%C3%A9", "/é%E9é"),
            // overlong, surrogate, above U+10FFFF
            (
                "/%C0%AF%ED%A0%80%F4%90%80%80",
                "/%C0%AF%ED%A0%80%F4%90%80%80",
            ),
            // truncated sequence at the end
            ("/a%E4%B8", "/a%E4%B8"),
            // not escapes
            ("/50%-off/%4/%zz", "/50%-off/%4/%zz"),
            // decoding must not make a new escape out of a literal `%` (fuzz: links)
            ("/%%33", "/%%33"),
            ("/%4%31", "/%4%31"),
            ("/%%41B%42", "/%%41B%42"),
            // bidi override, zero-width space, NBSP, ideographic space, braille blank, padlock
            (
                "/%E2%80%AE%E2%80%8B%C2%A0%E3%80%80%E2%A0%80%F0%9F%94%92",
                "/%E2%80%AE%E2%80%8B%C2%A0%E3%80%80%E2%A0%80%F0%9F%94%92",
            ),
            // LRM, RLM, soft hyphen, BOM, variation selector
            (
                "/%E2%80%8E%E2%80%8F%C2%AD%EF%BB%BF%EF%B8%8F",
                "/%E2%80%8E%E2%80%8F%C2%AD%EF%BB%BF%EF%B8%8F",
            ),
            // private use and noncharacters
            (
                "/%EE%80%80%EF%B7%90%EF%BF%BE",
                "/%EE%80%80%EF%B7%90%EF%BF%BE",
            ),
            // ZWNJ inside a Persian word decodes
            (
                "/%D9%87%D9%85%E2%80%8C%D8%B1%D8%B3%D8%A7%D9%86%DB%8C",
                "/هم\u{200C}رسانی",
            ),
            // an emoji decodes
            ("/%F0%9F%98%80", "/😀"),
        ];
        for (input, expected) in cases {
            assert_eq!(decoded(input), expected, "decoding {input}");
        }
    }

    #[test]
    fn display_round_trips_to_the_same_url() {
        for raw in [
            "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240113-%E5%A4%96%E8%B4%B8",
            "https://example.com/a%20b?q=%26%3D%2B&x=%E2%80%AE#%C3%A9",
            "https://example.com/%C3%A9%E9?%25",
        ] {
            let url = Url::parse(raw).expect("parses");
            let shown = display(&url);
            let again = Url::parse(&shown).expect("display form parses");
            assert_eq!(again.as_str(), url.as_str(), "{raw} -> {shown}");
        }
    }

    #[test]
    fn ascii_escapes_stay_as_written() {
        // The issue's examples: RFC 3986 calls these equal, the WHATWG parser does not.
        for raw in [
            "http://example.com/foo%41%7a",
            "https://example.com/a%2Eb/%2e%2Ex/c",
            "https://example.com/?q=%61%62#%7E",
        ] {
            assert_eq!(clean(raw), raw);
        }
        assert_eq!(
            clean("https://example.com/%41%C3%A9"),
            "https://example.com/%41é"
        );
    }

    #[test]
    fn scheme_relative_path_forms_are_not_made_absolute() {
        // On an https page these name a path on the page's own host, not example.com.
        for raw in [
            "https:example.com/x",
            "http:/example.com/a",
            "HTTPS:example.com",
            "https:\\example.com/a",
            "http:\texample.com",
            "https:l.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F",
        ] {
            assert_eq!(parse_absolute(raw), None, "{raw:?}");
            assert_eq!(clean(raw), raw, "{raw:?}");
        }
        for raw in [
            "https://example.com/x",
            "https:\\\\example.com/x",
            "http:/\\example.com/x",
            "https:\t//example.com/x",
        ] {
            assert!(parse_absolute(raw).is_some(), "{raw:?}");
        }
    }

    #[test]
    fn only_what_the_parser_strips_is_trimmed() {
        assert_eq!(clean(" https://a.com/?utm_source=x\n"), "https://a.com/");
        // NBSP and U+3000 are not stripped by the WHATWG parser: a relative path, which
        // stays one (its global tracking names go).
        assert_eq!(
            clean("\u{a0}https://a.com/?utm_source=x&k=1"),
            "\u{a0}https://a.com/?k=1"
        );
    }

    fn clean_on(raw: &str, base: Option<&str>, absolute: bool) -> String {
        let base = base.map(|b| Url::parse(b).expect("test base parses"));
        let base = Base {
            url: base.as_ref(),
            absolute,
        };
        rewrite(raw, base, &rules(), &ShortLinks::new())
            .url
            .unwrap_or_else(|| raw.to_owned())
    }

    #[test]
    fn relative_links_without_a_base() {
        let cases = [
            // the issue's examples: global names go, the link stays relative
            (
                "/hub/us-news?utm_source=apnewsnav&utm_medium=navigation",
                "/hub/us-news",
            ),
            (
                "//channel.pixnet.net/sport?utm_source=pixnet&utm_medium=menu",
                "//channel.pixnet.net/sport",
            ),
            ("//host.example/p?fbclid=1&id=2", "//host.example/p?id=2"),
            ("?utm_medium=x&id=3", "?id=3"),
            // a query-only link whose query all goes keeps its `?`
            ("?utm_medium=x", "?"),
            ("a/b.html?x=1&gclid=2#xtor=RSS-1", "a/b.html?x=1"),
            ("#xtor=RSS-1", "#"),
            ("#section-2", "#section-2"),
            // non-ASCII paths decode; ASCII escapes and the host do not
            (
                "/sections/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85",
                "/sections/العالم",
            ),
            ("//mainichi.jp/%E8%BF%AB%E3%82%8B/", "//mainichi.jp/迫る/"),
            ("//xn--r8jz45g.jp/%41%E8%BF%AB", "//xn--r8jz45g.jp/%41迫"),
            ("/a%2Fb%41?q=%E2%80%AE", "/a%2Fb%41?q=%E2%80%AE"),
            ("../%C3%A9t%C3%A9/?q=%C3%A9#%C3%A9", "../été/?q=é#é"),
            // untouched when no rule applies (tabs stay as written)
            ("/a?b=1", "/a?b=1"),
            ("/a\t?b=1", "/a\t?b=1"),
            ("", ""),
            // site-scoped names need the site: no base, no site
            ("/world/x?CMP=share_btn_tw", "/world/x?CMP=share_btn_tw"),
            // a relative link to a redirector on a known host is unwrapped
            (
                "//l.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F%3Futm_source%3Dfb&h=AT0",
                "https://a.com/",
            ),
            // scheme-relative-path forms: only query and fragment are cleaned
            (
                "https:example.com/%C3%A9?utm_source=x&k=%C3%A9",
                "https:example.com/%C3%A9?k=é",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_on(input, None, false), expected, "{input:?}");
            // and absolute links are not asked for in vain: no base, no resolution
            assert_eq!(
                clean_on(input, None, true),
                expected,
                "{input:?} (absolute)"
            );
        }
    }

    #[test]
    fn relative_links_with_a_base() {
        let cases = [
            // site-scoped names on the base's host
            (
                "https://www.theguardian.com/uk",
                "/world/x?CMP=share_btn_tw",
                "/world/x",
            ),
            (
                "https://www.nytimes.com/",
                "/2024/01/01/world/x.html?unlocked_article_code=1.jk8&smid=url-share",
                "/2024/01/01/world/x.html?unlocked_article_code=1.jk8",
            ),
            ("https://example.com/", "/world/x?CMP=a", "/world/x?CMP=a"),
            // a scheme-relative link names its own host
            (
                "https://www.theguardian.com/",
                "//example.com/x?CMP=a",
                "//example.com/x?CMP=a",
            ),
            // a relative redirector on the base's host
            (
                "https://www.google.com/search?q=x",
                "/url?q=https%3A%2F%2Fa.com%2F&sa=U",
                "https://a.com/",
            ),
            // Jetpack share links are not rewritten here (they go whole, in the rewrite pass)
            (
                "https://blog.example.org/2020/x/",
                "?share=weekly",
                "?share=weekly",
            ),
            // a scheme-relative-path link stays as written; it names a path on the base's own
            // host (https://www.theguardian.com/example.com/x), whose rules apply
            (
                "https://www.theguardian.com/",
                "https:example.com/x?CMP=a&utm_source=b",
                "https:example.com/x",
            ),
        ];
        for (base, input, expected) in cases {
            assert_eq!(
                clean_on(input, Some(base), false),
                expected,
                "{input} on {base}"
            );
        }
    }

    #[test]
    fn absolute_links_resolve_with_the_whatwg_rules() {
        let base = Some("https://www.rfi.fr/fr/monde/20240101-x?p=1#top");
        let cases = [
            (
                "/fr/afrique/?utm_source=x",
                "https://www.rfi.fr/fr/afrique/",
            ),
            ("../afrique/a", "https://www.rfi.fr/fr/afrique/a"),
            (
                "?page=2&xtor=RSS-1",
                "https://www.rfi.fr/fr/monde/20240101-x?page=2",
            ),
            ("#part", "https://www.rfi.fr/fr/monde/20240101-x?p=1#part"),
            (
                "//s.rfi.fr/media/a%C3%A9.jpg",
                "https://s.rfi.fr/media/aé.jpg",
            ),
            ("https:x/y", "https://www.rfi.fr/fr/monde/x/y"),
            ("http:/example.com/a", "http://example.com/a"),
            ("", "https://www.rfi.fr/fr/monde/20240101-x?p=1"),
            ("https://a.com/?gclid=1", "https://a.com/"),
            ("mailto:a@b.c", "mailto:a@b.c"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_on(input, base, true), expected, "{input:?}");
        }
    }

    #[test]
    fn host_and_userinfo_are_never_decoded() {
        let url = Url::parse("https://a%C3%A9:p%41@xn--80ak6aa92e.com/%41").expect("parses");
        assert_eq!(display(&url), "https://a%C3%A9:p%41@xn--80ak6aa92e.com/%41");
    }

    #[test]
    fn tracking_parameters() {
        let cases = [
            (
                "https://a.com/?utm_source=x&id=3&fbclid=y",
                "https://a.com/?id=3",
            ),
            ("https://a.com/p?utm_source=x", "https://a.com/p"),
            (
                "https://a.com/p?id=1&&utm_medium=x&",
                "https://a.com/p?id=1",
            ),
            // order and exact encoding of what is kept
            (
                "https://a.com/?b=%20&a=+&gclid=1&c=%41",
                "https://a.com/?b=%20&a=+&c=%41",
            ),
            // names match after percent-decoding; well-known names in any case (issue 11)
            ("https://a.com/?utm%5Fsource=x&k=1", "https://a.com/?k=1"),
            ("https://a.com/?UTM_SOURCE=x", "https://a.com/"),
            // a name inside a value or the path is not a parameter
            (
                "https://a.com/utm_source/?q=utm_source%3Dx",
                "https://a.com/utm_source/?q=utm_source%3Dx",
            ),
            // xtor, and xts/xtdt only with it
            (
                "https://www.rfi.fr/fr/a?xtor=RSS-1&xts=2&xtdt=3",
                "https://www.rfi.fr/fr/a",
            ),
            ("https://a.com/?xts=2&xtdt=3", "https://a.com/?xts=2&xtdt=3"),
            // at_* only with at_medium or at_campaign
            (
                "https://a.com/?at_medium=x&at_foo=1&k=2",
                "https://a.com/?k=2",
            ),
            ("https://a.com/?at_foo=1", "https://a.com/?at_foo=1"),
            // fragments that read as queries
            ("https://www.rfi.fr/a#xtor=RSS-1", "https://www.rfi.fr/a"),
            ("https://a.com/a#?pk_campaign=x&k=1", "https://a.com/a#?k=1"),
            ("https://a.com/a#section-2", "https://a.com/a#section-2"),
            // scoped names
            (
                "https://www.instagram.com/p/x/?igshid=1",
                "https://www.instagram.com/p/x/",
            ),
            (
                "https://example.com/?igshid=1",
                "https://example.com/?igshid=1",
            ),
            (
                "https://youtu.be/abc?si=xyz&t=3",
                "https://youtu.be/abc?t=3",
            ),
            (
                "https://x.com/u/status/1?ref_src=twsrc%5Etfw",
                "https://x.com/u/status/1",
            ),
            // nothing removed: unchanged, a bare ? stays
            ("https://a.com/?", "https://a.com/?"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "stripping {input}");
        }
    }

    #[test]
    fn redirectors_are_unwrapped() {
        let cases = [
            (
                "https://www.google.com/url?q=https%3A%2F%2Fa.com%2Fp%3Fx%3D1&sa=D",
                "https://a.com/p?x=1",
            ),
            (
                "https://www.google.fr/url?url=https://a.com/",
                "https://a.com/",
            ),
            (
                "https://l.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F%3Futm_source%3Dfb&h=AT0",
                "https://a.com/",
            ),
            (
                "https://www.youtube.com/redirect?q=https%3A%2F%2Fa.com%2F&v=1",
                "https://a.com/",
            ),
            ("https://www.google.com/amp/s/a.com/p", "https://a.com/p"),
            (
                "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fa.com%2F&data=x",
                "https://a.com/",
            ),
            // nested, one decode per hop
            (
                "https://www.google.com/url?q=https%3A%2F%2Fl.facebook.com%2Fl.php%3Fu%3Dhttps%253A%252F%252Fa.com%252F%252525",
                "https://a.com/%25",
            ),
            // %2526 becomes %26, never &
            (
                "https://www.google.com/url?q=https%3A%2F%2Fa.com%2F%3Fq%3Da%2526b",
                "https://a.com/?q=a%26b",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "unwrapping {input}");
        }
    }

    #[test]
    fn new_tracking_names() {
        let cases = [
            // AT Internet / Piano e-mail links, alone
            (
                "https://www.rfi.fr/fr/a?at_link=x&at_link_id=1&at_link_type=t&at_link_origin=o&at_creation=c&at_emailtype=e&at_send_date=20240101&at_campaign_type=n&at_ptr_name=p&id=3",
                "https://www.rfi.fr/fr/a?id=3",
            ),
            // Cxense / Piano
            (
                "https://www.lemonde.fr/a.html?cx_click=1&cx_recsOrder=2&cx_recsWidget=w",
                "https://www.lemonde.fr/a.html",
            ),
            // itm_*, cmpid, wt_mc, hsa_*, Yahoo consent bounce
            (
                "https://www.bbc.co.uk/news/x?itm_source=a&itm_medium=b&cmpid=c&wt_mc=d",
                "https://www.bbc.co.uk/news/x",
            ),
            (
                "https://a.com/?hsa_acc=1&hsa_cam=2&hsa_ver=3&k=v",
                "https://a.com/?k=v",
            ),
            (
                "https://techcrunch.com/2024/01/01/x/?guccounter=1&guce_referrer=aHR0&guce_referrer_sig=AQ",
                "https://techcrunch.com/2024/01/01/x/",
            ),
            // e-mail and CRM ids
            (
                "https://a.com/p?_bhlid=1&et_rid=2&ss_email_id=3&vgo_ee=4&bsft_clkid=5&bsft_uid=6&unicorn_click_id=7&_kx=8",
                "https://a.com/p?_kx=8",
            ),
            (
                "https://a.com/p?__twitter_impression=true&_ga=1&__s=abcdef12&ymid=1&sfmc_id=2&sfmc_activityid=3&erid=4&usqp=mq331AQ&cm_mmc=x",
                "https://a.com/p",
            ),
            // the Echobox fragment
            (
                "https://www.theguardian.com/world/x#Echobox=1700000000",
                "https://www.theguardian.com/world/x",
            ),
            // upper-case spellings of well-known names
            (
                "https://a.com/?FBCLID=x&Gclid=y&UTM_Medium=z&id=1",
                "https://a.com/?id=1",
            ),
            // generic short names stay case-sensitive and scoped
            (
                "https://www.theguardian.com/x?CMP=share_btn_tw&cmp=keep",
                "https://www.theguardian.com/x?cmp=keep",
            ),
            // site-scoped names, on their sites only
            (
                "https://www.msn.com/fr-fr/actualite/x?ocid=msedgntp&cvid=abc&id=1",
                "https://www.msn.com/fr-fr/actualite/x?id=1",
            ),
            (
                "https://example.com/x?ocid=msedgntp&cvid=abc",
                "https://example.com/x?ocid=msedgntp&cvid=abc",
            ),
            (
                "https://www.nytimes.com/2024/01/01/world/x.html?unlocked_article_code=1.jk8.bTTt&smid=url-share",
                "https://www.nytimes.com/2024/01/01/world/x.html?unlocked_article_code=1.jk8.bTTt",
            ),
            (
                "https://www.amazon.com/dp/B0?smid=A1&th=1",
                "https://www.amazon.com/dp/B0?smid=A1&th=1",
            ),
            (
                "https://www.reuters.com/world/x/?taid=65a&id=1",
                "https://www.reuters.com/world/x/?id=1",
            ),
            (
                "https://news.yahoo.com/x.html?ncid=twitter_yahoonews",
                "https://news.yahoo.com/x.html",
            ),
            (
                "https://techcrunch.com/x/?ncid=rss&sr_share=twitter",
                "https://techcrunch.com/x/",
            ),
            (
                "https://www.wired.com/story/x/?intcid=inline_amp",
                "https://www.wired.com/story/x/",
            ),
            (
                "https://metro.co.uk/2024/01/01/x/?ito=article.desktop.share.top.facebook",
                "https://metro.co.uk/2024/01/01/x/",
            ),
            (
                "https://x.com/RFI/status/1?s=20&t=abc",
                "https://x.com/RFI/status/1",
            ),
            (
                "https://www.youtube.com/watch?v=abc&t=30&pp=ygU",
                "https://www.youtube.com/watch?v=abc&t=30",
            ),
            (
                "https://www.bbc.com/news/x?at_medium=RSS&at_foo=1",
                "https://www.bbc.com/news/x",
            ),
            (
                "https://www.bbc.com/news/x?at_foo=1",
                "https://www.bbc.com/news/x",
            ),
            (
                "https://www.reddit.com/r/x/comments/1/?ref=share&ref_source=link",
                "https://www.reddit.com/r/x/comments/1/",
            ),
            (
                "https://github.com/o/r/blob/x?ref=main",
                "https://github.com/o/r/blob/x?ref=main",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "stripping {input}");
        }
    }

    /// Content parameters, from the never-strip list of the research notes: gift and share
    /// tokens, signed URLs, identity and navigation.
    const CONTENT_PARAMS: &[&str] = &[
        "unlocked_article_code",
        "pwapi_token",
        "accessToken",
        "sharetype",
        "token",
        "st",
        "shareToken",
        "gift",
        "giftToken",
        "share_token",
        "gift_id",
        "giftId",
        "sig",
        "signature",
        "Signature",
        "Expires",
        "Key-Pair-Id",
        "Policy",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-Date",
        "hmac",
        "auth",
        "key",
        "itok",
        "code",
        "state",
        "v",
        "list",
        "index",
        "start",
        "end",
        "time_continue",
        "id",
        "p",
        "page",
        "pg",
        "paged",
        "page_id",
        "post",
        "article",
        "story",
        "item",
        "cat",
        "category",
        "tag",
        "section",
        "topic",
        "author",
        "q",
        "query",
        "search",
        "k",
        "keywords",
        "term",
        "lang",
        "hl",
        "gl",
        "locale",
        "edition",
        "sort",
        "order",
        "orderby",
        "filter",
        "type",
        "format",
        "view",
        "mode",
        "date",
        "year",
        "month",
        "day",
        "from",
        "to",
        "offset",
        "limit",
        "num",
        "n",
        "size",
        "w",
        "width",
        "h",
        "height",
        "quality",
        "variant",
        "th",
        "psc",
        "ref",
        "path",
        "file",
        "branch",
        "lat",
        "lon",
        "ll",
        "z",
        "zoom",
        "amp",
        "share",
        "source",
        "src",
        "cid",
        "campaign",
        "eid",
        "smid",
        "feature",
        "si",
        "url",
        "u",
        "redirect",
        "s",
        "t",
        "reflink",
        "at_foo",
        "xts",
        "mc",
        "spm",
        "trk",
        "INTCMP",
        "CMP",
        "ncid",
        "ocid",
    ];

    #[test]
    fn content_parameters_survive_on_every_host() {
        assert!(CONTENT_PARAMS.len() >= 50);
        for host in [
            "https://www.rfi.fr/fr/a",
            "https://example.com/",
            "https://www.lemonde.fr/x.html",
            "https://github.com/o/r",
            "https://www.washingtonpost.com/x/",
            "https://s.rfi.fr/media/display/x.jpg",
        ] {
            for name in CONTENT_PARAMS {
                let url = format!("{host}?{name}=1&utm_source=x");
                assert_eq!(clean(&url), format!("{host}?{name}=1"), "{name} on {host}");
                let upper = format!("{host}?{}=1", name.to_ascii_uppercase());
                assert_eq!(clean(&upper), upper, "{name} in upper case on {host}");
            }
        }
    }

    #[test]
    fn new_redirectors_are_unwrapped() {
        let cases = [
            // Skimlinks (the referring page in `sref` is not the target)
            (
                "https://go.skimresources.com/?id=114047X1572903&url=https%3A%2F%2Fwww.waitrose.com%2Fecom%2Fproducts%2Fkenko-mayonnaise%2F424830-807548-807549&sref=https://www.theguardian.com/thefilter/x&xcust=referrer%7Cwww.theguardian.com",
                "https://www.waitrose.com/ecom/products/kenko-mayonnaise/424830-807548-807549",
            ),
            (
                "https://go.redirectingat.com/?id=92X1&xcust=x&url=https%3A%2F%2Fwww.example.com%2Fp%3Fa%3D1",
                "https://www.example.com/p?a=1",
            ),
            // Threads
            (
                "https://l.threads.net/?u=https%3A%2F%2Fconfluence.atlassian.com%2Fx-1142233522.html&e=AT0tTZdW3MLAKpaj",
                "https://confluence.atlassian.com/x-1142233522.html",
            ),
            (
                "https://l.threads.com/?u=https%3A%2F%2Fwww.example.org%2F&e=AT1",
                "https://www.example.org/",
            ),
            // Facebook: the warning page, and the link shim on any subdomain
            (
                "https://www.facebook.com/flx/warn/?u=https%3A%2F%2Fdevblogs.microsoft.com%2F&h=AT3HvDHvyYWmq_d0",
                "https://devblogs.microsoft.com/",
            ),
            (
                "https://m.facebook.com/l.php?u=https%3A%2F%2Fgoogle.ca&h=hi",
                "https://google.ca/",
            ),
            (
                "https://lm.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F&h=AT0",
                "https://a.com/",
            ),
            // Twitter / X e-mail redirect
            (
                "https://twitter.com/i/redirect?url=https%3A%2F%2Fsupport.twitter.com%2Farticles%2F204820-fake-twitter-emails&t=1&cn=bG9naW5fbm90aWZpY2F0aW9u&sig=ee6d8d5439b23c101a3694be6e6989a2ffa94c79",
                "https://support.twitter.com/articles/204820-fake-twitter-emails",
            ),
            (
                "https://x.com/i/redirect?url=https%3A%2F%2Fwww.rfi.fr%2Ffr%2F&t=1",
                "https://www.rfi.fr/fr/",
            ),
            // Slack
            (
                "https://slack-redir.net/link?url=https%3A%2F%2Fdocs.fedoraproject.org%2Ff26%2Finstall-guide%2Finstall%2FBooting_the_Installation.html",
                "https://docs.fedoraproject.org/f26/install-guide/install/Booting_the_Installation.html",
            ),
            // href.li: the whole query, decoded once only if encoded
            (
                "https://href.li/?https://bjornstar.com/intercept-redirect",
                "https://bjornstar.com/intercept-redirect",
            ),
            (
                "https://href.li/?https%3A%2F%2Fa.com%2Fp%3Fx%3D1",
                "https://a.com/p?x=1",
            ),
            // Disqus: the trailing `:hash` goes, a short `:part` of the target stays
            (
                "http://disq.us/url?url=http%3A%2F%2Fcodescrib.blogspot.com%2F%3AGTwU4dcq96lIEIpJc8INii4ptuY&cuid=104353",
                "http://codescrib.blogspot.com/",
            ),
            (
                "https://disq.us/?url=https%3A%2F%2Fa.com%2Fa%3Ab&key=x",
                "https://a.com/a:b",
            ),
            // Rakuten, Awin, CJ, VigLink
            (
                "https://click.linksynergy.com/deeplink?id=qpF0HYnRugA&mid=42957&murl=https%3A%2F%2Fwww.go2games.com%2Fswitch%2Fnintendo-switch-console",
                "https://www.go2games.com/switch/nintendo-switch-console",
            ),
            (
                "https://www.awin1.com/cread.php?awinmid=123996&awinaffid=3058277&clickref=blog&ued=https%3A%2F%2Ftry.digitalocean.com%2Fserverless-inference%2F",
                "https://try.digitalocean.com/serverless-inference/",
            ),
            (
                "https://www.anrdoezrs.net/click-101899632-17343481?url=https%3A%2F%2Fwww.booking.com%2F&sid=post-slug",
                "https://www.booking.com/",
            ),
            (
                "https://www.tkqlhce.com/click-100-200?URL=https%3A%2F%2Fwww.example.com%2Fp",
                "https://www.example.com/p",
            ),
            (
                "https://redirect.viglink.com/?key=e7eab128eb8d1c53e14db14f4c632447&u=http%3A%2F%2Fcode.google.com%2Fp%2Fmoboot%2Fdownloads%2Flist&cuid=xid:fr1679048412aaa",
                "http://code.google.com/p/moboot/downloads/list",
            ),
            // Reddit: the whole out.reddit.com host, and both mail shapes
            (
                "https://out.reddit.com/t3_1abcde?url=https%3A%2F%2Fexample.org%2Fstory%3Fid%3D5&token=AQAAq&app_name=web2x",
                "https://example.org/story?id=5",
            ),
            (
                "https://click.redditmail.com/x?url=https%3A%2F%2Fexample.org%2F",
                "https://example.org/",
            ),
            (
                "https://click.redditmail.com/CL0/https:%2F%2Fwww.reddit.com%2Fr%2Fworldnews%2Fcomments%2Fabc123%2F%3F%24deep_link=true/1/0100018f2a6b-0000/Hx9=375",
                "https://www.reddit.com/r/worldnews/comments/abc123/",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "unwrapping {input}");
        }
        // Without a target, or with a hostile one, they stay.
        for input in [
            "https://www.awin1.com/cread.php?s=1&v=2&q=3&r=4",
            "https://href.li/?javascript:alert(1)",
            "https://href.li/?//evil.example/",
            "https://href.li/?https://u:p@evil.example/",
            "https://click.redditmail.com/CL0/javascript:alert(1)/1/2/3",
            "https://l.threads.net/?u=data:text/html,x",
            "https://out.reddit.com/t3_1?url=https%3A%2F%2Fu%3Ap%40evil.example%2F",
        ] {
            let change = rewrite(input, Base::default(), &rules(), &ShortLinks::new());
            assert_eq!(change.unwrapped, 0, "{input}");
        }
    }

    #[test]
    fn chains_longer_than_the_hop_limit_are_left_whole() {
        let mut url = "https://example.org/end?utm_source=x".to_owned();
        for _ in 0..MAX_HOPS {
            url = format!(
                "https://www.google.com/url?q={}",
                percent_encoding::utf8_percent_encode(&url, percent_encoding::NON_ALPHANUMERIC)
            );
        }
        assert_eq!(
            clean(&url),
            "https://example.org/end",
            "{MAX_HOPS} hops unwrap"
        );
        let deeper = format!(
            "https://www.google.com/url?q={}",
            percent_encoding::utf8_percent_encode(&url, percent_encoding::NON_ALPHANUMERIC)
        );
        let change = rewrite(&deeper, Base::default(), &rules(), &ShortLinks::new());
        assert_eq!(
            change.unwrapped,
            0,
            "{} hops: not unwrapped at all",
            MAX_HOPS + 1
        );
        assert!(change.refused_unwrap);
        let once = clean(&deeper);
        assert!(
            once.starts_with("https://www.google.com/url?q=https%3A%2F%2Fwww%2Egoogle%2Ecom"),
            "{once}"
        );
        assert_eq!(clean(&once), once, "idempotent");
    }

    #[test]
    fn hostile_targets_are_not_unwrapped() {
        for input in [
            "https://www.google.com/url?q=javascript:alert(1)",
            "https://www.google.com/url?q=JavaScript%3Aalert(1)",
            "https://www.google.com/url?q=java%09script:alert(1)",
            "https://www.google.com/url?q=%20javascript:alert(1)",
            "https://www.google.com/url?q=data:text/html,x",
            "https://www.google.com/url?q=vbscript:x",
            "https://www.google.com/url?q=//evil.example/",
            "https://www.google.com/url?q=https://www.rfi.fr%252F@evil.example/",
            "https://www.google.com/url?q=https://user:pw@evil.example/",
            "https://www.google.com/url?q=not%20a%20url",
        ] {
            let change = rewrite(input, Base::default(), &rules(), &ShortLinks::new());
            assert_eq!(change.unwrapped, 0, "{input}");
            assert!(change.refused_unwrap, "{input}");
            let kept = change.url.as_deref().unwrap_or(input);
            assert!(
                kept.starts_with("https://www.google.com/url?q="),
                "{input} -> {kept}"
            );
        }
    }

    #[test]
    fn short_links() {
        let mut short = ShortLinks::new();
        short.insert(
            "AFiz".into(),
            "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/x?xtor=1".into(),
        );
        assert_eq!(
            clean_with("https://rfi.my/AFiz.F", &short),
            "https://www.rfi.fr/cn/中国/x"
        );
        assert_eq!(
            clean_with("https://rfi.my/AFiz", &short),
            "https://www.rfi.fr/cn/中国/x"
        );
        // case-sensitive, unknown codes and other shapes stay exactly as they were
        assert_eq!(
            clean_with("https://rfi.my/afiz.F", &short),
            "https://rfi.my/afiz.F"
        );
        assert_eq!(
            clean_with("https://rfi.my/Zzzz", &short),
            "https://rfi.my/Zzzz"
        );
        assert_eq!(
            clean_with("https://rfi.my/AFiz.FX", &short),
            "https://rfi.my/AFiz.FX"
        );
        assert_eq!(
            clean_with("https://rfi.my/AFiz?x=1", &short),
            "https://rfi.my/AFiz?x=1"
        );
    }

    #[test]
    fn share_links() {
        let r = rules();
        let is_share = |s: &str| share_service(&Url::parse(s).expect("parses"), &r).is_some();
        for link in [
            "https://www.facebook.com/sharer/sharer.php?u=x",
            "https://x.com/intent/tweet?url=x",
            "whatsapp://send?text=x",
            "https://wa.me/?text=x",
            "https://t.me/share/url?url=x",
            "mailto:?subject=a&body=b",
            "https://www.pinterest.fr/pin/create/button/?url=x",
            // issue 11
            "https://www.facebook.com/sharer?u=https%3A%2F%2Fa.com%2F&t=T",
            "https://b.hatena.ne.jp/add?mode=confirm&url=https%3A%2F%2Fa.com%2F&title=T",
            "https://b.hatena.ne.jp/entry/s/www.rfi.fr/fr/a",
            "https://plus.google.com/share?url=https%3A%2F%2Fa.com%2F",
            "https://engineering.fb.com/2021/01/26/ml-applications/news-feed-ranking/?share=threads&nb=1",
            "https://blog.example.org/2020/x/?share=jetpack-whatsapp&nb=1",
            "https://blog.example.org/2014/x/?share=google-plus-1",
            "https://bsky.app/intent/compose?text=T%20https%3A%2F%2Fa.com%2F",
            "https://www.threads.net/intent/post?text=T&url=https%3A%2F%2Fa.com%2F",
            "https://share.flipboard.com/bookmarklet/popout?v=2&title=T&url=https%3A%2F%2Fa.com%2F",
            "https://www.xing.com/spi/shares/new?url=https%3A%2F%2Fa.com%2F",
            "https://www.xing.com/social/share/spi?op=share&url=https%3A%2F%2Fa.com%2F",
            "https://getpocket.com/save?url=https%3A%2F%2Fa.com%2F&title=T",
            "https://getpocket.com/edit?url=https%3A%2F%2Fa.com%2F",
            "https://lineit.line.me/share/ui?url=https%3A%2F%2Fa.com%2F",
        ] {
            assert!(is_share(link), "{link} is a share link");
        }
        for link in [
            "https://www.facebook.com/RFI",
            "https://x.com/RFI_Cn",
            "https://t.me/rfi_cn",
            "https://wa.me/33612345678",
            "https://api.whatsapp.com/send?phone=336&text=hi",
            "mailto:redaction@rfi.fr?subject=hi",
            "mailto:?cc=x",
            // issue 11: not share links
            "https://www.facebook.com/sharers",
            "https://www.hs.fi/x/?share=abc123",
            "https://blog.example.org/x/?share=weekly",
            "https://plus.google.com/",
        ] {
            assert!(!is_share(link), "{link} is not a share link");
        }
    }

    /// The fast paths ([`is_untouched`], [`rewrite_plain`]) against the parser's path: whatever
    /// the scan lets through, the parser's path keeps as written (or changes as the text path
    /// does), reports the same for, and does not take for a share link.
    mod untouched {
        use std::path::{Path, PathBuf};

        use proptest::prelude::*;

        use super::*;

        /// Bases a document may have: none, plain, with a query, on rule hosts.
        const BASES: &[Option<&str>] = &[
            None,
            Some("https://www.example.org/dir/page.html?x=1#top"),
            Some("https://www.rfi.fr/fr/"),
            Some("http://www.theguardian.com/uk"),
            Some("https://blog.example.org/2020/x/?share=twitter"),
            Some("https://www.google.com/search?q=x"),
            Some("https://rfi.my/"),
            Some("https://l.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F"),
        ];

        fn short_links() -> ShortLinks {
            [("AFiz".to_owned(), "https://www.rfi.fr/fr/a".to_owned())].into()
        }

        /// `share_service` before its host index skipped rules: every rule, in order.
        fn share_service_by_every_rule<'r>(
            url: &Url,
            rules: &'r CompiledRules,
        ) -> Option<&'r CompiledShare> {
            rules.share.iter().find(|share| {
                let at_endpoint = if share.endpoints.is_empty() {
                    share.query_value.is_some() && is_web(url)
                } else {
                    share.endpoints.iter().any(|e| e.matches(url))
                };
                at_endpoint
                    && share.query_value.as_ref().is_none_or(|qv| {
                        url.query_pairs().any(|(k, v)| {
                            k == qv.name.as_str() && qv.values.iter().any(|x| x == &*v)
                        })
                    })
                    && (share.requires_any.is_empty()
                        || url.query_pairs().any(|(k, v)| {
                            !v.is_empty() && share.requires_any.iter().any(|r| r == &*k)
                        }))
                    && !url
                        .query_pairs()
                        .any(|(k, _)| share.unless.iter().any(|u| u == &*k))
            })
        }

        /// How many of `hrefs` (per base) took the fast path; panics where the two paths differ.
        fn check(raw: &str, rules: &CompiledRules, short: &ShortLinks) -> usize {
            let mut fast = 0;
            for base_str in BASES {
                let base_url = base_str.map(|b| Url::parse(b).expect("test base parses"));
                for absolute in [false, true] {
                    let base = Base {
                        url: base_url.as_ref(),
                        absolute,
                    };
                    let context = format!("{raw:?} on {base_str:?}, absolute: {absolute}");
                    let by_parsing = rewrite_by_parsing(raw, base, rules, short);
                    assert_eq!(rewrite(raw, base, rules, short), by_parsing, "{context}");
                    // What the link handler asks first (`rewrite::link::on_link`).
                    let share = resolve(trim_url(raw), base.url).and_then(|link| {
                        let share = share_service(&link.url, rules).map(|s| s as *const _);
                        let every = share_service_by_every_rule(&link.url, rules);
                        assert_eq!(share, every.map(|s| s as *const _), "{context}");
                        share.filter(|_| link.form != Form::SchemeRelativePath)
                    });
                    if is_untouched(trim_url(raw), base, rules) {
                        assert_eq!(by_parsing, LinkChange::default(), "{context}");
                        assert!(share.is_none(), "{context} is a share link");
                        fast += 1;
                    } else if let Some(change) = rewrite_plain(trim_url(raw), rules) {
                        assert_eq!(change, by_parsing, "{context}, on the text");
                        assert!(share.is_none(), "{context} is a share link");
                        fast += 1;
                    }
                }
            }
            fast
        }

        #[test]
        fn table() {
            let rules = rules();
            // (href, base, absolute, fast path taken)
            let cases: &[(&str, Option<&str>, bool, bool)] = &[
                ("https://example.com/a/b-c_d.html", None, false, true),
                ("http://www.rfi.fr/fr/afrique/20240101-x", None, false, true),
                ("https://example.com/?id=3&page=2#top", None, false, true),
                ("https://example.com/a%20b%2F?q=%41", None, false, true),
                ("https://a-b.example.com/", None, false, true),
                ("/fr/afrique/", None, false, true),
                ("/fr/afrique/", Some("https://www.rfi.fr/fr/"), false, true),
                ("../a/./b", None, false, true),
                ("//s.rfi.fr/media/a.jpg", None, false, true),
                ("#top", Some("https://www.rfi.fr/fr/"), false, true),
                ("?page=2", None, false, true),
                // made absolute
                ("/fr/afrique/", Some("https://www.rfi.fr/fr/"), true, false),
                (
                    "https://example.com/a",
                    Some("https://www.rfi.fr/fr/"),
                    true,
                    true,
                ),
                // the parser would write it otherwise
                ("https://example.com", None, false, false),
                ("https://example.com?q", None, false, false),
                ("HTTPS://example.com/", None, false, false),
                ("https://Example.com/", None, false, false),
                ("https://example.com:443/", None, false, false),
                ("https://example.com:8080/", None, false, false),
                ("https://u@example.com/", None, false, false),
                ("https://xn--80ak6aa92e.com/", None, false, false),
                ("https://1.2.3.4/", None, false, false),
                ("https://0x7f.1/", None, false, false),
                ("https://example.com./", None, false, false),
                ("https://a..b/", None, false, false),
                ("https://example.com/a/../b", None, false, false),
                ("https://example.com/a/%2e/b", None, false, false),
                ("https://example.com/a/.", None, false, false),
                ("https://example.com/a b", None, false, false),
                ("https://example.com/a\\b", None, false, false),
                ("https://example.com/'", None, false, false),
                ("https://example.com/é", None, false, false),
                ("https:example.com/x", None, false, false),
                ("https:/example.com/x", None, false, false),
                // decoded for display
                ("https://example.com/%C3%A9", None, false, false),
                ("/%e4%b8%ad", None, false, false),
                // rules
                ("https://example.com/?utm_source=x", None, false, false),
                ("https://example.com/?UTM_Source=x", None, false, false),
                ("https://example.com/?utm%5Fsource=x", None, false, false),
                ("https://example.com/#xtor=RSS-1", None, false, false),
                ("/a?fbclid=1", None, false, false),
                (
                    "/world/x?CMP=a",
                    Some("https://www.theguardian.com/uk"),
                    false,
                    false,
                ),
                ("https://www.google.com/url?q=x", None, false, false),
                ("https://www.google.fr/", None, false, false),
                ("https://rfi.my/AFiz", None, false, false),
                ("https://www.rfi.my/AFiz.F", None, false, false),
                ("https://www.facebook.com/RFI", None, false, false),
                ("https://example.com/?share=twitter", None, false, false),
                ("https://example.com/?shar%65=x", None, false, false),
                (
                    "#top",
                    Some("https://blog.example.org/2020/x/?share=twitter"),
                    false,
                    false,
                ),
                (
                    "/url?q=x",
                    Some("https://www.google.com/search?q=x"),
                    false,
                    false,
                ),
                ("mailto:a@example.com", None, false, false),
                ("a:b", None, false, false),
                ("", None, false, false),
            ];
            let short = short_links();
            for &(raw, base, absolute, expected) in cases {
                let base_url = base.map(|b| Url::parse(b).expect("test base parses"));
                let base = Base {
                    url: base_url.as_ref(),
                    absolute,
                };
                assert_eq!(is_untouched(raw, base, &rules), expected, "{raw:?}");
                check(raw, &rules, &short);
            }
        }

        #[test]
        fn text_path_table() {
            let rules = rules();
            let short = short_links();
            // (href, what the text path gives: None if it leaves it to the parser)
            let cases: &[(&str, Option<&str>)] = &[
                ("https://example.com/a", Some("https://example.com/a")),
                (
                    "https://example.com/%C3%A9?q=%E4%B8%AD#%C3%A9",
                    Some("https://example.com/é?q=中#é"),
                ),
                (
                    "https://www.rfi.fr/cn/%E4%B8%AD?xtor=CS1-1",
                    Some("https://www.rfi.fr/cn/中"),
                ),
                (
                    "https://example.com/a?utm_source=x&id=1&fbclid=2",
                    Some("https://example.com/a?id=1"),
                ),
                (
                    "https://example.com/a?utm_source=x#xtor=RSS-1",
                    Some("https://example.com/a"),
                ),
                (
                    "https://example.com/a?#top",
                    Some("https://example.com/a?#top"),
                ),
                (
                    "https://example.com/a/%2F%41",
                    Some("https://example.com/a/%2F%41"),
                ),
                // the parser's
                ("https://example.com", None),
                ("https://example.com/a/../%C3%A9", None),
                ("https://example.com/é", None),
                ("https://Example.com/%C3%A9", None),
                ("https://example.com/?share=twitter", None),
                ("https://rfi.my/AFiz", None),
                (
                    "https://l.facebook.com/l.php?u=https%3A%2F%2Fa.com%2F",
                    None,
                ),
                ("/cn/%E4%B8%AD", None),
            ];
            for &(raw, expected) in cases {
                let change = rewrite_plain(raw, &rules);
                let shown = change.map(|c| c.url.unwrap_or_else(|| raw.to_owned()));
                assert_eq!(shown.as_deref(), expected, "{raw}");
                check(raw, &rules, &short);
            }
        }

        /// How an href starts.
        const STARTS: &[&str] = &[
            "https://",
            "http://",
            "HTTPS://",
            "https:",
            "https:/",
            "//",
            "\\\\",
            "/",
            "",
            "./",
            "../",
            "?",
            "#",
            "mailto:",
            "a:",
            "whatsapp://send",
            " https://",
        ];

        /// Hosts in and near the rules' indexes, and what the parser rewrites.
        const HOSTS: &[&str] = &[
            "example.com",
            "www.rfi.fr",
            "rfi.my",
            "www.rfi.my",
            "f24.my",
            "rfi.my.example",
            "l.facebook.com",
            "facebook.com",
            "notfacebook.com",
            "www.google.com",
            "google.co.uk",
            "googlex.com",
            "www.google.com.example.net",
            "x.com",
            "t.co",
            "www.theguardian.com",
            "youtu.be",
            "www.youtube.com",
            "news.ycombinator.com",
            "relative.invalid",
            "Example.com",
            "EXAMPLE.COM",
            "xn--80ak6aa92e.com",
            "xn--a.com",
            "1.2.3.4",
            "0x7f.1",
            "a.1com",
            "1.2.3",
            "a..b",
            "a.b.",
            ".a.b",
            "-a.com",
            "a-.com",
            "a--b.com",
            "example.com:443",
            "example.com:8080",
            "example.com:",
            "u@example.com",
            "[::1]",
            "a%41.com",
            "é.com",
            "a_b.com",
            "",
        ];

        /// Pieces of paths: dots, escapes, what the parser encodes.
        const PATH: &[&str] = &[
            "/", "a", "B", "AFiz", "AFiz.F", "url", "l.php", "amp/s/", ".", "..", "%2e", "%2E",
            ".%2E", "%41", "%7e", "%C3%A9", "%e9", "%zz", "%", "%8", "\\", " ", "\t", "\n", "é",
            "'", "\"", "<", "^", "|", "`", "{", "[", "]", ";", "=", "&", "+", ":", "@", "!", "$",
            "~", "(", "*", ",", "?", "#",
        ];

        /// Query parameter names: tracking ones in several cases and spellings, share ones.
        const NAMES: &[&str] = &[
            "utm_source",
            "UTM_SOURCE",
            "Utm_Medium",
            "utm%5Fsource",
            "utm_",
            "fbclid",
            "FBCLID",
            "gclid",
            "id",
            "share",
            "SHARE",
            "shar%65",
            "share+",
            "q",
            "u",
            "url",
            "igshid",
            "CMP",
            "si",
            "s",
            "t",
            "xtor",
            "xts",
            "at_medium",
            "at_foo",
            "ref_src",
            "smid",
            "",
            "a+b",
            "%E4%B8%AD",
        ];

        const VALUES: &[&str] = &[
            "1",
            "twitter",
            "x",
            "",
            "https%3A%2F%2Fa.com%2F",
            "https://a.com/",
            "a+b",
            "%E4%B8%AD",
            "%41",
            "'",
            " ",
        ];

        const FRAGMENTS: &[&str] = &[
            "top",
            "",
            "xtor=RSS-1",
            "?pk_campaign=x&k=1",
            "a=1",
            "Echobox=1",
            "x#y",
            "%C3%A9",
            "a b",
            "`",
        ];

        /// Plain pieces, that the fast path takes, drawn half of the time.
        const PLAIN_HOSTS: &[&str] = &[
            "example.com",
            "a-b.example.org",
            "s.rfi.fr",
            "www.bbc.co.uk",
        ];
        const PLAIN_PATH: &[&str] = &["/", "a", "news-2024", "x.html", "%20", ";p=1", "@u", "~t"];
        const PLAIN_NAMES: &[&str] = &["id", "page", "ref", "a.b", "lang"];
        const PLAIN_STARTS: &[&str] = &["https://", "http://", "//", "/", "../", "?", "#"];
        const PLAIN_VALUES: &[&str] = &["1", "a-b", "x.y", "%2F"];

        fn pick(list: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
            prop::sample::select(list)
        }

        fn mostly_plain(
            plain: &'static [&'static str],
            list: &'static [&'static str],
        ) -> impl Strategy<Value = &'static str> {
            prop_oneof![pick(plain), pick(list)]
        }

        fn href() -> impl Strategy<Value = String> {
            let value = mostly_plain(PLAIN_VALUES, VALUES);
            let pair = (mostly_plain(PLAIN_NAMES, NAMES), prop::option::of(value))
                .prop_map(|(n, v)| v.map_or(n.to_owned(), |v| format!("{n}={v}")));
            (
                mostly_plain(PLAIN_STARTS, STARTS),
                mostly_plain(PLAIN_HOSTS, HOSTS),
                any::<bool>(),
                prop::collection::vec(
                    prop::collection::vec(mostly_plain(PLAIN_PATH, PATH), 1..3),
                    0..5,
                ),
                prop::option::of(prop::collection::vec(pair, 0..4)),
                prop::option::of(pick(FRAGMENTS)),
            )
                .prop_map(|(start, host, slash, segments, query, fragment)| {
                    let mut href = start.to_owned();
                    if start.ends_with("//") || start.ends_with("\\\\") {
                        href.push_str(host);
                    }
                    if slash {
                        href.push('/');
                    }
                    let segments: Vec<String> = segments.iter().map(|s| s.concat()).collect();
                    href.push_str(&segments.join("/"));
                    if let Some(pairs) = query {
                        href.push('?');
                        href.push_str(&pairs.join("&"));
                    }
                    if let Some(fragment) = fragment {
                        href.push('#');
                        href.push_str(fragment);
                    }
                    href
                })
        }

        /// Hrefs that take the fast path, for one byte or character to be put into.
        const PLAIN_HREFS: &[&str] = &[
            "https://example.com/a/b.html?x=1&y=2#f",
            "http://s.rfi.fr/p;v=1/@u?q=a:b#t",
            "//s.rfi.fr/p?q=1#t",
            "/fr/a?page=2#top",
            "../a/b.html?x=y",
            "?id=3",
            "#top",
        ];

        /// A plain href with one ASCII byte, or a character that is not, put in at some place.
        fn plain_href_and_one_more() -> impl Strategy<Value = String> {
            let extra = prop_oneof![
                12 => (0u8..128).prop_map(char::from),
                1 => Just('é'),
                1 => Just('\u{a0}'),
                1 => Just('\u{3000}'),
            ];
            (pick(PLAIN_HREFS), extra, any::<prop::sample::Index>()).prop_map(|(href, c, at)| {
                let at = at.index(href.len() + 1);
                format!("{}{c}{}", &href[..at], &href[at..])
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn generated_hrefs(raw in href()) {
                check(&raw, &rules(), &short_links());
            }

            #[test]
            fn plain_hrefs_with_one_more_character(raw in plain_href_and_one_more()) {
                check(&raw, &rules(), &short_links());
            }
        }

        #[test]
        fn generated_hrefs_reach_the_fast_path() {
            // A property that never meets the fast path proves nothing about it.
            use proptest::strategy::ValueTree;
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            let rules = rules();
            let short = short_links();
            let (fast, total) = (0..2000).fold((0, 0), |(fast, total), _| {
                let raw = href().new_tree(&mut runner).expect("generates").current();
                (fast + check(&raw, &rules, &short), total + 2 * BASES.len())
            });
            assert!(fast * 10 > total, "{fast} of {total} generated cases");
        }

        /// Every `href` and `src` of the pages in `dir` (entities undone).
        fn hrefs_in(dir: &Path) -> Vec<String> {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return Vec::new();
            };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            paths.sort();
            let mut hrefs = Vec::new();
            for path in paths {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let mut found = Vec::new();
                let collect = lol_html::element!("[href], [src]", |el| {
                    for name in ["href", "src"] {
                        if let Some(value) = el.get_attribute(name) {
                            found.push(htmlize::unescape_attribute(&value).into_owned());
                        }
                    }
                    Ok(())
                });
                let mut rewriter = lol_html::HtmlRewriter::new(
                    lol_html::Settings::new().append_element_content_handler(collect),
                    |_: &[u8]| {},
                );
                let ended = rewriter.write(&bytes).and_then(|()| rewriter.end());
                assert!(ended.is_ok(), "{} reads", path.display());
                hrefs.append(&mut found);
            }
            hrefs
        }

        /// Checks every href of the pages in `dir`; returns (fast, checked) counts per base.
        fn check_pages(dir: &Path) -> (usize, usize) {
            let rules = rules();
            let short = short_links();
            let hrefs = hrefs_in(dir);
            let fast = hrefs.iter().map(|h| check(h, &rules, &short)).sum();
            (fast, hrefs.len() * 2 * BASES.len())
        }

        #[test]
        fn fixture_and_generated_corpus_hrefs() {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let (fast, total) = check_pages(&root.join("fixtures"));
            assert!(total > 0 && fast > 0, "fixtures: {fast} of {total}");
            let corpus = root.join("target/link-corpus-40");
            if std::fs::read_dir(&corpus).map_or(0, |d| d.count()) < 40 {
                let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen-corpus");
                let Ok(status) = std::process::Command::new("python3")
                    .arg(&generator)
                    .args(["--count", "40", "--seed", "1", "--out"])
                    .arg(&corpus)
                    .status()
                else {
                    eprintln!("python3 not found: generated corpus skipped");
                    return;
                };
                assert!(status.success(), "gen-corpus failed");
            }
            let (fast, total) = check_pages(&corpus);
            eprintln!("generated corpus: {fast} of {total} (href, base) pairs took the fast path");
            assert!(fast * 10 > total, "generated corpus: {fast} of {total}");
        }

        #[test]
        fn real_page_hrefs() {
            // CI has `../shared` beside the clone; elsewhere the test has nothing to read.
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let Some(pages) = [
                root.join("../shared/real-pages/pages"),
                PathBuf::from("/work/shared/real-pages/pages"),
            ]
            .into_iter()
            .find(|p| p.is_dir()) else {
                eprintln!("no real pages: skipped");
                return;
            };
            let (fast, total) = check_pages(&pages);
            eprintln!("real pages: {fast} of {total} (href, base) pairs took the fast path");
            assert!(fast > 0, "real pages: {fast} of {total}");
        }
    }
}
