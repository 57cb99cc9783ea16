//! One clean, the stages in order: detect the document (envelope, page or fragment), one
//! streaming rewrite pass (a second only when a short-link lookup went stale), sanitize and
//! normalize until the output is stable, then build the output document.
//!
//! The order matters: the sanitizer drops the `data-*` attributes and the `whatsapp:` scheme that
//! identify widgets, so every rule that selects on them runs before it.

use std::borrow::Cow;

use crate::cleaned::{Cleaned, DocumentKind};
use crate::document::{self, Document};
use crate::engine::Engine;
use crate::report::Report;
use url::Url;

use crate::document::HeadFacts;
use crate::rewrite::{Findings, Pass, PassOptions, document_base};
use crate::scheme::is_web_str;
use crate::shortlink::{self, ShortLinks};
use crate::{Error, charset, links, normalize, output};

/// Extra sanitize rounds at most for a document that the parser reshapes on every reparse.
const MAX_SANITIZE_ROUNDS: usize = 16;

/// Cleans a document given as bytes (see [`Cleaner::clean_bytes`](crate::Cleaner::clean_bytes)).
pub(crate) fn clean_bytes(cleaner: &Engine, input: &[u8]) -> Result<Cleaned, Error> {
    clean_bytes_with(cleaner, input, None)
}

/// As [`clean_bytes`], with a caller's base URL (first of the document's base URLs).
pub(crate) fn clean_bytes_with(
    cleaner: &Engine,
    input: &[u8],
    base: Option<&Url>,
) -> Result<Cleaned, Error> {
    if input.len() > cleaner.max_input_size {
        return Err(Error::InputTooLarge {
            size: input.len(),
            limit: cleaner.max_input_size,
        });
    }
    let text = charset::decode(input, cleaner.encoding)?;
    clean(cleaner, &text, base.or(cleaner.base_url.as_ref()))
}

/// Cleans one document (see [`Cleaner::clean`](crate::Cleaner::clean)).
pub(crate) fn clean(cleaner: &Engine, input: &str, base: Option<&Url>) -> Result<Cleaned, Error> {
    let (cleaned, parsers_differ) = clean_once(cleaner, input, base)?;
    if !parsers_differ {
        return Ok(cleaned);
    }
    // The sanitizer's parser found links that lol_html did not see (their tags were text to
    // it: raw text inside foreign content, found by fuzzing), so the rules never ran on
    // them. The output is canonical HTML, which both parsers read alike: one more pass over
    // it applies the rules, and the result is what cleaning it again would give.
    let (mut again, _) = clean_once(cleaner, cleaned.document(), base)?;
    again.envelope = cleaned.envelope;
    again.report += cleaned.report;
    Ok(again)
}

/// One pass: detect, rewrite, sanitize, normalize, output. Also says whether the sanitized
/// output holds more links than the rewrite rules saw.
fn clean_once(cleaner: &Engine, input: &str, base: Option<&Url>) -> Result<(Cleaned, bool), Error> {
    if input.len() > cleaner.max_input_size {
        return Err(Error::InputTooLarge {
            size: input.len(),
            limit: cleaner.max_input_size,
        });
    }
    let Document {
        kind,
        envelope,
        body,
    } = document::detect(input);
    let envelope_url = envelope.as_ref().map(|e| e.url.as_str());
    // Short links resolve against pairings that share bars carry, usually at the end of the
    // page. One pass learns them as it goes; if a lookup made on the way gave another answer
    // than the final table would, a second pass runs with the final table (rare).
    let (mut rewritten, mut found) = rewrite_pass(cleaner, body, kind, envelope_url, base, None)?;
    let document_url = |found: &Findings| {
        base.map(Url::as_str)
            .or_else(|| found.head.document_url(envelope_url))
            .map(str::to_owned)
    };
    let stale = shortlink::stale_table(
        &found.pairing,
        &found.lookups,
        document_url(&found).as_deref(),
    );
    if let Some(table) = stale {
        (rewritten, found) = rewrite_pass(cleaner, body, kind, envelope_url, base, Some(table))?;
    }
    let mut report = found.report;
    let sanitized = sanitize(cleaner, utf8(&rewritten)?, &mut report);
    let parsers_differ = sanitized.urls > found.urls_seen;
    let html = sanitized.html;
    let short_links = found.pairing.resolve(document_url(&found).as_deref());
    // The envelope URL and the canonical URL, cleaned; a relative canonical URL is resolved
    // against the base URL it would have had (the caller's, `<base href>`, the envelope's).
    let head_base = document_base(
        &PassOptions {
            base_url: base.cloned(),
            ..PassOptions::default()
        },
        &HeadFacts {
            base_href: found.head.base_href.clone(),
            ..HeadFacts::default()
        },
        envelope_url,
    );
    let head_links = links::Base {
        url: head_base.as_ref(),
        absolute: true,
    };
    let clean_url = |raw: &str, report: &mut Report| {
        let change = links::rewrite(raw, head_links, &cleaner.rules, &short_links);
        report.count_link(&change);
        change.url.unwrap_or_else(|| raw.to_owned())
    };
    let cleaned = match envelope {
        Some(env) => {
            let url = clean_url(&env.url, &mut report);
            let document = output::envelope(&env, &url, &html);
            Cleaned {
                kind,
                title: Some(env.title.clone()),
                url: Some(url),
                canonical: None,
                lang: None,
                envelope: Some(env),
                html,
                document,
                report,
            }
        }
        None if kind == DocumentKind::Page => {
            let canonical = found
                .head
                .canonical
                .as_deref()
                .map(|c| clean_url(c, &mut report))
                .filter(|c| is_web_str(c));
            let title = found.head.title_text();
            let head = output::PageHead {
                lang: found.head.lang.as_deref(),
                title: title.as_deref(),
                canonical: canonical.as_deref(),
            };
            let document = output::page(&head, &html);
            Cleaned {
                kind,
                envelope: None,
                url: canonical
                    .clone()
                    .or_else(|| base.map(|b| clean_url(b.as_str(), &mut report))),
                canonical,
                lang: found.head.lang.filter(|l| output::is_language_tag(l)),
                title,
                html,
                document,
                report,
            }
        }
        None => Cleaned {
            kind,
            envelope: None,
            // A fragment's URL is the one the caller gives (for the JSON `language`).
            url: base.map(|b| clean_url(b.as_str(), &mut report)),
            title: None,
            canonical: None,
            lang: None,
            document: html.clone(),
            html,
            report,
        },
    };
    Ok((cleaned, parsers_differ))
}

