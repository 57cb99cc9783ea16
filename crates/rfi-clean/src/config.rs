//! The rules as data: share endpoints, share labels, short-link hosts, redirectors and tracking
//! parameters. The defaults live in `rules.toml`, compiled in; [`Rules`] is its typed form, and
//! `CompiledRules` is what the link and share stages match against.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The built-in rules file, as text (what `rfi-clean --print-config` prints).
pub const DEFAULT_RULES_TOML: &str = include_str!("rules.toml");

/// Every rule rfi-clean applies, as data.
///
/// `Rules::default()` is the built-in set (see [`DEFAULT_RULES_TOML`]). A rules file in the
/// same format can replace it ([`Rules::from_toml`]) or extend it ([`Rules::extend`]).
///
/// ```
/// let rules = rfi_clean::Rules::default();
/// assert!(rules.share_labels.iter().any(|label| label == "分享"));
/// assert!(rules.tracking.names.iter().any(|name| name == "fbclid"));
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rules {
    /// In a user's rules file: `true` replaces the built-in rules, `false` (the default) adds to
    /// them. See [`CleanerBuilder::apply_rules`](crate::CleanerBuilder::apply_rules).
    #[serde(default)]
    pub replace_defaults: bool,
    /// Words that head a share bar (`分享`, `Partager`, `Share`…).
    #[serde(default)]
    pub share_labels: Vec<String>,
    /// Hosts of tracking short links (`rfi.my`), resolved from the document itself.
    #[serde(default)]
    pub short_link_hosts: Vec<String>,
    /// Share endpoints: a link to one of them is a share button.
    #[serde(default)]
    pub share: Vec<ShareRule>,
    /// Redirectors that carry their target in a parameter or in the path.
    #[serde(default)]
    pub redirector: Vec<RedirectorRule>,
    /// Tracking parameters stripped from every kept URL.
    #[serde(default)]
    pub tracking: TrackingRules,
    /// What the sanitizer allows beyond its policy.
    #[serde(default)]
    pub sanitizer: SanitizerRules,
}

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

/// One share service and its endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ShareRule {
    /// Name of the service, for reports.
    pub service: String,
    /// Endpoint patterns (`facebook.com/dialog/share`, `whatsapp://send`, `mailto:`).
    pub endpoints: Vec<String>,
    /// Query parameters that carry the shared URL, or a text that contains it.
    #[serde(default)]
    pub carries: Vec<String>,
    /// The link is a share link only if one of these parameters is present.
    #[serde(default)]
    pub requires_any: Vec<String>,
    /// The link is not a share link if one of these parameters is present.
    #[serde(default)]
    pub unless: Vec<String>,
}

/// One redirector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RedirectorRule {
    /// Endpoint patterns (`google.*/url`, `l.facebook.com/l.php`).
    pub endpoints: Vec<String>,
    /// Query parameters that carry the target, tried in order.
    #[serde(default)]
    pub params: Vec<String>,
    /// The target is the rest of the path after the endpoint, taken as `https://` + rest.
    #[serde(default)]
    pub prefix: bool,
}

/// Tracking parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TrackingRules {
    /// Name prefixes stripped everywhere (`utm_`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Exact names stripped everywhere (`fbclid`).
    #[serde(default)]
    pub names: Vec<String>,
    /// Names stripped only on some hosts.
    #[serde(default)]
    pub scoped: Vec<ScopedTracking>,
    /// Names stripped only when another parameter is present.
    #[serde(default)]
    pub conditional: Vec<ConditionalTracking>,
}

/// Names stripped only on some hosts and their subdomains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScopedTracking {
    /// The hosts.
    pub hosts: Vec<String>,
    /// The names.
    pub names: Vec<String>,
}

/// Names (or prefixes) stripped only when one of `when_present` is in the same query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConditionalTracking {
    /// Exact names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Name prefixes.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// The parameters whose presence triggers stripping.
    pub when_present: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules::from_toml(DEFAULT_RULES_TOML).expect("the built-in rules file is valid")
    }
}

