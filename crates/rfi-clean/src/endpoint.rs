//! URL patterns: the endpoints of share and redirector rules (`facebook.com/dialog/share`,
//! `google.*/url`, `whatsapp://send`, `mailto:`), the host index that turns most URLs away
//! without trying every pattern.

use std::collections::HashSet;

use url::Url;

use crate::Error;

/// Which URLs an endpoint pattern matches.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// `None`: http or https. `Some(s)`: exactly that scheme.
    scheme: Option<String>,
    host: HostPattern,
    path: PathPattern,
}

#[derive(Debug, Clone)]
enum HostPattern {
    /// Any host (only for non-http schemes written as `mailto:`).
    Any,
    /// This domain or one of its subdomains.
    Domain(String),
    /// `name.*`: the label `name` followed by one or two more labels, anywhere after a dot.
    AnyTld(String),
    /// Exactly this authority (non-http schemes: `whatsapp://send`).
    Exact(String),
}

#[derive(Debug, Clone)]
enum PathPattern {
    Any,
    /// This path, with or without a trailing slash.
    Exact(String),
    /// A folder: the path itself and everything under it.
    Folder(String),
}

impl Endpoint {
    pub(crate) fn parse(pattern: &str) -> Result<Endpoint, Error> {
        let invalid = |reason: &str| Error::InvalidRule {
            rule: pattern.to_owned(),
            reason: reason.to_owned(),
        };
        if pattern.trim() != pattern || pattern.is_empty() {
            return Err(invalid("empty or padded with spaces"));
        }
        if let Some((scheme, rest)) = pattern.split_once("://") {
            if scheme.is_empty() {
                return Err(invalid("no scheme before ://"));
            }
            if scheme == "http" || scheme == "https" {
                return Err(invalid("write http(s) endpoints without a scheme"));
            }
            let (host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], PathPattern::from_str(&rest[i..])),
                None => (rest, PathPattern::Any),
            };
            if host.is_empty() {
                return Err(invalid("no authority after ://"));
            }
            return Ok(Endpoint {
                scheme: Some(scheme.to_ascii_lowercase()),
                host: HostPattern::Exact(host.to_ascii_lowercase()),
                path,
            });
        }
        if let Some(scheme) = pattern.strip_suffix(':') {
            if scheme.is_empty()
                || !scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(invalid("a bare scheme must look like `mailto:`"));
            }
            return Ok(Endpoint {
                scheme: Some(scheme.to_ascii_lowercase()),
                host: HostPattern::Any,
                path: PathPattern::Exact(String::new()),
            });
        }
        let (host, path) = match pattern.find('/') {
            Some(i) => (&pattern[..i], PathPattern::from_str(&pattern[i..])),
            None => (pattern, PathPattern::Any),
        };
        let host = host.to_ascii_lowercase();
        if host.is_empty() || host.starts_with('.') || host.contains(':') {
            return Err(invalid("expected a host such as `example.com`"));
        }
        let host = match host.strip_suffix(".*") {
            Some(name) if !name.contains('*') => HostPattern::AnyTld(name.to_owned()),
            _ if host.contains('*') => return Err(invalid("`*` is only allowed as `name.*`")),
            _ => HostPattern::Domain(host),
        };
        Ok(Endpoint {
            scheme: None,
            host,
            path,
        })
    }

    /// Does `url` point at this endpoint?
    pub(crate) fn matches(&self, url: &Url) -> bool {
        let scheme_ok = match &self.scheme {
            None => matches!(url.scheme(), "http" | "https"),
            Some(s) => url.scheme() == s,
        };
        scheme_ok
            && self.host.matches(url.host_str().unwrap_or(""))
            && self.path.matches(url.path())
    }

    /// Does the pattern name a folder (`out.reddit.com/`, `href.li/`)?
    pub(crate) fn is_folder(&self) -> bool {
        matches!(self.path, PathPattern::Folder(_))
    }

    /// The part of the path after a folder pattern, or after the `/` of a host-only pattern (for `prefix` redirectors).
    pub(crate) fn rest_of_path<'u>(&self, url: &'u Url) -> Option<&'u str> {
        match &self.path {
            PathPattern::Folder(folder) => url.path().strip_prefix(folder.as_str()),
            PathPattern::Any => url.path().strip_prefix('/'),
            _ => None,
        }
    }
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Exact(h) => host.eq_ignore_ascii_case(h),
            HostPattern::Domain(d) => is_same_or_subdomain(host, d),
            HostPattern::AnyTld(name) => {
                // www.google.co.uk: find `google.` at the start or after a dot, then one or two labels.
                let mut from = 0;
                while let Some(i) = host[from..].find(name.as_str()) {
                    let at = from + i;
                    let before_ok = at == 0 || host.as_bytes()[at - 1] == b'.';
                    let rest = &host[at + name.len()..];
                    if before_ok {
                        if let Some(tld) = rest.strip_prefix('.') {
                            let labels = tld.split('.').count();
                            if !tld.is_empty()
                                && labels <= 2
                                && tld.split('.').all(|l| !l.is_empty())
                            {
                                return true;
                            }
                        }
                    }
                    from = at + 1;
                }
                false
            }
        }
    }
}

