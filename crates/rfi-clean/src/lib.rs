//! Clean scraped news-article HTML: share widgets go, tracking redirects and short links are
//! unwrapped, tracking parameters are stripped, percent-encoded links become readable, and the
//! result is sanitized so that nothing in it can run.
//!
//! One way through: [`Cleaner::clean`] detects the input (the scraper's envelope, a whole page, or
//! a fragment), runs one streaming lol_html pass (share and link rules together), sanitizes with
//! ammonia, then normalizes (empty containers, share labels, whitespace at block edges).
//!
//! ```
//! let cleaned = rfi_clean::clean(concat!(
//!     "<!--1705142701000-->\n",
//!     "[外贸](https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240113-trade)\n",
//!     "------\n\n",
//!     "<p>正文。  </p><div data-selfpromo-app></div>",
//!     "<div><div>分享 :</div><div><a href=\"https://x.com/intent/tweet?url=https%3A%2F%2Frfi.my%2FAFiz.X\"><span></span></a></div></div>\n",
//! ))?;
//! assert_eq!(
//!     cleaned.document(),
//!     "<!--1705142701000-->\n[外贸](https://www.rfi.fr/cn/中国/20240113-trade)\n------\n\n<p>正文。</p>\n"
//! );
//! assert_eq!(cleaned.report().share_widgets_removed, 1);
//! # Ok::<(), rfi_clean::Error>(())
//! ```
//!
//! For network bodies there are [`Cleaner::clean_stream`] (full clean, fed in chunks) and
//! [`Cleaner::rewrite_stream`] (rewrite rules only, constant memory, for trusted input).
#![warn(missing_docs)]

mod allowance;
mod charset;
mod cleaned;
mod cleaner;
mod display;
mod document;
mod embed;
mod endpoint;
mod engine;
mod envelope;
mod error;
mod extract;
mod lazy;
mod links;
mod markup;
mod normalize;
mod noscript;
mod output;
mod pipeline;
mod report;
mod rewrite;
mod rules;
mod sanitize;
mod scheme;
mod share;
mod shortlink;
mod stream;

use std::sync::LazyLock;

pub use allowance::{SAFE_EXTRA_ATTRIBUTES, SAFE_EXTRA_TAGS, SanitizerRules};
pub use cleaned::{Cleaned, DocumentKind};
pub use cleaner::{
    Cleaner, CleanerBuilder, DEFAULT_BYTES_PER_TREE_NODE, DEFAULT_MAX_INPUT_SIZE,
    DEFAULT_MIN_TREE_NODES, DEFAULT_REWRITE_MEMORY_LIMIT,
};
pub use embed::EmbedMode;
pub use engine::CleanOptions;
pub use envelope::Envelope;
pub use error::Error;
pub use extract::{Article, Image, Link};
pub use report::Report;
pub use rules::{
    ConditionalTracking, DEFAULT_RULES_TOML, EmbedRule, QueryValue, RedirectorRule, Rules,
    ScopedTracking, ShareRule, TrackingRules,
};
pub use stream::{CleanStream, RewriteStream};

/// The display form of a URL: percent-escapes that form valid non-ASCII UTF-8 are decoded (path,
/// query and fragment; never spaces, controls, bidi or invisible characters), nothing else
/// changes: ASCII escapes (`%41`, `%2E`, `%2F`) stay as written. WHATWG-parsing the result gives
/// exactly the URL the input parses to (hex case aside). Relative URLs, scheme-relative-path
/// forms (`https:example.com`) and schemes other than http(s) come back unchanged.
///
/// ```
/// assert_eq!(
///     rfi_clean::display_url("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/a%2Fb%41?q=%E2%80%AE"),
///     "https://www.rfi.fr/cn/中国/a%2Fb%41?q=%E2%80%AE"
/// );
/// ```
pub fn display_url(url: &str) -> String {
    match links::parse_absolute(url) {
        Some(parsed) if scheme::is_web(&parsed) => display::display(&parsed),
        _ => url.to_owned(),
    }
}

static DEFAULT_CLEANER: LazyLock<Cleaner> = LazyLock::new(Cleaner::default);

/// Cleans one document with the default [`Cleaner`].
///
/// ```
/// let cleaned = rfi_clean::clean(r#"<p><a href="https://www.google.com/url?q=https%3A%2F%2Fa.com%2F">a</a></p>"#)?;
/// assert_eq!(cleaned.html(), r#"<p><a href="https://a.com/" rel="noopener noreferrer">a</a></p>"#);
/// # Ok::<(), rfi_clean::Error>(())
/// ```
///
/// # Errors
/// As for [`Cleaner::clean`].
pub fn clean(input: &str) -> Result<Cleaned, Error> {
    DEFAULT_CLEANER.clean(input)
}
