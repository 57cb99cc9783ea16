//! The rules as data and their validation: share endpoints, share labels, widget selectors,
//! short-link hosts, redirectors, tracking parameters and sanitizer allowances. The defaults live
//! in `rules.toml`, compiled in; [`Rules`] is its typed form, and `CompiledRules` is what the
//! stages match against, checked once per `Cleaner`.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::allowance::{Allowances, SanitizerRules, extra_allowances};
use crate::embed::CompiledEmbed;
use crate::endpoint::{Endpoint, HostIndex};
use crate::share::normalize_label;

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
    /// Network names (`Facebook`, `微博`, `카카오`): removed as the whole text of an element in
    /// a share container or share button, never elsewhere.
    #[serde(default)]
    pub share_network_names: Vec<String>,
    /// CSS selectors of share widgets that no link gives away (`share-button`,
    /// `[data-root-share]`): removed whole.
    #[serde(default)]
    pub share_selectors: Vec<String>,
    /// Attribute-name prefixes of promotion placeholders (`data-selfpromo`): an element with
    /// such an attribute is removed whole.
    #[serde(default)]
    pub promo_attribute_prefixes: Vec<String>,
    /// CSS selectors of controls that do nothing without script (`button`): removed with their
    /// text, which is UI (`Partager`, `공유`, `Copier le lien`), never article prose.
    #[serde(default)]
    pub control_selectors: Vec<String>,
    /// Embed services: an iframe or player pointing at one becomes a link to its public page.
    #[serde(default)]
    pub embed: Vec<EmbedRule>,
    /// Tracking pixel and tag-manager endpoints (patterns like share endpoints): dropped from
    /// `<noscript>` content, with hidden and 1×1 images.
    #[serde(default)]
    pub trackers: Vec<String>,
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
    /// The link is a share link only if this query parameter has one of these values
    /// (WordPress Jetpack's `?share=twitter`). With no `endpoints`, on any http(s) host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_value: Option<QueryValue>,
}

/// A query parameter and the values that make a link a share link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct QueryValue {
    /// The parameter's name (`share`).
    pub name: String,
    /// Its values (`twitter`, `jetpack-whatsapp`), matched exactly.
    pub values: Vec<String>,
}

/// One embed service: embed URLs matching `endpoints` become `link`, a URL template whose
/// `{1}`, `{2}`… are the path segments after a folder endpoint, `{q:NAME}` a query parameter,
/// and a lone `{url:NAME}` a query parameter that holds the whole public URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EmbedRule {
    /// Name of the service, the link's text when the embed has no title.
    pub service: String,
    /// Endpoint patterns (`youtube.com/embed/`, `open.spotify.com/embed/`).
    pub endpoints: Vec<String>,
    /// The public page (`https://www.youtube.com/watch?v={1}`).
    pub link: String,
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
    /// The target is the whole query (`https://href.li/?https://example.com/`), percent-decoded
    /// once if it starts with an encoded `http%3A` or `https%3A`.
    #[serde(default)]
    pub whole_query: bool,
    /// The target is the first path segment after the endpoint, percent-decoded once
    /// (`https://click.redditmail.com/CL0/https:%2F%2Fexample.com%2F/1/…`).
    #[serde(default)]
    pub path_segment: bool,
    /// Cut a trailing `:` + hash (20 or more of `A-Z a-z 0-9 - _`) from the target: Disqus
    /// appends one (`http://example.com/:GTwU4dcq96lIEIpJc8INii4ptuY`).
    #[serde(default)]
    pub cut_hash_suffix: bool,
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
    /// Entries of `prefixes` and `names` that also match in any ASCII case (`UTM_SOURCE`,
    /// `FBCLID`); the others match exactly.
    #[serde(default)]
    pub any_case: Vec<String>,
}

