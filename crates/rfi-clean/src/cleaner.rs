//! The `Cleaner`, its builder, and the one way through: envelope, rewrite, sanitize, normalize,
//! output.

use std::borrow::Cow;
use std::io::Read;
use std::sync::{Arc, Mutex};

use lol_html::send::SendHandlerTypes;
use lol_html::{HtmlRewriter, OutputSink};

use crate::config::{CompiledRules, Rules};
use crate::envelope::{self, Detect, Envelope};
use crate::links::{self, ShortLinks};
use crate::report::Report;
use crate::rewrite::{self, PassState, Selectors, Shared};
use crate::{Error, normalize, output, sanitize};

/// Default for [`CleanerBuilder::max_input_size`]: 64 MiB.
pub const DEFAULT_MAX_INPUT_SIZE: usize = 64 * 1024 * 1024;
/// Default for [`CleanerBuilder::rewrite_memory_limit`]: 32 MiB.
pub const DEFAULT_REWRITE_MEMORY_LIMIT: usize = 32 * 1024 * 1024;
/// Extra sanitize rounds at most for a document that the parser reshapes on every reparse.
const MAX_SANITIZE_ROUNDS: usize = 16;
/// The smallest accepted [`CleanerBuilder::rewrite_memory_limit`].
const MIN_REWRITE_MEMORY_LIMIT: usize = 64 * 1024;

/// What kind of document came in (and so goes out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentKind {
    /// The scraper's envelope: `<!--epoch-ms-->`, `[title](url)`, `------`, a blank line, HTML.
    Envelope,
    /// A whole HTML page (`<!DOCTYPE html>` or `<html>`).
    Page,
    /// A bare HTML fragment.
    Fragment,
}

/// Cleans article HTML. Build it once and reuse it: it is `Send + Sync`, and cleaning does not
/// change it.
///
/// ```
/// let cleaner = rfi_clean::Cleaner::default();
/// let cleaned = cleaner.clean(
///     r#"<p>Read <a href="https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/?xtor=RSS-1">this</a>.</p>
///        <div><div>分享 :</div><div><a href="https://x.com/intent/tweet?url=https%3A%2F%2Frfi.my%2FAFiz.X"></a></div></div>"#,
/// )?;
/// assert_eq!(
///     cleaned.html(),
///     r#"<p>Read <a href="https://www.rfi.fr/cn/中国/" rel="noopener noreferrer">this</a>.</p>"#
/// );
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug)]
pub struct Cleaner {
    rules: CompiledRules,
    selectors: Selectors,
    sanitizer: ammonia::Builder<'static>,
    max_input_size: usize,
    rewrite_memory_limit: usize,
}

impl Default for Cleaner {
    /// The built-in rules ([`Rules::default`]) with the default limits.
    fn default() -> Self {
        Cleaner::builder()
            .build()
            .expect("the default settings are valid")
    }
}

/// Builds a [`Cleaner`]. Setters take and return the builder by value.
///
/// ```
/// let cleaner = rfi_clean::Cleaner::builder()
///     .add_share_label("Teilen")
///     .add_tracking_param("ref")
///     .max_input_size(8 << 20)
///     .build()?;
/// let cleaned = cleaner.clean(r#"<a href="https://a.com/?ref=x&id=1">a</a>"#)?;
/// assert!(cleaned.html().contains(r#"href="https://a.com/?id=1""#));
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CleanerBuilder {
    rules: Rules,
    max_input_size: usize,
    rewrite_memory_limit: usize,
}

impl Default for CleanerBuilder {
    fn default() -> Self {
        CleanerBuilder {
            rules: Rules::default(),
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            rewrite_memory_limit: DEFAULT_REWRITE_MEMORY_LIMIT,
        }
    }
}