/// One rewrite pass over `body`: with `table`, short links resolve against it; without, the
/// pass learns pairings from share links as it goes.
fn rewrite_pass(
    cleaner: &Engine,
    body: &str,
    kind: DocumentKind,
    envelope_url: Option<&str>,
    base: Option<&Url>,
    table: Option<ShortLinks>,
) -> Result<(Vec<u8>, Findings), Error> {
    let pass = Pass::new(PassOptions {
        learn_short_links: table.is_none(),
        record_lookups: table.is_none(),
        short_links: table.unwrap_or_default(),
        capture_page: kind == DocumentKind::Page,
        cap_depth: true,
        envelope_url: envelope_url.map(str::to_owned),
        base_url: base.cloned(),
        absolute_links: cleaner.absolute_links,
        tree_budget: Some(cleaner.tree_budget(body.len())),
        ..PassOptions::default()
    });
    let mut rewritten = Vec::with_capacity(body.len());
    let mut rewriter = pass.rewriter(
        cleaner.context(true),
        Some(body.as_bytes()),
        |chunk: &[u8]| rewritten.extend_from_slice(chunk),
    );
    let result = rewriter
        .write(body.as_bytes())
        .and_then(|()| rewriter.end());
    let found = pass.take_findings();
    if found.tree_exceeded {
        return Err(Error::TreeTooLarge {
            limit: cleaner.tree_budget(body.len()),
        });
    }
    result.map_err(|e| Error::from_rewriting(e, cleaner.rewrite_memory_limit))?;
    Ok((rewritten, found))
}

/// Sanitizes and normalizes until the output parses back to itself (see `normalize`).
fn sanitize(cleaner: &Engine, html: &str, report: &mut Report) -> normalize::Normalized {
    let round = |input: &str, report: &mut Report| {
        // ammonia's `to_string` would check its UTF-8 with std; html5ever writes UTF-8 into
        // a Vec, which cannot fail (and a lossy read of it would change nothing).
        let mut sanitized = Vec::with_capacity(input.len());
        let _infallible = cleaner.sanitizer.clean(input).write_to(&mut sanitized);
        let text = match simdutf8::basic::from_utf8(&sanitized) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(&sanitized),
        };
        normalize::normalize(&text, &cleaner.rules.share_labels, report)
    };
    let mut current = round(html, report);
    // A document flagged as possibly unstable is cleaned again until a round changes nothing
    // (usually the second round settles it, the third confirms; links nested in links
    // through blocks took five more rounds in a fuzzer's find). The bound only guards against a
    // parser that never settles: the cost stays linear in the input.
    for _ in 0..MAX_SANITIZE_ROUNDS {
        if !current.unstable {
            break;
        }
        let next = round(&current.html, report);
        if next.html == current.html {
            break;
        }
        current = next;
    }
    current
}

/// The rewriter's output as text. lol_html writes UTF-8 for UTF-8 input; this checks it with
/// simdutf8 (std's check took 27 ms of every 48 MB cleaned; copying a checked `&str` into a
/// `String` costs less than `String::from_utf8`'s own check).
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    simdutf8::compat::from_utf8(bytes).map_err(|e| Error::InvalidOutput(e.to_string()))
}