impl PathPattern {
    /// A path ending in `/` covers its whole subtree (`out.reddit.com/` matches
    /// `/t3_abc`); a trailing `$` makes it exact (`wa.me/$` is the root only).
    fn from_str(path: &str) -> PathPattern {
        if let Some(exact) = path.strip_suffix('$') {
            PathPattern::Exact(exact.to_owned())
        } else if path.ends_with('/') {
            PathPattern::Folder(path.to_owned())
        } else {
            PathPattern::Exact(path.to_owned())
        }
    }

    fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::Any => true,
            PathPattern::Exact(p) if p.is_empty() => path.is_empty(),
            PathPattern::Exact(p) if p == "/" => path == "/" || path.is_empty(),
            PathPattern::Exact(p) => {
                path == p || path.strip_suffix('/').is_some_and(|trimmed| trimmed == p)
            }
            PathPattern::Folder(f) => {
                path.starts_with(f.as_str()) || path == &f[..f.len() - 1] || f == "/"
            }
        }
    }
}

/// `host` is `domain` or one of its subdomains (ASCII case-insensitive).
pub(crate) fn is_same_or_subdomain(host: &str, domain: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.len() == domain.len() {
        return host.eq_ignore_ascii_case(domain);
    }
    host.len() > domain.len()
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
}

/// The hosts and schemes a set of endpoints can match, to turn most URLs away without trying
/// every pattern (most links point at ordinary sites).
#[derive(Debug, Clone, Default)]
pub(crate) struct HostIndex {
    /// Domains, matched by the host or any of its parent domains.
    /// FxHash: every link's host and its parent domains are looked up here, and SipHash cost
    /// more than the lookup's other work (the keys are the rules' own domains, not the pages').
    domains: rustc_hash::FxHashSet<String>,
    /// `name.*` patterns: the name, matched by a label of the host.
    any_tld: Vec<String>,
    /// Schemes other than http(s).
    schemes: HashSet<String>,
}