impl Rules {
    /// Parses a rules file in the format of [`DEFAULT_RULES_TOML`].
    ///
    /// ```
    /// let rules = rfi_clean::Rules::from_toml("share_labels = [\"Teilen\"]")?;
    /// assert_eq!(rules.share_labels, ["Teilen"]);
    /// assert!(rules.share.is_empty());
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidRules`] if the text is not TOML or has unknown or mistyped keys
    /// (the message names the key and line), [`Error::InvalidRule`] if a pattern is malformed.
    pub fn from_toml(text: &str) -> Result<Rules, Error> {
        let rules: Rules = toml::from_str(text).map_err(|e| Error::InvalidRules(e.to_string()))?;
        CompiledRules::new(&rules)?;
        Ok(rules)
    }

    /// Serialises the rules as a TOML rules file.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("rules always serialise")
    }

    /// Adds every rule of `other` to these rules (lists are appended).
    ///
    /// ```
    /// let mut rules = rfi_clean::Rules::default();
    /// rules.extend(rfi_clean::Rules::from_toml("share_labels = [\"Teilen\"]")?);
    /// assert!(rules.share_labels.iter().any(|l| l == "Teilen"));
    /// assert!(rules.share_labels.iter().any(|l| l == "Partager"));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn extend(&mut self, other: Rules) {
        self.share_labels.extend(other.share_labels);
        self.short_link_hosts.extend(other.short_link_hosts);
        self.share.extend(other.share);
        self.redirector.extend(other.redirector);
        self.tracking.prefixes.extend(other.tracking.prefixes);
        self.tracking.names.extend(other.tracking.names);
        self.tracking.scoped.extend(other.tracking.scoped);
        self.tracking.conditional.extend(other.tracking.conditional);
        self.sanitizer.add_tags.extend(other.sanitizer.add_tags);
        self.sanitizer
            .add_generic_attributes
            .extend(other.sanitizer.add_generic_attributes);
        for (tag, attributes) in other.sanitizer.add_tag_attributes {
            self.sanitizer
                .add_tag_attributes
                .entry(tag)
                .or_default()
                .extend(attributes);
        }
    }
}

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
    pub(crate) fn matches(&self, url: &url::Url) -> bool {
        let scheme_ok = match &self.scheme {
            None => matches!(url.scheme(), "http" | "https"),
            Some(s) => url.scheme() == s,
        };
        scheme_ok
            && self.host.matches(url.host_str().unwrap_or(""))
            && self.path.matches(url.path())
    }

    /// The part of the path after a folder pattern (for `prefix` redirectors).
    pub(crate) fn rest_of_path<'u>(&self, url: &'u url::Url) -> Option<&'u str> {
        match &self.path {
            PathPattern::Folder(folder) => url.path().strip_prefix(folder.as_str()),
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
    fn from_str(path: &str) -> PathPattern {
        if path == "/" {
            PathPattern::Exact("/".to_owned())
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
            PathPattern::Folder(f) => path.starts_with(f.as_str()) || path == &f[..f.len() - 1],
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

#[derive(Debug, Clone)]
pub(crate) struct CompiledShare {
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) carries: Vec<String>,
    pub(crate) requires_any: Vec<String>,
    pub(crate) unless: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRedirector {
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) params: Vec<String>,
    pub(crate) prefix: bool,
}

/// The rules in the form the stages match against: patterns parsed once per `Cleaner`.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRules {
    /// Labels, lowercased, without a trailing colon.
    pub(crate) share_labels: Vec<String>,
    pub(crate) short_link_hosts: Vec<String>,
    pub(crate) share: Vec<CompiledShare>,
    pub(crate) share_hosts: HostIndex,
    pub(crate) redirectors: Vec<CompiledRedirector>,
    pub(crate) redirector_hosts: HostIndex,
    pub(crate) tracking: TrackingRules,
}

/// The hosts and schemes a set of endpoints can match, to turn most URLs away without trying
/// every pattern (most links point at ordinary sites).
#[derive(Debug, Clone, Default)]
pub(crate) struct HostIndex {
    /// Domains, matched by the host or any of its parent domains.
    domains: std::collections::HashSet<String>,
    /// `name.*` patterns: the name, found in the host.
    any_tld: Vec<String>,
    /// Schemes other than http(s).
    schemes: std::collections::HashSet<String>,
}

impl HostIndex {
    fn new<'e>(endpoints: impl Iterator<Item = &'e Endpoint>) -> HostIndex {
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
                HostPattern::AnyTld(name) => index.any_tld.push(format!("{name}.")),
                HostPattern::Any | HostPattern::Exact(_) => {}
            }
        }
        index
    }

    /// Could some endpoint of the index match `url`? (`false` is certain; `true` needs a check.)
    pub(crate) fn may_match(&self, url: &url::Url) -> bool {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return self.schemes.contains(scheme);
        }
        let host = url.host_str().unwrap_or("");
        let host = host.strip_suffix('.').unwrap_or(host);
        let mut rest = host;
        loop {
            if self.domains.contains(rest) {
                return true;
            }
            match rest.find('.') {
                Some(i) => rest = &rest[i + 1..],
                None => break,
            }
        }
        self.any_tld.iter().any(|name| host.contains(name.as_str()))
    }
}