impl CleanerBuilder {
    /// Replaces all rules (share endpoints, labels, redirectors, tracking parameters).
    ///
    /// # Defaults
    /// [`Rules::default()`], the built-in rules file.
    ///
    /// ```
    /// let rules = rfi_clean::Rules::from_toml("share_labels = [\"Teilen\"]")?;
    /// let cleaner = rfi_clean::Cleaner::builder().rules(rules).build()?;
    /// // No tracking rules any more:
    /// let cleaned = cleaner.clean(r#"<a href="https://a.com/?utm_source=x">a</a>"#)?;
    /// assert!(cleaned.html().contains("utm_source"));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Adds rules to the current ones (lists are appended), e.g. from a user's rules file.
    ///
    /// # Defaults
    /// Nothing added.
    ///
    /// ```
    /// let extra = rfi_clean::Rules::from_toml("[tracking]\nnames = [\"ref\"]")?;
    /// let cleaner = rfi_clean::Cleaner::builder().add_rules(extra).build()?;
    /// let cleaned = cleaner.clean(r#"<a href="https://a.com/?ref=x&utm_source=y">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="https://a.com/""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_rules(mut self, rules: Rules) -> Self {
        self.rules.extend(rules);
        self
    }

    /// Applies a user's rules file: it replaces the current rules if it says
    /// `replace_defaults = true`, and adds to them otherwise.
    ///
    /// # Defaults
    /// Nothing applied.
    ///
    /// ```
    /// let user = rfi_clean::Rules::from_toml("share_labels = [\"Teilen\"]\n[sanitizer]\nadd_tags = [\"section\"]")?;
    /// let cleaner = rfi_clean::Cleaner::builder().apply_rules(user).build()?;
    /// let cleaned = cleaner.clean("<section><p>x</p></section>")?;
    /// assert_eq!(cleaned.html(), "<section><p>x</p></section>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn apply_rules(self, rules: Rules) -> Self {
        if rules.replace_defaults {
            self.rules(rules)
        } else {
            self.add_rules(rules)
        }
    }

    /// Adds a word that heads share bars, such as `Teilen`.
    ///
    /// # Defaults
    /// The labels of every RFI language (see [`Rules::share_labels`]).
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().add_share_label("Teilen").build()?;
    /// let html = r#"<p>x</p><div><div>Teilen:</div><a href="https://t.me/share/url?url=u"></a></div>"#;
    /// assert_eq!(cleaner.clean(html)?.html(), "<p>x</p>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_share_label(mut self, label: &str) -> Self {
        self.rules.share_labels.push(label.to_owned());
        self
    }

    /// Adds a tracking parameter, stripped from every kept URL (exact, case-sensitive name).
    ///
    /// # Defaults
    /// `utm_*`, `fbclid`, `gclid`, `xtor` and the rest of [`Rules::tracking`].
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().add_tracking_param("src").build()?;
    /// let cleaned = cleaner.clean(r#"<a href="https://a.com/?src=rss">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="https://a.com/""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_tracking_param(mut self, name: &str) -> Self {
        self.rules.tracking.names.push(name.to_owned());
        self
    }

    /// Adds a share endpoint pattern (`example.com/share`, `app://send`) for a service.
    ///
    /// # Defaults
    /// Facebook, X, WhatsApp, Telegram, LinkedIn and the rest of [`Rules::share`].
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder()
    ///     .add_share_endpoint("example", "share.example.com/post", "url")
    ///     .build()?;
    /// let html = r#"<p>x <a href="https://share.example.com/post?url=u">share</a></p>"#;
    /// assert_eq!(cleaner.clean(html)?.html(), "<p>x</p>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_share_endpoint(mut self, service: &str, pattern: &str, carries: &str) -> Self {
        self.rules.share.push(crate::config::ShareRule {
            service: service.to_owned(),
            endpoints: vec![pattern.to_owned()],
            carries: vec![carries.to_owned()],
            ..Default::default()
        });
        self
    }

    /// Adds a redirector: links to `pattern` are replaced by the URL in query parameter `param`.
    ///
    /// # Defaults
    /// google.*/url, l.facebook.com/l.php and the rest of [`Rules::redirector`].
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().add_redirector("go.example.com/out", "to").build()?;
    /// let cleaned = cleaner.clean(r#"<a href="https://go.example.com/out?to=https%3A%2F%2Fa.com%2F">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="https://a.com/""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_redirector(mut self, pattern: &str, param: &str) -> Self {
        self.rules.redirector.push(crate::config::RedirectorRule {
            endpoints: vec![pattern.to_owned()],
            params: vec![param.to_owned()],
            ..Default::default()
        });
        self
    }

    /// The largest input a full clean accepts, in bytes. The sanitizer builds a tree of the whole
    /// document (peak memory about 7 times its size, measured by `scripts/bench-memory`), so
    /// larger inputs are refused with [`Error::InputTooLarge`].
    ///
    /// # Defaults
    /// [`DEFAULT_MAX_INPUT_SIZE`] (64 MiB). The rewrite-only stream has no size limit.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().max_input_size(10).build()?;
    /// assert!(matches!(cleaner.clean("<p>too long</p>"), Err(rfi_clean::Error::InputTooLarge { .. })));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn max_input_size(mut self, bytes: usize) -> Self {
        self.max_input_size = bytes;
        self
    }

    /// The memory the streaming rewriter may use for its buffers, in bytes. A stream buffers a tag
    /// that spans chunks, so it needs about the size of the largest tag; past the limit, the
    /// stream fails with [`Error::MemoryLimitExceeded`].
    ///
    /// # Defaults
    /// [`DEFAULT_REWRITE_MEMORY_LIMIT`] (32 MiB). At least 64 KiB.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().rewrite_memory_limit(1 << 20).build()?;
    /// let huge = format!("<p title=\"{}\">x</p>", "a".repeat(2 << 20));
    /// let mut stream = cleaner.rewrite_stream(|_: &[u8]| {});
    /// let result = huge.as_bytes().chunks(64 * 1024).try_for_each(|chunk| stream.write(chunk));
    /// assert!(matches!(result, Err(rfi_clean::Error::MemoryLimitExceeded { .. })));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn rewrite_memory_limit(mut self, bytes: usize) -> Self {
        self.rewrite_memory_limit = bytes;
        self
    }

    /// Builds the cleaner, compiling the rules once.
    ///
    /// # Errors
    /// [`Error::InvalidRule`] for a malformed pattern or label, [`Error::InvalidSettings`] for a
    /// memory limit under 64 KiB or a zero `max_input_size`.
    pub fn build(self) -> Result<Cleaner, Error> {
        if self.rewrite_memory_limit < MIN_REWRITE_MEMORY_LIMIT {
            return Err(Error::InvalidSettings(format!(
                "rewrite_memory_limit must be at least {MIN_REWRITE_MEMORY_LIMIT} bytes"
            )));
        }
        if self.max_input_size == 0 {
            return Err(Error::InvalidSettings(
                "max_input_size must not be zero".into(),
            ));
        }
        Ok(Cleaner {
            rules: CompiledRules::new(&self.rules)?,
            selectors: Selectors::new(),
            sanitizer: sanitize::builder(&sanitize::extra_allowances(&self.rules.sanitizer)?),
            max_input_size: self.max_input_size,
            rewrite_memory_limit: self.rewrite_memory_limit,
        })
    }
}

