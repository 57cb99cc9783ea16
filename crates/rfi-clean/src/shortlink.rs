//! Short links (`https://rfi.my/AFiz.F`): their codes, the pairings of codes with article URLs
//! that a document's own share links carry, and the table the link rules resolve against.
//!
//! A code stands for an article only if the document pairs them: a share link that carries both
//! (Facebook's `redirect_uri`), or a share link of the document's own share bar, which stands
//! for the document itself (its canonical URL, `og:url` or envelope URL). Nothing is fetched.

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::links::form_decode;
use crate::rules::{CompiledRules, CompiledShare};
use crate::scheme::{is_safe_target, is_web};

/// Short codes (`AFiz` of `https://rfi.my/AFiz.F`) and the article URL each stands for.
pub(crate) type ShortLinks = HashMap<String, String>;

/// U5: the code of a short link (`AFiz` for `https://rfi.my/AFiz.F`), case-sensitive.
pub(crate) fn short_code<'u>(url: &'u Url, rules: &CompiledRules) -> Option<&'u str> {
    let host = url.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    if !is_web(url)
        || url.query().is_some()
        || url.fragment().is_some()
        || !rules
            .short_link_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
    {
        return None;
    }
    parse_short_path(url.path().strip_prefix('/')?)
}

/// `CODE` or `CODE.X`, CODE alphanumeric, X one letter.
fn parse_short_path(path: &str) -> Option<&str> {
    let code = match path.split_once('.') {
        Some((code, suffix)) => {
            let mut chars = suffix.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => code,
                _ => return None,
            }
        }
        None => path,
    };
    (!code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(code)
}

/// Short codes mentioned anywhere in `text` (a share link's `text=` or `href=` value).
pub(crate) fn short_codes_in<'t>(text: &'t str, rules: &CompiledRules) -> Vec<&'t str> {
    let mut codes = Vec::new();
    for host in &rules.short_link_hosts {
        let needle = format!("{host}/");
        let mut from = 0;
        while let Some(i) = text[from..].find(needle.as_str()) {
            let start = from + i + needle.len();
            let before = text[..from + i].chars().next_back();
            let end = text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .map_or(text.len(), |j| start + j);
            let token = text[start..end].trim_end_matches('.');
            let host_starts_word = !before.is_some_and(|c| c.is_alphanumeric() || c == '-');
            if host_starts_word {
                if let Some(code) = parse_short_path(token) {
                    codes.push(code);
                }
            }
            from = start;
        }
    }
    codes
}

/// The short codes a share link shares, and the article URL it pairs them with, if any
/// (`dialog/share?href=https://rfi.my/AFiz.F&redirect_uri=<article>`).
pub(crate) fn share_pairing(
    url: &Url,
    share: &CompiledShare,
    rules: &CompiledRules,
) -> (Vec<String>, Option<String>) {
    let mut codes = Vec::new();
    let mut article = None;
    // As `Url::query_pairs`, but a value is decoded only if its name is one of these (a share
    // link's `text=` runs long).
    let pairs = url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty());
    for pair in pairs {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = form_decode(name);
        if share.carries.iter().any(|c| *c == name) {
            let value = form_decode(value);
            codes.extend(short_codes_in(&value, rules).into_iter().map(str::to_owned));
        } else if name == "redirect_uri" {
            if let Ok(target) = Url::parse(&form_decode(value)) {
                if is_safe_target(&target) && short_code(&target, rules).is_none() {
                    article = Some(target.to_string());
                }
            }
        }
    }
    (codes, article)
}

/// Distinct short codes a document may pair; beyond this, new codes are not learned, so an
/// endless stream of share links cannot grow memory without bound.
const MAX_PAIRED_CODES: usize = 4096;

/// Pairings of short codes with article URLs, as found in share links.
#[derive(Debug, Default)]
pub(crate) struct Pairing {
    /// Codes paired explicitly (`redirect_uri`); `None` once two share links disagree.
    explicit: HashMap<String, Option<String>>,
    /// Codes a share link of this document shares: they stand for the document itself.
    implicit: HashSet<String>,
}

impl Pairing {
    /// Learns what one share link says; returns the codes it told something about.
    pub(crate) fn learn(&mut self, codes: Vec<String>, article: Option<String>) -> Vec<String> {
        let mut learned = Vec::new();
        for code in codes {
            let known = self.explicit.contains_key(&code) || self.implicit.contains(&code);
            if !known && self.explicit.len() + self.implicit.len() >= MAX_PAIRED_CODES {
                continue;
            }
            match &article {
                Some(url) => {
                    let entry = self
                        .explicit
                        .entry(code.clone())
                        .or_insert_with(|| Some(url.clone()));
                    if entry.as_deref() != Some(url.as_str()) {
                        *entry = None; // ambiguous: resolve nothing
                    }
                }
                None => {
                    self.implicit.insert(code.clone());
                }
            }
            learned.push(code);
        }
        learned
    }

    /// What one code stands for: its explicit pairing, else the document itself.
    pub(crate) fn resolve_one(&self, code: &str, document_url: Option<&str>) -> Option<String> {
        match self.explicit.get(code) {
            Some(explicit) => explicit.clone(),
            None if self.implicit.contains(code) => document_url.map(str::to_owned),
            None => None,
        }
    }

    /// The short-link table: explicit pairings first, then this document's own codes.
    pub(crate) fn resolve(&self, document_url: Option<&str>) -> ShortLinks {
        self.explicit
            .keys()
            .chain(&self.implicit)
            .filter_map(|code| Some((code.clone(), self.resolve_one(code, document_url)?)))
            .collect()
    }
}

/// A lookup made during a pass: the code, and what the table gave at that moment.
pub(crate) type Lookup = (String, Option<String>);

/// The final table, if some lookup made while the pairings were still being learned gave
/// another answer than it would (a share bar after the links it pairs); `None` if every lookup
/// stands, so the pass's output is already right.
pub(crate) fn stale_table(
    pairing: &Pairing,
    lookups: &[Lookup],
    document_url: Option<&str>,
) -> Option<ShortLinks> {
    let table = pairing.resolve(document_url);
    let stale = lookups
        .iter()
        .any(|(code, got)| table.get(code) != got.as_ref());
    stale.then_some(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn rules() -> CompiledRules {
        CompiledRules::new(&Rules::default()).expect("default rules compile")
    }

    #[test]
    fn short_codes_in_text() {
        let r = rules();
        assert_eq!(short_codes_in("标题 - https://rfi.my/AFiz.W", &r), ["AFiz"]);
        assert_eq!(
            short_codes_in("https://rfi.my/AFiz.F and rfi.my/B2c.", &r),
            ["AFiz", "B2c"]
        );
        assert!(short_codes_in("https://notrfi.my/AFiz", &r).is_empty());
    }
}