/// Names stripped only on some hosts and their subdomains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScopedTracking {
    /// The hosts.
    pub hosts: Vec<String>,
    /// The names.
    #[serde(default)]
    pub names: Vec<String>,
    /// Name prefixes.
    #[serde(default)]
    pub prefixes: Vec<String>,
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
    /// [`Error::InvalidRules`] if the text is not TOML, has unknown or mistyped keys, or holds
    /// a malformed rule (a pattern, a parameter name, an unsafe sanitizer allowance); the error
    /// names the line and the key.
    ///
    /// ```
    /// let err = rfi_clean::Rules::from_toml("[sanitizer]\nadd_tags = [\"section\", \"script\"]").unwrap_err();
    /// assert!(matches!(&err, rfi_clean::Error::InvalidRules { line: Some(2), key, .. } if key == "sanitizer.add_tags"));
    /// ```
    pub fn from_toml(text: &str) -> Result<Rules, Error> {
        let rules: Rules = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(text, span.start));
            Error::InvalidRules {
                line,
                key: line.map(|line| key_at(text, line)).unwrap_or_default(),
                reason: e.message().trim_end().to_owned(),
            }
        })?;
        match CompiledRules::new(&rules) {
            Ok(_) => Ok(rules),
            Err(Error::InvalidRule { rule, reason }) => {
                let line = line_of_value(text, &rule);
                Err(Error::InvalidRules {
                    line,
                    key: line.map(|line| key_at(text, line)).unwrap_or_default(),
                    reason: format!("invalid rule `{rule}`: {reason}"),
                })
            }
            Err(other) => Err(other),
        }
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
        self.share_network_names.extend(other.share_network_names);
        self.share_selectors.extend(other.share_selectors);
        self.control_selectors.extend(other.control_selectors);
        self.embed.extend(other.embed);
        self.trackers.extend(other.trackers);
        self.promo_attribute_prefixes
            .extend(other.promo_attribute_prefixes);
        self.short_link_hosts.extend(other.short_link_hosts);
        self.share.extend(other.share);
        self.redirector.extend(other.redirector);
        self.tracking.prefixes.extend(other.tracking.prefixes);
        self.tracking.names.extend(other.tracking.names);
        self.tracking.scoped.extend(other.tracking.scoped);
        self.tracking.conditional.extend(other.tracking.conditional);
        self.tracking.any_case.extend(other.tracking.any_case);
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

/// The 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The first line outside comments where `value` is written as a string (`"value"` or
/// `'value'`). A value written with escapes is not found.
fn line_of_value(text: &str, value: &str) -> Option<usize> {
    let (double, single) = (format!("\"{value}\""), format!("'{value}'"));
    text.lines()
        .position(|line| {
            let code = line.trim_start();
            !code.starts_with('#') && (code.contains(&double) || code.contains(&single))
        })
        .map(|i| i + 1)
}