/// A cleaned document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    kind: DocumentKind,
    envelope: Option<Envelope>,
    url: Option<String>,
    title: Option<String>,
    canonical: Option<String>,
    lang: Option<String>,
    html: String,
    document: String,
    report: Report,
}

impl Cleaned {
    /// The kind of document that came in and goes out.
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The whole output document: the envelope with its cleaned URL, the whole page, or the fragment.
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The whole output document, owned.
    pub fn into_document(self) -> String {
        self.document
    }

    /// The cleaned article HTML (the envelope's body, the page's body, or the fragment).
    pub fn html(&self) -> &str {
        &self.html
    }

    /// The envelope's header as it came in, for enveloped documents.
    pub fn envelope(&self) -> Option<&Envelope> {
        self.envelope.as_ref()
    }

    /// The document's cleaned URL: the envelope's, or a page's canonical URL.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The title: the envelope's, or a page's `<title>`.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// What cleaning did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Facts read from the cleaned article: publication time, dateline, image, lede, links,
    /// language (see [`Article`](crate::Article)).
    pub fn article(&self) -> crate::Article {
        let (dateline_text, image, lede, links) = crate::extract::facts(&self.html);
        let epoch_ms = self.envelope.as_ref().map(|e| e.epoch_ms);
        let published = epoch_ms
            .and_then(|ms| i64::try_from(ms).ok())
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map(|t| t.to_string());
        let language = self.lang.clone().or_else(|| {
            self.url
                .as_deref()
                .and_then(crate::extract::rfi_language)
                .map(str::to_owned)
        });
        crate::Article {
            published,
            published_ms: epoch_ms,
            title: self.title.clone(),
            url: self.url.clone(),
            canonical: self.canonical.clone(),
            dateline: dateline_text
                .as_deref()
                .map(|t| crate::extract::parse_dateline(t).unwrap_or_else(|| t.to_owned())),
            dateline_text,
            image,
            lede,
            language,
            links,
        }
    }