impl HostIndex {
    pub(crate) fn new<'e>(endpoints: impl Iterator<Item = &'e Endpoint>) -> HostIndex {
        let mut index = HostIndex::default();
        for endpoint in endpoints {
            if let Some(scheme) = &endpoint.scheme {
                index.schemes.insert(scheme.clone());
                continue;
            }
            match &endpoint.host {
                HostPattern::Domain(d) => {
                    index.domains.insert(d.clone());
                }
                HostPattern::AnyTld(name) => index.any_tld.push(name.clone()),
                HostPattern::Any | HostPattern::Exact(_) => {}
            }
        }
        index
    }

    /// Could some endpoint of the index match `url`? (`false` is certain; `true` needs a check.)
    pub(crate) fn may_match(&self, url: &Url) -> bool {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return self.schemes.contains(scheme);
        }
        self.may_match_host(url.host_str().unwrap_or(""))
    }

    /// As [`HostIndex::may_match`], for an http(s) URL with this host (as the parser writes it:
    /// lowercase ASCII).
    pub(crate) fn may_match_host(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        // The host and each parent domain, and each label for `name.*` (a byte loop: this runs
        // for every link).
        let bytes = host.as_bytes();
        let mut start = 0;
        loop {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'.')
                .map_or(bytes.len(), |i| start + i);
            let label = &host[start..end];
            if self.domains.contains(&host[start..]) || self.any_tld.iter().any(|n| n == label) {
                return true;
            }
            if end == bytes.len() {
                return false;
            }
            start = end + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL parses")
    }

    #[test]
    fn endpoint_patterns() {
        let cases = [
            (
                "facebook.com/dialog/share",
                "https://www.facebook.com/dialog/share?x=1",
                true,
            ),
            (
                "facebook.com/dialog/share",
                "https://m.facebook.com/dialog/share/",
                true,
            ),
            (
                "facebook.com/dialog/share",
                "https://notfacebook.com/dialog/share",
                false,
            ),
            (
                "facebook.com/dialog/share",
                "https://www.facebook.com/dialog/shares",
                false,
            ),
            (
                "facebook.com/dialog/share",
                "ftp://www.facebook.com/dialog/share",
                false,
            ),
            (
                "pinterest.*/pin/create/",
                "https://www.pinterest.co.uk/pin/create/button/",
                true,
            ),
            (
                "pinterest.*/pin/create/",
                "https://pinterest.fr/pin/create",
                true,
            ),
            (
                "pinterest.*/pin/create/",
                "https://pinterest.evil.example.com/pin/create/",
                false,
            ),
            ("google.*/url", "https://www.google.com/url?q=x", true),
            ("google.*/url", "https://google.co.jp/url", true),
            ("google.*/url", "https://notgoogle.com/url", false),
            ("whatsapp://send", "whatsapp://send?text=x", true),
            ("whatsapp://send", "whatsapp://call?text=x", false),
            ("mailto:", "mailto:?subject=x", true),
            ("mailto:", "mailto:someone@example.com?subject=x", false),
            ("wa.me/$", "https://wa.me/?text=x", true),
            ("wa.me/$", "https://wa.me?text=x", true),
            ("wa.me/$", "https://wa.me/33612345678?text=x", false),
            // a folder covers its subtree, the root folder everything on the host
            (
                "out.reddit.com/",
                "https://out.reddit.com/t3_abc?url=x",
                true,
            ),
            ("out.reddit.com/", "https://out.reddit.com/?url=x", true),
            ("out.reddit.com/", "https://out.reddit.com?url=x", true),
            ("out.reddit.com/", "https://reddit.com/t3_abc?url=x", false),
            (
                "click.redditmail.com/",
                "https://click.redditmail.com/CL0/x/1/2",
                true,
            ),
            (
                "facebook.com/flx/warn/",
                "https://www.facebook.com/flx/warn/?u=x",
                true,
            ),
            (
                "facebook.com/flx/warn/",
                "https://m.facebook.com/flx/warn?u=x",
                true,
            ),
            (
                "facebook.com/flx/warn/",
                "https://www.facebook.com/flx/warning",
                false,
            ),
        ];
        for (pattern, input, expected) in cases {
            let endpoint = Endpoint::parse(pattern).expect("pattern parses");
            assert_eq!(
                endpoint.matches(&url(input)),
                expected,
                "{pattern} vs {input}"
            );
        }
    }

    #[test]
    fn malformed_patterns_are_errors() {
        for bad in [
            "",
            " x.com",
            "https://x.com/share",
            "*.x.com/a",
            "://x",
            ":",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