/// The key in force at a 1-based line: the last `[table]` header and the last `key =` before
/// or on it (a value on a line of its own belongs to the array above it).
fn key_at(text: &str, line: usize) -> String {
    let (mut table, mut key) = (String::new(), String::new());
    for code in text.lines().take(line).map(str::trim_start) {
        if code.starts_with('[') {
            let name = code.trim_start_matches('[');
            table = name[..name.find(']').unwrap_or(name.len())]
                .trim()
                .to_owned();
            key.clear();
        } else if let Some((name, _)) = code.split_once('=') {
            let name = name.trim();
            let bare = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
            if bare {
                key = name.to_owned();
            }
        }
    }
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

/// Checks the query-parameter names of every rule: a name is matched against decoded names
/// exactly (or as a prefix, in `prefixes`), so it cannot be empty, and `*`, `=`, `&`, `#` or
/// whitespace in it mean it was written as a pattern or a query, and would never match.
fn check_param_names(rules: &Rules) -> Result<(), Error> {
    let tracking = &rules.tracking;
    let lists = [&tracking.names, &tracking.prefixes, &tracking.any_case]
        .into_iter()
        .chain(tracking.scoped.iter().flat_map(|s| [&s.names, &s.prefixes]))
        .chain(
            tracking
                .conditional
                .iter()
                .flat_map(|c| [&c.names, &c.prefixes, &c.when_present]),
        )
        .chain(rules.redirector.iter().map(|r| &r.params))
        .chain(
            rules
                .share
                .iter()
                .flat_map(|s| [&s.carries, &s.requires_any, &s.unless]),
        );
    let query_values = rules.share.iter().filter_map(|s| s.query_value.as_ref());
    let names = lists.flatten().chain(query_values.map(|q| &q.name));
    for name in names {
        let reason = if name.is_empty() {
            "a query-parameter name cannot be empty"
        } else if name.contains('*') {
            "`*` is not a wildcard in a parameter name: put the start of the name in `prefixes` \
             (CleanerBuilder::add_tracking_prefix)"
        } else if name
            .chars()
            .any(|c| matches!(c, '=' | '&' | '#' | '?') || c.is_whitespace() || c.is_control())
        {
            "a query-parameter name has no `=`, `&`, `#`, `?`, spaces or controls"
        } else {
            continue;
        };
        return Err(Error::InvalidRule {
            rule: name.clone(),
            reason: reason.into(),
        });
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledShare {
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) carries: Vec<String>,
    pub(crate) requires_any: Vec<String>,
    pub(crate) unless: Vec<String>,
    pub(crate) query_value: Option<QueryValue>,
}

/// Where a redirector carries its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TargetIn {
    /// The first of these query parameters, form-decoded once.
    Params(Vec<String>),
    /// The rest of the path, as `https://` + rest.
    PathRest,
    /// The whole query.
    WholeQuery,
    /// The first path segment after the endpoint, percent-decoded once.
    PathSegment,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRedirector {
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) target: TargetIn,
    pub(crate) cut_hash_suffix: bool,
}

/// The global tracking names and prefixes, split by how they match. The sets hash with FxHash:
/// they are built from the rules, never from a page, and every query name of every link is
/// looked up in them (SipHash took a tenth of the tracking test).
#[derive(Debug, Clone, Default)]
pub(crate) struct TrackingNames {
    exact: rustc_hash::FxHashSet<String>,
    /// Lowercased.
    any_case: rustc_hash::FxHashSet<String>,
    prefixes: Vec<String>,
    /// Lowercased.
    any_case_prefixes: Vec<String>,
}

impl TrackingNames {
    fn new(tracking: &TrackingRules) -> TrackingNames {
        let any_case = |n: &String| tracking.any_case.iter().any(|a| a == n);
        let mut names = TrackingNames::default();
        for name in &tracking.names {
            if any_case(name) {
                names.any_case.insert(name.to_ascii_lowercase());
            } else {
                names.exact.insert(name.clone());
            }
        }
        for prefix in &tracking.prefixes {
            if any_case(prefix) {
                names.any_case_prefixes.push(prefix.to_ascii_lowercase());
            } else {
                names.prefixes.push(prefix.clone());
            }
        }
        names
    }

    /// Is `name` (percent-decoded) a global tracking name?
    pub(crate) fn matches(&self, name: &str) -> bool {
        if self.exact.contains(name) || self.prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            return true;
        }
        if self.any_case.is_empty() && self.any_case_prefixes.is_empty() {
            return false;
        }
        let lower = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(name.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(name)
        };
        self.any_case.contains(lower.as_ref())
            || self
                .any_case_prefixes
                .iter()
                .any(|p| lower.starts_with(p.as_str()))
    }
}

/// The rules in the form the stages match against: patterns parsed once per `Cleaner`.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRules {
    /// Labels, lowercased, without a trailing colon.
    pub(crate) share_labels: Vec<String>,
    /// Network names, in the same form.
    pub(crate) share_network_names: Vec<String>,
    pub(crate) short_link_hosts: Vec<String>,
    pub(crate) share: Vec<CompiledShare>,
    pub(crate) share_hosts: HostIndex,
    /// Some share rule matches on any host (by a query value only).
    pub(crate) share_on_any_host: bool,
    pub(crate) redirectors: Vec<CompiledRedirector>,
    pub(crate) redirector_hosts: HostIndex,
    pub(crate) tracking: TrackingRules,
    /// The global names and prefixes of `tracking`, ready to match.
    pub(crate) tracking_names: TrackingNames,
    pub(crate) share_selectors: Vec<lol_html::Selector>,
    pub(crate) control_selectors: Vec<lol_html::Selector>,
    pub(crate) embeds: Vec<CompiledEmbed>,
    pub(crate) trackers: Vec<Endpoint>,
    /// Lowercased.
    pub(crate) promo_attribute_prefixes: Vec<String>,
    pub(crate) allowances: Allowances,
}