    /// The cleaned article as plain text: blocks separated by blank lines, links as their text.
    ///
    /// ```
    /// let cleaned = rfi_clean::clean("<p>One <a href=\"https://a.com/\">link</a>.</p><ul><li>a</li><li>b</li></ul>")?;
    /// assert_eq!(cleaned.text(), "One link.\n\n- a\n- b");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn text(&self) -> String {
        crate::extract::to_text(&self.html)
    }

    /// The cleaned article as Markdown: headings, emphasis, links, images, lists.
    ///
    /// ```
    /// let cleaned = rfi_clean::clean("<h2>Title</h2><p>Some <em>text</em> and <a href=\"https://a.com/\">a link</a>.</p>")?;
    /// assert_eq!(cleaned.markdown(), "## Title\n\nSome *text* and [a link](https://a.com/).");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn markdown(&self) -> String {
        crate::extract::to_markdown(&self.html)
    }
}

impl std::fmt::Display for Cleaned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.document)
    }
}

/// The rewriter's output as text. lol_html writes UTF-8 for UTF-8 input; this checks it with
/// simdutf8 (std's check took 27 ms of every 48 MB cleaned; copying a checked `&str` into a
/// `String` costs less than `String::from_utf8`'s own check).
fn utf8(bytes: &[u8]) -> Result<&str, Error> {
    simdutf8::compat::from_utf8(bytes)
        .map_err(|e| Error::Rewrite(format!("rewriter produced invalid UTF-8: {e}")))
}

/// Is this HTML a whole page? A doctype or `<html>` first, after whitespace and comments.
fn is_page(html: &str) -> bool {
    let mut rest = html.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        match rest.strip_prefix("<!--") {
            Some(after) => match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => return false,
            },
            None => break,
        }
    }
    let starts_with = |prefix: &str| {
        rest.len() > prefix.len()
            && rest.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            && matches!(
                rest.as_bytes()[prefix.len()],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'>'
            )
    };
    starts_with("<!doctype") || starts_with("<html")
}

impl Cleaner {
    /// A builder with the default rules and limits.
    pub fn builder() -> CleanerBuilder {
        CleanerBuilder::default()
    }