impl CompiledRules {
    pub(crate) fn new(rules: &Rules) -> Result<CompiledRules, Error> {
        let endpoints = |patterns: &[String]| -> Result<Vec<Endpoint>, Error> {
            patterns.iter().map(|p| Endpoint::parse(p)).collect()
        };
        let share: Vec<CompiledShare> = rules
            .share
            .iter()
            .map(|s| {
                Ok(CompiledShare {
                    endpoints: endpoints(&s.endpoints)?,
                    carries: s.carries.clone(),
                    requires_any: s.requires_any.clone(),
                    unless: s.unless.clone(),
                })
            })
            .collect::<Result<_, Error>>()?;
        let redirectors: Vec<CompiledRedirector> = rules
            .redirector
            .iter()
            .map(|r| {
                let compiled = CompiledRedirector {
                    endpoints: endpoints(&r.endpoints)?,
                    params: r.params.clone(),
                    prefix: r.prefix,
                };
                if compiled.prefix
                    && compiled
                        .endpoints
                        .iter()
                        .any(|e| !matches!(e.path, PathPattern::Folder(_)))
                {
                    return Err(Error::InvalidRule {
                        rule: r.endpoints.join(", "),
                        reason: "a `prefix` redirector needs endpoints that end in `/`".into(),
                    });
                }
                if !compiled.prefix && compiled.params.is_empty() {
                    return Err(Error::InvalidRule {
                        rule: r.endpoints.join(", "),
                        reason: "a redirector needs `params` or `prefix = true`".into(),
                    });
                }
                Ok(compiled)
            })
            .collect::<Result<_, Error>>()?;
        crate::sanitize::extra_allowances(&rules.sanitizer)?;
        for label in &rules.share_labels {
            if crate::share::normalize_label(label).is_empty() {
                return Err(Error::InvalidRule {
                    rule: label.clone(),
                    reason: "a share label needs at least one letter".into(),
                });
            }
        }
        Ok(CompiledRules {
            share_labels: rules
                .share_labels
                .iter()
                .map(|l| crate::share::normalize_label(l))
                .collect(),
            short_link_hosts: rules
                .short_link_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            share_hosts: HostIndex::new(share.iter().flat_map(|s: &CompiledShare| &s.endpoints)),
            share,
            redirector_hosts: HostIndex::new(
                redirectors
                    .iter()
                    .flat_map(|r: &CompiledRedirector| &r.endpoints),
            ),
            redirectors,
            tracking: rules.tracking.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).expect("test URL parses")
    }

    #[test]
    fn default_rules_parse_and_compile() {
        let rules = Rules::default();
        assert!(CompiledRules::new(&rules).is_ok());
        assert!(rules.share.len() >= 15);
    }

    #[test]
    fn rules_round_trip_through_toml() {
        let rules = Rules::default();
        assert_eq!(
            Rules::from_toml(&rules.to_toml()).expect("round trip"),
            rules
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let err = Rules::from_toml("share_lables = []").expect_err("typo must fail");
        assert!(err.to_string().contains("share_lables"), "{err}");
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
            ("wa.me/", "https://wa.me/?text=x", true),
            ("wa.me/", "https://wa.me/33612345678?text=x", false),
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
    fn host_index_turns_away_only_what_cannot_match() {
        let rules = CompiledRules::new(&Rules::default()).expect("compiles");
        for (input, may) in [
            ("https://www.facebook.com/x", true),
            ("https://m.facebook.com./x", true),
            ("https://www.pinterest.co.uk/pin/create/", true),
            ("whatsapp://send?text=x", true),
            ("mailto:?subject=x", true),
            ("https://www.rfi.fr/cn/", false),
            ("https://notfacebook.com/", false),
            ("ftp://facebook.com/", false),
        ] {
            assert_eq!(rules.share_hosts.may_match(&url(input)), may, "{input}");
        }
        // Whatever the index lets through, every pattern it turns away really does not match.
        for input in [
            "https://www.rfi.fr/a",
            "https://example.com/dialog/share",
            "tel:+33",
        ] {
            let u = url(input);
            if !rules.share_hosts.may_match(&u) {
                assert!(
                    rules
                        .share
                        .iter()
                        .flat_map(|s| &s.endpoints)
                        .all(|e| !e.matches(&u)),
                    "{input}"
                );
            }
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