impl CompiledRules {
    pub(crate) fn new(rules: &Rules) -> Result<CompiledRules, Error> {
        check_param_names(rules)?;
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
                    query_value: s.query_value.clone(),
                })
            })
            .collect::<Result<_, Error>>()?;
        let redirectors: Vec<CompiledRedirector> = rules
            .redirector
            .iter()
            .map(|r| {
                // The first endpoint names the rule (and finds its line in a rules file).
                let invalid = |reason: &str| Error::InvalidRule {
                    rule: r.endpoints.first().cloned().unwrap_or_default(),
                    reason: reason.to_owned(),
                };
                let kinds = [
                    !r.params.is_empty(),
                    r.prefix,
                    r.whole_query,
                    r.path_segment,
                ];
                if kinds.iter().filter(|k| **k).count() != 1 {
                    return Err(invalid(
                        "a redirector needs exactly one of `params`, `prefix`, `whole_query` \
                         and `path_segment`",
                    ));
                }
                let target = if r.prefix {
                    TargetIn::PathRest
                } else if r.whole_query {
                    TargetIn::WholeQuery
                } else if r.path_segment {
                    TargetIn::PathSegment
                } else {
                    TargetIn::Params(r.params.clone())
                };
                let compiled = CompiledRedirector {
                    endpoints: endpoints(&r.endpoints)?,
                    target,
                    cut_hash_suffix: r.cut_hash_suffix,
                };
                let needs_folder =
                    matches!(compiled.target, TargetIn::PathRest | TargetIn::PathSegment);
                if needs_folder && compiled.endpoints.iter().any(|e| !e.is_folder()) {
                    return Err(invalid(
                        "a `prefix` or `path_segment` redirector needs endpoints that end in `/`",
                    ));
                }
                Ok(compiled)
            })
            .collect::<Result<_, Error>>()?;
        let allowances = extra_allowances(&rules.sanitizer)?;
        let selectors = |list: &[String]| {
            list.iter()
                .map(|s| {
                    s.parse::<lol_html::Selector>()
                        .map_err(|e| Error::InvalidRule {
                            rule: s.clone(),
                            reason: format!("not a supported CSS selector: {e}"),
                        })
                })
                .collect::<Result<Vec<_>, Error>>()
        };
        let share_selectors = selectors(&rules.share_selectors)?;
        let control_selectors = selectors(&rules.control_selectors)?;
        let embeds = rules
            .embed
            .iter()
            .map(|e| CompiledEmbed::new(&e.service, &e.endpoints, &e.link))
            .collect::<Result<_, Error>>()?;
        let trackers = endpoints(&rules.trackers)?;
        for prefix in &rules.promo_attribute_prefixes {
            if prefix.is_empty()
                || !prefix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(Error::InvalidRule {
                    rule: prefix.clone(),
                    reason: "an attribute-name prefix is letters, digits, `-` and `_`".into(),
                });
            }
        }
        for label in &rules.share_labels {
            if normalize_label(label).is_empty() {
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
                .map(|l| normalize_label(l))
                .collect(),
            share_network_names: rules
                .share_network_names
                .iter()
                .map(|l| normalize_label(l))
                .filter(|l| !l.is_empty())
                .collect(),
            short_link_hosts: rules
                .short_link_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            share_hosts: HostIndex::new(share.iter().flat_map(|s: &CompiledShare| &s.endpoints)),
            share_on_any_host: share
                .iter()
                .any(|s| s.endpoints.is_empty() && s.query_value.is_some()),
            share,
            redirector_hosts: HostIndex::new(
                redirectors
                    .iter()
                    .flat_map(|r: &CompiledRedirector| &r.endpoints),
            ),
            redirectors,
            tracking: rules.tracking.clone(),
            tracking_names: TrackingNames::new(&rules.tracking),
            share_selectors,
            control_selectors,
            embeds,
            trackers,
            promo_attribute_prefixes: rules
                .promo_attribute_prefixes
                .iter()
                .map(|p| p.to_ascii_lowercase())
                .collect(),
            allowances,
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
    fn the_built_in_rules_cite_no_path_outside_the_repo() {
        // `--print-config` prints this file to users who have only the crate.
        for outside in ["shared/", "../", "/work/", "research/"] {
            assert!(!DEFAULT_RULES_TOML.contains(outside), "{outside}");
        }
    }

    /// The line and key of a rules file's error, and its message.
    fn located(text: &str) -> (Option<usize>, String, String) {
        match Rules::from_toml(text) {
            Err(err @ Error::InvalidRules { .. }) => {
                let message = err.to_string();
                let Error::InvalidRules { line, key, .. } = err else {
                    unreachable!()
                };
                (line, key, message)
            }
            other => panic!("not refused with a place: {other:?}\n{text}"),
        }
    }

    #[test]
    fn rules_file_errors_name_the_line_and_the_key() {
        let cases: &[(&str, usize, &str, &str)] = &[
            // unknown key, in a table
            (
                "share_labels = [\"x\"]\n[tracking]\nnmes = [\"ref\"]\n",
                3,
                "tracking.nmes",
                "nmes",
            ),
            // mistyped value
            ("# c\nshare_labels = 3\n", 2, "share_labels", "invalid type"),
            // not TOML
            (
                "share_labels = [\"x\"]\n\n[tracking\n",
                3,
                "tracking",
                "unclosed table",
            ),
            // an unsafe sanitizer allowance, in a multi-line array
            (
                "[sanitizer]\nadd_tags = [\n  \"section\",\n  \"script\",\n]\n",
                4,
                "sanitizer.add_tags",
                "invalid rule `script`: not a tag the sanitizer can safely allow",
            ),
            (
                "[sanitizer]\nadd_tag_attributes = { img = [\"onerror\"] }\n",
                2,
                "sanitizer.add_tag_attributes",
                "`onerror`",
            ),
            // a malformed endpoint pattern
            (
                "[[share]]\nservice = \"x\"\nendpoints = [\"https://x.com/\"]\n",
                3,
                "share.endpoints",
                "invalid rule `https://x.com/`",
            ),
            // a redirector with two target kinds, named by its first endpoint
            (
                "[[redirector]]\nendpoints = [\"go.example.com/\"]\nparams = [\"to\"]\nprefix = true\n",
                2,
                "redirector.endpoints",
                "exactly one of",
            ),
            // parameter names written as patterns, or empty
            (
                "[tracking]\nnames = [\"a\",\n  \"zz_*\"]\n",
                3,
                "tracking.names",
                "`zz_*`",
            ),
            (
                "[[redirector]]\nendpoints = [\"go.example.com/out\"]\nparams = [\"\"]\n",
                3,
                "redirector.params",
                "cannot be empty",
            ),
            (
                "promo_attribute_prefixes = [\"a b\"]\n",
                1,
                "promo_attribute_prefixes",
                "`a b`",
            ),
            (
                "[[share]]\nservice = \"x\"\nendpoints = [\"x.example/s\"]\nunknown = 1\n",
                4,
                "share.unknown",
                "unknown",
            ),
        ];
        for &(text, line, key, needle) in cases {
            let (got_line, got_key, message) = located(text);
            assert_eq!(got_line, Some(line), "{message}\n{text}");
            assert_eq!(got_key, key, "{message}\n{text}");
            assert!(message.contains(needle), "{message}\n{text}");
            assert!(message.contains(&format!("line {line}")), "{message}");
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
}
