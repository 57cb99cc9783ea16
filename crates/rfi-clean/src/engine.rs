//! What a `Cleaner` holds once built: the compiled rules, the sanitizer and the settings, which
//! every stage reads and none changes.

use url::Url;

use crate::{Error, links};

use crate::embed::EmbedMode;
use crate::rewrite::{Context, Selectors};
use crate::rules::CompiledRules;

/// A built cleaner's state.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) rules: CompiledRules,
    pub(crate) selectors: Selectors,
    pub(crate) sanitizer: ammonia::Builder<'static>,
    pub(crate) max_input_size: usize,
    pub(crate) rewrite_memory_limit: usize,
    /// A fixed tree budget; `None`: the default, which grows with the input.
    pub(crate) max_tree_nodes: Option<usize>,
    /// The encoding of byte input that declares none and is not UTF-8.
    pub(crate) encoding: Option<&'static encoding_rs::Encoding>,
    pub(crate) embeds: EmbedMode,
    /// The base URL of every document, before the document's own (absolute http(s)).
    pub(crate) base_url: Option<Url>,
    /// Write every link resolved against the document's base URL.
    pub(crate) absolute_links: bool,
}

impl Engine {
    /// The most tree nodes a full clean of `len` bytes may bring the sanitizer.
    pub(crate) fn tree_budget(&self, len: usize) -> usize {
        use crate::cleaner::{DEFAULT_BYTES_PER_TREE_NODE, DEFAULT_MIN_TREE_NODES};
        self.max_tree_nodes
            .unwrap_or((len / DEFAULT_BYTES_PER_TREE_NODE).max(DEFAULT_MIN_TREE_NODES))
    }

    /// What the passes of one clean share; `full`: the sanitizer is there for `<noscript>`.
    pub(crate) fn context(&self, full: bool) -> Context<'_> {
        Context {
            rules: &self.rules,
            selectors: &self.selectors,
            memory_limit: self.rewrite_memory_limit,
            sanitizer: full.then_some(&self.sanitizer),
            embeds: self.embeds,
        }
    }
}

/// Options for one clean ([`Cleaner::clean_with`](crate::Cleaner::clean_with)), on top of the cleaner's settings.
///
/// ```
/// let options = rfi_clean::CleanOptions::default().with_base_url("https://www.rfi.fr/fr/");
/// let cleaned = rfi_clean::Cleaner::default()
///     .clean_with(r#"<a href="/fr/monde/?xtor=RSS-1&amp;page=2">a</a>"#, &options)?;
/// assert_eq!(cleaned.html(), r#"<a href="/fr/monde/?page=2" rel="noopener noreferrer">a</a>"#);
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CleanOptions {
    /// The document's URL, the first of its base URLs: it wins over `<base href>`, the
    /// envelope URL, `<link rel=canonical>` and `og:url`, and over the cleaner's
    /// [`base_url`](crate::CleanerBuilder::base_url). An absolute http(s) URL.
    pub base_url: Option<String>,
}

impl CleanOptions {
    /// The base URL, parsed.
    pub(crate) fn base(&self) -> Result<Option<Url>, Error> {
        self.base_url.as_deref().map(parse_base_url).transpose()
    }

    /// Sets [`CleanOptions::base_url`].
    ///
    /// ```
    /// let options = rfi_clean::CleanOptions::default().with_base_url("https://www.rfi.fr/");
    /// assert_eq!(options.base_url.as_deref(), Some("https://www.rfi.fr/"));
    /// ```
    #[must_use]
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }
}

/// `url` as a base URL: absolute http(s) with a host, else [`Error::InvalidSettings`].
pub(crate) fn parse_base_url(url: &str) -> Result<Url, Error> {
    Url::parse(links::trim_url(url))
        .ok()
        .filter(crate::rewrite::is_base)
        .ok_or_else(|| {
            Error::InvalidSettings(format!("base URL `{url}` is not an absolute http(s) URL"))
        })
}