    /// Cleans one document (envelope, whole page or fragment, detected).
    ///
    /// ```
    /// let cleaned = rfi_clean::Cleaner::default().clean("<p>  Hello <script>alert(1)</script></p>")?;
    /// assert_eq!(cleaned.html(), "<p>Hello</p>");
    /// assert_eq!(cleaned.kind(), rfi_clean::DocumentKind::Fragment);
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InputTooLarge`] past `max_input_size`, [`Error::MemoryLimitExceeded`] if one tag
    /// needs more than `rewrite_memory_limit`.
    pub fn clean(&self, input: &str) -> Result<Cleaned, Error> {
        let (cleaned, parsers_differ) = self.clean_once(input)?;
        if !parsers_differ {
            return Ok(cleaned);
        }
        // The sanitizer's parser found links that lol_html did not see (their tags were text to
        // it: raw text inside foreign content, found by fuzzing), so the rules never ran on
        // them. The output is canonical HTML, which both parsers read alike: one more pass over
        // it applies the rules, and the result is what cleaning it again would give.
        let (mut again, _) = self.clean_once(cleaned.document())?;
        again.envelope = cleaned.envelope;
        again.report += cleaned.report;
        Ok(again)
    }

    /// One pass: envelope, rewrite, sanitize, normalize, output. Also says whether the sanitized
    /// output holds more links than the rewrite rules saw.
    fn clean_once(&self, input: &str) -> Result<(Cleaned, bool), Error> {
        if input.len() > self.max_input_size {
            return Err(Error::InputTooLarge {
                size: input.len(),
                limit: self.max_input_size,
            });
        }
        let (kind, envelope, body) = match envelope::detect(input.as_bytes(), true) {
            Detect::Envelope(env, at) => (DocumentKind::Envelope, Some(env), &input[at..]),
            _ if is_page(input) => (DocumentKind::Page, None, input),
            _ => (DocumentKind::Fragment, None, input),
        };
        let envelope_url = envelope.as_ref().map(|e| e.url.as_str());
        // Short links resolve against pairings that share bars carry, usually at the end of the
        // page. One pass learns them as it goes; if a lookup made on the way gave another answer
        // than the final table would, a second pass runs with the final table (rare).
        let (mut rewritten, mut state) = self.rewrite_pass(body, kind, envelope_url, None)?;
        let table = {
            let st = rewrite::lock(&state);
            let table = st.pairing.resolve(st.document_url());
            let stale = st
                .lookups
                .iter()
                .any(|(code, got)| table.get(code) != got.as_ref());
            stale.then_some(table)
        };
        if let Some(table) = table {
            (rewritten, state) = self.rewrite_pass(body, kind, envelope_url, Some(table))?;
        }
        let st = rewrite::lock(&state);
        let mut report = st.report;
        let sanitized = self.sanitize(utf8(&rewritten)?, &mut report);
        let parsers_differ = sanitized.urls > st.urls_seen;
        let html = sanitized.html;
        let short_links = st.pairing.resolve(st.document_url());
        let clean_url = |raw: &str, report: &mut Report| {
            let change = links::rewrite(raw, &self.rules, &short_links);
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
                let canonical = st
                    .canonical
                    .as_deref()
                    .map(|c| clean_url(c, &mut report))
                    .filter(|c| {
                        url::Url::parse(c).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
                    });
                // A title of only whitespace is no title: written as `<title></title>`, it would
                // come back as none (found by fuzzing).
                let title = st
                    .title
                    .as_deref()
                    .map(|t| {
                        let text = htmlize::unescape(t);
                        text.split_whitespace().collect::<Vec<_>>().join(" ")
                    })
                    .filter(|t| !t.is_empty());
                let head = output::PageHead {
                    lang: st.lang.as_deref(),
                    title: title.as_deref(),
                    canonical: canonical.as_deref(),
                };
                let document = output::page(&head, &html);
                Cleaned {
                    kind,
                    envelope: None,
                    url: canonical.clone(),
                    canonical,
                    lang: st.lang.clone().filter(|l| output::is_language_tag(l)),
                    title,
                    html,
                    document,
                    report,
                }
            }
            None => Cleaned {
                kind,
                envelope: None,
                url: None,
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
        &self,
        body: &str,
        kind: DocumentKind,
        envelope_url: Option<&str>,
        table: Option<ShortLinks>,
    ) -> Result<(Vec<u8>, Shared), Error> {
        let state: Shared = Arc::new(Mutex::new(PassState {
            learn_short_links: table.is_none(),
            record_lookups: table.is_none(),
            short_links: table.unwrap_or_default(),
            capture_page: kind == DocumentKind::Page,
            cap_depth: true,
            envelope_url: envelope_url.map(str::to_owned),
            ..PassState::default()
        }));
        let mut rewritten = Vec::with_capacity(body.len());
        let mut rewriter = rewrite::rewriter(
            &self.rules,
            &self.selectors,
            self.rewrite_memory_limit,
            Arc::clone(&state),
            |chunk: &[u8]| rewritten.extend_from_slice(chunk),
        );
        rewriter
            .write(body.as_bytes())
            .and_then(|()| rewriter.end())
            .map_err(|e| Error::from_rewriting(e, self.rewrite_memory_limit))?;
        Ok((rewritten, state))
    }

    /// Sanitizes and normalizes until the output parses back to itself (see `normalize`).
    fn sanitize(&self, html: &str, report: &mut Report) -> normalize::Normalized {
        let round = |input: &str, report: &mut Report| {
            // ammonia's `to_string` would check its UTF-8 with std; html5ever writes UTF-8 into
            // a Vec, which cannot fail (and a lossy read of it would change nothing).
            let mut sanitized = Vec::with_capacity(input.len());
            let _infallible = self.sanitizer.clean(input).write_to(&mut sanitized);
            let text = match simdutf8::basic::from_utf8(&sanitized) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(&sanitized),
            };
            normalize::normalize(&text, &self.rules.share_labels, report)
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

    /// Cleans a document given as bytes: UTF-8, or a legacy encoding that the page declares
    /// (a BOM, or `<meta charset>` in its first 1024 bytes). The output is always UTF-8.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// assert_eq!(cleaner.clean_bytes(b"<p>x</p>")?.html(), "<p>x</p>");
    /// assert!(matches!(cleaner.clean_bytes(b"<p>\xff</p>"), Err(rfi_clean::Error::InvalidUtf8 { offset: 3 })));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidUtf8`] for non-UTF-8 input that declares no encoding,
    /// [`Error::InvalidEncoding`] for input invalid in the encoding it declares, and those of
    /// [`Cleaner::clean`].
    pub fn clean_bytes(&self, input: &[u8]) -> Result<Cleaned, Error> {
        if input.len() > self.max_input_size {
            return Err(Error::InputTooLarge {
                size: input.len(),
                limit: self.max_input_size,
            });
        }
        let text = crate::charset::decode(input, None)?;
        self.clean(&text)
    }

    /// Reads a whole document from `reader` (at most `max_input_size` bytes) and cleans it.
    ///
    /// ```
    /// let cleaned = rfi_clean::Cleaner::default().clean_reader(&b"<p> x </p>"[..])?;
    /// assert_eq!(cleaned.html(), "<p>x</p>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if reading fails, and those of [`Cleaner::clean_bytes`].
    pub fn clean_reader(&self, reader: impl Read) -> Result<Cleaned, Error> {
        let mut stream = self.clean_stream();
        let mut reader = reader.take(self.max_input_size as u64 + 1);
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Io(e)),
            };
            stream.write(&buf[..n])?;
        }
        stream.finish()
    }

    /// Cleans one URL as links in documents are cleaned: redirectors unwrapped, tracking
    /// parameters stripped, percent-escapes decoded for display. Short links are left as they
    /// are (resolving them needs the document), and so are relative URLs and other schemes.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// assert_eq!(
    ///     cleaner.clean_url("https://www.google.com/url?q=https%3A%2F%2Fwww.rfi.fr%2Fcn%2F%25E4%25B8%25AD%3Futm_source%3Dx"),
    ///     "https://www.rfi.fr/cn/中"
    /// );
    /// assert_eq!(cleaner.clean_url("/relative?utm_source=x"), "/relative?utm_source=x");
    /// ```
    pub fn clean_url(&self, url: &str) -> String {
        links::rewrite(url, &self.rules, &ShortLinks::new())
            .url
            .unwrap_or_else(|| url.to_owned())
    }

    /// Starts a full clean fed in chunks, for bodies read from the network. The sanitizer needs
    /// the whole document, so chunks are collected (up to `max_input_size`) and cleaned by
    /// [`CleanStream::finish`]; the result is the same as [`Cleaner::clean`] on the whole input,
    /// however the input was cut.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// let mut stream = cleaner.clean_stream();
    /// for chunk in [&b"<p>Hel"[..], b"lo</p>"] {
    ///     stream.write(chunk)?;
    /// }
    /// assert_eq!(stream.finish()?.html(), "<p>Hello</p>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn clean_stream(&self) -> CleanStream<'_> {
        CleanStream {
            cleaner: self,
            input: Vec::new(),
        }
    }

    /// Starts a rewrite-only stream: every rewrite rule (share widgets, links), no sanitizer, in
    /// constant memory, chunk in, chunk out. **For trusted input only**: the output is not
    /// sanitized. Short links resolve only against what has already gone by (the envelope URL,
    /// `<link rel=canonical>`, `og:url`, earlier share links), so the result can differ from the
    /// full clean's, but never depends on how the input is cut.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// let mut out = Vec::new();
    /// let mut stream = cleaner.rewrite_stream(|chunk: &[u8]| out.extend_from_slice(chunk));
    /// stream.write(br#"<p><a href="https://a.com/?utm_source=x">a</a></p>"#)?;
    /// let report = stream.end()?;
    /// assert_eq!(out, br#"<p><a href="https://a.com/">a</a></p>"#);
    /// assert_eq!(report.params_stripped, 1);
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn rewrite_stream<O: OutputSink>(&self, sink: O) -> RewriteStream<'_, O> {
        let state: Shared = Arc::new(Mutex::new(PassState {
            learn_short_links: true,
            ..PassState::default()
        }));
        RewriteStream {
            cleaner: self,
            state,
            phase: Phase::Header {
                buf: Vec::new(),
                sink,
            },
        }
    }

    /// Runs the rewrite-only stage on a whole input (see [`Cleaner::rewrite_stream`]).
    ///
    /// ```
    /// let (out, _report) = rfi_clean::Cleaner::default()
    ///     .rewrite_str(r#"<div data-selfpromo-app></div><p onclick="x">kept: not sanitized</p>"#)?;
    /// assert_eq!(out, r#"<p onclick="x">kept: not sanitized</p>"#);
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::MemoryLimitExceeded`] if one tag needs more than `rewrite_memory_limit`.
    pub fn rewrite_str(&self, input: &str) -> Result<(String, Report), Error> {
        let mut out = Vec::with_capacity(input.len());
        let mut stream = self.rewrite_stream(|chunk: &[u8]| out.extend_from_slice(chunk));
        stream.write(input.as_bytes())?;
        let report = stream.end()?;
        Ok((utf8(&out)?.to_owned(), report))
    }
}

/// A full clean fed in chunks; see [`Cleaner::clean_stream`].
#[derive(Debug)]
pub struct CleanStream<'c> {
    cleaner: &'c Cleaner,
    input: Vec<u8>,
}

impl CleanStream<'_> {
    /// Adds a chunk of input.
    ///
    /// # Errors
    /// [`Error::InputTooLarge`] as soon as the input passes `max_input_size`.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let size = self.input.len() + chunk.len();
        if size > self.cleaner.max_input_size {
            return Err(Error::InputTooLarge {
                size,
                limit: self.cleaner.max_input_size,
            });
        }
        self.input.extend_from_slice(chunk);
        Ok(())
    }

    /// Cleans everything written.
    ///
    /// # Errors
    /// Those of [`Cleaner::clean_bytes`].
    pub fn finish(self) -> Result<Cleaned, Error> {
        self.cleaner.clean_bytes(&self.input)
    }
}

/// A rewrite-only stream; see [`Cleaner::rewrite_stream`].
pub struct RewriteStream<'c, O: OutputSink> {
    cleaner: &'c Cleaner,
    state: Shared,
    phase: Phase<'c, O>,
}

enum Phase<'c, O: OutputSink> {
    /// Collecting the start of the input until the envelope question is settled.
    Header {
        buf: Vec<u8>,
        sink: O,
    },
    Body(Box<HtmlRewriter<'c, O, SendHandlerTypes>>),
    Failed,
}

impl<O: OutputSink> std::fmt::Debug for RewriteStream<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RewriteStream").finish_non_exhaustive()
    }
}

impl<'c, O: OutputSink> RewriteStream<'c, O> {
    /// Rewrites a chunk of input; output goes to the sink as soon as it is ready.
    ///
    /// # Errors
    /// [`Error::MemoryLimitExceeded`] if one tag needs more than `rewrite_memory_limit`;
    /// [`Error::StreamEnded`] after an earlier error.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        match &mut self.phase {
            Phase::Header { buf, .. } => {
                buf.extend_from_slice(chunk);
                match envelope::detect(buf, false) {
                    Detect::NeedMore => Ok(()),
                    detected => self.start_body(detected),
                }
            }
            Phase::Body(rewriter) => {
                let limit = self.cleaner.rewrite_memory_limit;
                let result = rewriter
                    .write(chunk)
                    .map_err(|e| Error::from_rewriting(e, limit));
                if result.is_err() {
                    self.phase = Phase::Failed;
                }
                result
            }
            Phase::Failed => Err(Error::StreamEnded),
        }
    }

    /// Ends the input, flushes the rest of the output and returns what was done.
    ///
    /// # Errors
    /// As for [`RewriteStream::write`].
    pub fn end(mut self) -> Result<Report, Error> {
        if let Phase::Header { buf, .. } = &self.phase {
            let detected = envelope::detect(buf, true);
            self.start_body(detected)?;
        }
        let limit = self.cleaner.rewrite_memory_limit;
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Body(rewriter) => rewriter
                .end()
                .map_err(|e| Error::from_rewriting(e, limit))?,
            _ => return Err(Error::StreamEnded),
        }
        Ok(rewrite::lock(&self.state).report)
    }

    /// Writes the envelope's header (if any) and hands the buffered body to a new rewriter.
    fn start_body(&mut self, detected: Detect) -> Result<(), Error> {
        let Phase::Header { buf, mut sink } = std::mem::replace(&mut self.phase, Phase::Failed)
        else {
            return Err(Error::StreamEnded);
        };
        let body_at = match detected {
            Detect::Envelope(env, at) => {
                let mut st = rewrite::lock(&self.state);
                let change = links::rewrite(&env.url, &self.cleaner.rules, &ShortLinks::new());
                st.report.count_link(&change);
                let url = change.url.unwrap_or_else(|| env.url.clone());
                let header = output::envelope(&env, &url, "");
                // `output::envelope` ends with the body and a newline; the body streams after.
                sink.handle_chunk(&header.as_bytes()[..header.len() - 1]);
                st.envelope_url = Some(env.url);
                at
            }
            _ => 0,
        };
        let mut rewriter = rewrite::rewriter(
            &self.cleaner.rules,
            &self.cleaner.selectors,
            self.cleaner.rewrite_memory_limit,
            Arc::clone(&self.state),
            sink,
        );
        rewriter
            .write(&buf[body_at..])
            .map_err(|e| Error::from_rewriting(e, self.cleaner.rewrite_memory_limit))?;
        self.phase = Phase::Body(Box::new(rewriter));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaner_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Cleaner>();
    }

    #[test]
    fn page_detection() {
        assert!(is_page("<!DOCTYPE html><p>x"));
        assert!(is_page("\u{feff}\n <!-- c --> <html lang=fr>"));
        assert!(!is_page("<p>x</p>"));
        assert!(!is_page("<htmlx>"));
        assert!(!is_page("<!-- <html> "));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(matches!(
            Cleaner::builder().rewrite_memory_limit(10).build(),
            Err(Error::InvalidSettings(_))
        ));
        assert!(matches!(
            Cleaner::builder().max_input_size(0).build(),
            Err(Error::InvalidSettings(_))
        ));
        assert!(matches!(
            Cleaner::builder()
                .add_share_endpoint("x", "https://x.com/", "u")
                .build(),
            Err(Error::InvalidRule { .. })
        ));
    }
}
