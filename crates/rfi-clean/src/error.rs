//! The library's one error type.

/// Everything that can go wrong while building a [`Cleaner`](crate::Cleaner) or cleaning a document.
///
/// Broken or odd HTML is not an error: it is cleaned like any other input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than the cleaner's `max_input_size`.
    #[error("input too large: {size} bytes, the limit is {limit} bytes")]
    InputTooLarge {
        /// Size of the input in bytes (at least; a stream is refused as soon as it passes the limit).
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The input brings the sanitizer more tree nodes (elements, attributes, links) than the
    /// cleaner's `max_tree_nodes` allows: its tree would cost far more memory than its size.
    #[error("input too complex: more than {limit} tree nodes (elements and attributes)")]
    TreeTooLarge {
        /// The limit, in tree nodes (see `CleanerBuilder::max_tree_nodes`).
        limit: usize,
    },
    /// The input is not valid UTF-8 and declares no other encoding.
    #[error("input is not valid UTF-8 (first invalid byte at offset {offset})")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The input declares a legacy encoding, but is not valid in it.
    #[error("input is not valid {encoding}, the encoding it declares")]
    InvalidEncoding {
        /// The declared encoding.
        encoding: &'static str,
    },
    /// The streaming rewriter needed more memory than its limit allows
    /// (for example a single tag or attribute larger than the limit).
    #[error("rewriter memory limit exceeded (limit {limit} bytes)")]
    MemoryLimitExceeded {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The streaming rewriter failed for another reason.
    #[error("rewrite failed")]
    Rewrite(#[source] lol_html::errors::RewritingError),
    /// The rewriter produced output that is not UTF-8 (a bug: it never should).
    #[error("rewriter produced invalid UTF-8: {0}")]
    InvalidOutput(String),
    /// A rule in a rules file or added through the builder is malformed.
    #[error("invalid rule `{rule}`: {reason}")]
    InvalidRule {
        /// The rule as written.
        rule: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A rules file could not be parsed, or holds a malformed rule: the message names the line
    /// and the key (prefix it with the file's name where you read it).
    #[error("invalid rules file: {}", located(*line, key, reason))]
    InvalidRules {
        /// The 1-based line of the key or value at fault, when it can be found.
        line: Option<usize>,
        /// The key at fault, with its table (`sanitizer.add_tags`, `tracking.names`).
        key: String,
        /// What is wrong (for a malformed rule, the rule and why).
        reason: String,
    },
    /// The builder was given settings that contradict each other.
    #[error("invalid settings: {0}")]
    InvalidSettings(String),
    /// Reading the input failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// Writing the output of a rewrite stream failed: the writer's own error.
    #[error("write failed")]
    Write(#[source] std::io::Error),
    /// The stream was written to after it had failed or finished.
    #[error("the stream has already ended or failed")]
    StreamEnded,
}

/// `line 3, key `x`: reason`, leaving out what is not known.
fn located(line: Option<usize>, key: &str, reason: &str) -> String {
    let mut out = String::new();
    if let Some(line) = line {
        out.push_str(&format!("line {line}, "));
    }
    if !key.is_empty() {
        out.push_str(&format!("key `{key}`, "));
    }
    if out.is_empty() {
        reason.to_owned()
    } else {
        out.truncate(out.len() - 2);
        format!("{out}: {reason}")
    }
}

impl Error {
    pub(crate) fn from_rewriting(err: lol_html::errors::RewritingError, limit: usize) -> Self {
        use lol_html::errors::RewritingError;
        match err {
            RewritingError::MemoryLimitExceeded(_) => Error::MemoryLimitExceeded { limit },
            other => Error::Rewrite(other),
        }
    }
}
