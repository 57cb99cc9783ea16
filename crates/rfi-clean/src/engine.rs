//! What a `Cleaner` holds once built: the compiled rules, the sanitizer and the settings, which
//! every stage reads and none changes.

use url::Url;

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
    /// The encoding of byte input that declares none and is not UTF-8.
    pub(crate) encoding: Option<&'static encoding_rs::Encoding>,
    pub(crate) embeds: EmbedMode,
    /// The base URL of every document, before the document's own (absolute http(s)).
    pub(crate) base_url: Option<Url>,
    /// Write every link resolved against the document's base URL.
    pub(crate) absolute_links: bool,
}

impl Engine {
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
