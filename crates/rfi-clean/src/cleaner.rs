//! The `Cleaner` and its builder: the settings and compiled rules of a clean, and the entry
//! points. The stages themselves live in `pipeline` (one clean) and `stream` (the two streams).

use std::io::Read;
use std::sync::Arc;

use crate::cleaned::Cleaned;
use crate::embed::EmbedMode;
use crate::engine::{CleanOptions, Engine, parse_base_url};
use crate::report::Report;
use crate::rewrite::Selectors;
use crate::rules::{CompiledRules, RedirectorRule, Rules, ShareRule};
use crate::shortlink::ShortLinks;
use crate::stream::{CleanStream, RewriteStream};
use crate::{Error, charset, links, pipeline, sanitize};

/// Default for [`CleanerBuilder::max_input_size`]: 64 MiB.
pub const DEFAULT_MAX_INPUT_SIZE: usize = 64 * 1024 * 1024;
/// Default for [`CleanerBuilder::rewrite_memory_limit`]: 32 MiB.
pub const DEFAULT_REWRITE_MEMORY_LIMIT: usize = 32 * 1024 * 1024;
/// Default for [`CleanerBuilder::max_tree_nodes`]: a document may bring the sanitizer one tree
/// node (an element, an attribute; a link counts 2 more) per this many bytes of input...
pub const DEFAULT_BYTES_PER_TREE_NODE: usize = 96;
/// ...and at least this many, whatever its size.
pub const DEFAULT_MIN_TREE_NODES: usize = 50_000;
/// The smallest accepted [`CleanerBuilder::rewrite_memory_limit`].
const MIN_REWRITE_MEMORY_LIMIT: usize = 64 * 1024;

/// Cleans article HTML. Build it once and reuse it: it is `Send + Sync`, cleaning does not
/// change it, and cloning it is cheap (the compiled rules are shared behind an `Arc`), so each
/// thread or task can hold its own handle.
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
#[derive(Debug, Clone)]
pub struct Cleaner {
    // Shared: a clone is a pointer copy, for threads and tasks that each hold one.
    engine: Arc<Engine>,
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
    max_tree_nodes: Option<usize>,
    encoding: Option<String>,
    embeds: EmbedMode,
    base_url: Option<String>,
    absolute_links: bool,
}

impl Default for CleanerBuilder {
    fn default() -> Self {
        CleanerBuilder {
            rules: Rules::default(),
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            rewrite_memory_limit: DEFAULT_REWRITE_MEMORY_LIMIT,
            max_tree_nodes: None,
            encoding: None,
            embeds: EmbedMode::default(),
            base_url: None,
            absolute_links: false,
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

    /// Adds a tracking-parameter prefix: every parameter whose name starts with it is stripped
    /// from every kept URL (case-sensitive).
    ///
    /// # Defaults
    /// `utm_`, `mtm_` and the rest of [`Rules::tracking`]'s `prefixes`.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().add_tracking_prefix("zz_").build()?;
    /// let cleaned = cleaner.clean(r#"<a href="https://a.com/?zz_src=rss&amp;zz_id=2&amp;id=1">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="https://a.com/?id=1""#));
    /// // A name is a name, not a pattern:
    /// assert!(rfi_clean::Cleaner::builder().add_tracking_param("zz_*").build().is_err());
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn add_tracking_prefix(mut self, prefix: &str) -> Self {
        self.rules.tracking.prefixes.push(prefix.to_owned());
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
        self.rules.share.push(ShareRule {
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
        self.rules.redirector.push(RedirectorRule {
            endpoints: vec![pattern.to_owned()],
            params: vec![param.to_owned()],
            ..Default::default()
        });
        self
    }

    /// The largest input a full clean accepts, in bytes. The sanitizer builds a tree of the whole
    /// document (peak memory about 7 times its size for an article, measured by
    /// `scripts/bench-memory`; at most 8 times with [`max_tree_nodes`](Self::max_tree_nodes)), so
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

    /// The most tree nodes a full clean's input may bring the sanitizer: every element counts one,
    /// every attribute one, every `<a href>` and every player (which becomes a link) two more
    /// (its URLs are kept by the link rules, the report and the extracted links), and the
    /// content of a `<noscript>` counts like the rest. So do elements that no start tag spells:
    /// the parser re-creates the formatting elements (`<b>`, `<a>`, `<font>`…) that an end tag
    /// closed without naming them wherever text or most start tags come next (HTML,
    /// "reconstruct the active formatting elements"), so every start tag and text node counts
    /// the ones left in its list, and a misnested end tag (`<b><p>x</b>`) counts the clones the
    /// adoption agency may make. The sanitizer's tree costs about 500 bytes a node at its peak,
    /// far more than the bytes that spell it (`<b>` is 3), so a page made of little but tags
    /// would need tens of times its size; past the limit the clean stops
    /// with [`Error::TreeTooLarge`]. The rewrite-only stream builds no tree and counts nothing.
    ///
    /// # Defaults
    /// One node per [`DEFAULT_BYTES_PER_TREE_NODE`] (96) bytes of input, and at least
    /// [`DEFAULT_MIN_TREE_NODES`] (50,000). With them, the densest pages the defaults accept
    /// (plain elements, links, lazy images, players, `<noscript>` content, elements nested and
    /// never closed) peak at 6.9-8.0 times their size in RSS at 8 MB and 6.0-8.0 times at 32
    /// and 62 MB (`scripts/bench-shapes`). Below 4.8 MB the minimum applies: up to about 30 MB
    /// of tree whatever the input's size. Real pages bring one node per 23-300 bytes, so a real
    /// page of several MB denser than one node per 96 bytes is refused: raise the limit for it,
    /// and expect its memory to grow by about 500 bytes a node.
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().max_tree_nodes(1_000).build()?;
    /// let tags = "<b>x</b>".repeat(2_000);
    /// assert!(matches!(cleaner.clean(&tags), Err(rfi_clean::Error::TreeTooLarge { .. })));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn max_tree_nodes(mut self, nodes: usize) -> Self {
        self.max_tree_nodes = Some(nodes);
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
    /// let mut stream = cleaner.rewrite_stream(std::io::sink());
    /// let result = huge.as_bytes().chunks(64 * 1024).try_for_each(|chunk| stream.write(chunk));
    /// assert!(matches!(result, Err(rfi_clean::Error::MemoryLimitExceeded { .. })));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn rewrite_memory_limit(mut self, bytes: usize) -> Self {
        self.rewrite_memory_limit = bytes;
        self
    }

    /// The encoding of byte input ([`Cleaner::clean_bytes`], [`Cleaner::clean_reader`],
    /// [`Cleaner::clean_stream`]) that is not UTF-8 and declares no encoding of its own (no BOM,
    /// no `<meta charset>` or `http-equiv` in its first 1024 bytes): any WHATWG encoding label
    /// (`windows-1250`, `shift_jis`, `gbk`, `latin1`…). A page's own declaration wins.
    ///
    /// # Defaults
    /// None: such input is refused with [`Error::InvalidUtf8`].
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().encoding("windows-1252").build()?;
    /// assert_eq!(cleaner.clean_bytes(b"<p>caf\xe9</p>")?.html(), "<p>café</p>");
    /// assert!(rfi_clean::Cleaner::builder().encoding("klingon").build().is_err());
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn encoding(mut self, label: &str) -> Self {
        self.encoding = Some(label.to_owned());
        self
    }

    /// What embeds (a YouTube or Spotify iframe, a Datawrapper chart…) become: a link to the
    /// public page of what they embed, or nothing. Hidden frames and frames no `[[embed]]` rule
    /// knows (ads, widgets) go either way.
    ///
    /// # Defaults
    /// [`EmbedMode::Links`].
    ///
    /// ```
    /// use rfi_clean::{Cleaner, EmbedMode};
    /// let html = r#"<p>Listen:</p><iframe src="https://open.spotify.com/embed/album/5xPx" title="The album"></iframe>"#;
    /// let links = Cleaner::default().clean(html)?;
    /// assert_eq!(
    ///     links.html(),
    ///     r#"<p>Listen:</p><a href="https://open.spotify.com/album/5xPx" rel="noopener noreferrer">The album</a>"#
    /// );
    /// let dropped = Cleaner::builder().embeds(EmbedMode::Drop).build()?.clean(html)?;
    /// assert_eq!(dropped.html(), "<p>Listen:</p>");
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn embeds(mut self, mode: EmbedMode) -> Self {
        self.embeds = mode;
        self
    }

    /// The base URL of every document this cleaner cleans: relative links resolve against it
    /// for the site's own rules (host-scoped tracking names, redirectors) and for
    /// [`absolute_links`](CleanerBuilder::absolute_links). It comes first; then a document's
    /// `<base href>`, envelope URL, `<link rel=canonical>` and `og:url` (the first present when a
    /// link is seen). [`CleanOptions::base_url`] overrides it for one clean.
    ///
    /// # Defaults
    /// None: each document's own base URL, if it has one. Without any, relative links are still
    /// cleaned of global tracking names and decoded, and stay as written.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder().base_url("https://www.nytimes.com/").build()?;
    /// let cleaned = cleaner.clean(r#"<a href="/2024/01/01/world/x.html?smid=url-share">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="/2024/01/01/world/x.html""#));
    /// assert!(rfi_clean::Cleaner::builder().base_url("/relative").build().is_err());
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// Writes every link (`href`, `src`) resolved against the document's base URL with the
    /// WHATWG rules, as a browser would follow it. A document without a base URL keeps its
    /// relative links relative.
    ///
    /// # Defaults
    /// `false`: relative links stay relative (cleaned in place).
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::builder()
    ///     .base_url("https://www.rfi.fr/fr/monde/")
    ///     .absolute_links(true)
    ///     .build()?;
    /// let cleaned = cleaner.clean(r#"<a href="../afrique/?utm_source=x">a</a>"#)?;
    /// assert!(cleaned.html().contains(r#"href="https://www.rfi.fr/fr/afrique/""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn absolute_links(mut self, yes: bool) -> Self {
        self.absolute_links = yes;
        self
    }

    /// Builds the cleaner, compiling the rules once.
    ///
    /// # Errors
    /// [`Error::InvalidRule`] for a malformed pattern, label or parameter name (empty, or written
    /// as a pattern: `add_tracking_param("")`, `add_tracking_param("zz_*")`,
    /// `add_redirector(pattern, "")`), [`Error::InvalidSettings`] for a
    /// memory limit under 64 KiB, a zero `max_input_size`, an unknown encoding label or a base
    /// URL that is not an absolute http(s) URL.
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
        let encoding = match &self.encoding {
            None => None,
            Some(label) => Some(charset::encoding_for_label(label).ok_or_else(|| {
                Error::InvalidSettings(format!(
                    "unknown encoding `{label}` (expected a WHATWG label such as windows-1252)"
                ))
            })?),
        };
        let base_url = self.base_url.as_deref().map(parse_base_url).transpose()?;
        let rules = CompiledRules::new(&self.rules)?;
        Ok(Cleaner {
            engine: Arc::new(Engine {
                encoding,
                embeds: self.embeds,
                base_url,
                absolute_links: self.absolute_links,
                selectors: Selectors::new(&rules),
                sanitizer: sanitize::builder(&rules.allowances),
                rules,
                max_input_size: self.max_input_size,
                rewrite_memory_limit: self.rewrite_memory_limit,
                max_tree_nodes: self.max_tree_nodes,
            }),
        })
    }
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
        pipeline::clean(&self.engine, input, self.engine.base_url.as_ref())
    }

    /// Cleans one document with per-call [`CleanOptions`] (its URL, for one).
    ///
    /// ```
    /// let options = rfi_clean::CleanOptions::default().with_base_url("https://www.theguardian.com/");
    /// let cleaned = rfi_clean::Cleaner::default()
    ///     .clean_with(r#"<a href="/world/x?CMP=share_btn_tw">a</a>"#, &options)?;
    /// assert!(cleaned.html().contains(r#"href="/world/x""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Cleaner::clean`], and [`Error::InvalidSettings`] if the base URL is not an
    /// absolute http(s) URL.
    pub fn clean_with(&self, input: &str, options: &CleanOptions) -> Result<Cleaned, Error> {
        let base = options.base()?;
        pipeline::clean(
            &self.engine,
            input,
            base.as_ref().or(self.engine.base_url.as_ref()),
        )
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
        pipeline::clean_bytes(&self.engine, input)
    }

    /// Cleans a document given as bytes (as [`Cleaner::clean_bytes`] decodes them) with per-call
    /// [`CleanOptions`]: a web archive's record, with its URL.
    ///
    /// ```
    /// let options = rfi_clean::CleanOptions::default().with_base_url("https://www.theguardian.com/");
    /// let cleaned = rfi_clean::Cleaner::default()
    ///     .clean_bytes_with(b"<a href=\"/world/x?CMP=share_btn_tw\">a</a>", &options)?;
    /// assert!(cleaned.html().contains(r#"href="/world/x""#));
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Cleaner::clean_bytes`] and [`Cleaner::clean_with`].
    pub fn clean_bytes_with(&self, input: &[u8], options: &CleanOptions) -> Result<Cleaned, Error> {
        let base = options.base()?;
        pipeline::clean_bytes_with(&self.engine, input, base.as_ref())
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
        let mut reader = reader.take(self.engine.max_input_size as u64 + 1);
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
    /// parameters stripped, percent-escapes decoded for display, relative URLs against the
    /// cleaner's [`base_url`](CleanerBuilder::base_url). Short links are left as they are
    /// (resolving them needs the document), and so are other schemes.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// assert_eq!(
    ///     cleaner.clean_url("https://www.google.com/url?q=https%3A%2F%2Fwww.rfi.fr%2Fcn%2F%25E4%25B8%25AD%3Futm_source%3Dx"),
    ///     "https://www.rfi.fr/cn/中"
    /// );
    /// assert_eq!(cleaner.clean_url("/relative?utm_source=x&id=2"), "/relative?id=2");
    /// assert_eq!(cleaner.clean_url("https:example.com/x"), "https:example.com/x");
    /// ```
    pub fn clean_url(&self, url: &str) -> String {
        let base = links::Base {
            url: self.engine.base_url.as_ref(),
            absolute: self.engine.absolute_links,
        };
        links::rewrite(url, base, &self.engine.rules, &ShortLinks::new())
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
        CleanStream::new(&self.engine)
    }

    /// Starts a rewrite-only stream: every rewrite rule (share widgets, links), no sanitizer, in
    /// constant memory, chunk in, chunk out. **For trusted input only**: the output is not
    /// sanitized. Short links resolve only against what has already gone by (the envelope URL,
    /// `<link rel=canonical>`, `og:url`, earlier share links), so the result can differ from the
    /// full clean's, but never depends on how the input is cut.
    ///
    /// The output goes to any [`io::Write`](std::io::Write) (a file, a socket, a `Vec<u8>`, a
    /// `&mut` to one); the writer's first error ends the stream and comes back from
    /// [`RewriteStream::write`] or [`RewriteStream::end`] as [`Error::Write`], and `end` flushes
    /// the writer.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// let mut out = Vec::new();
    /// let mut stream = cleaner.rewrite_stream(&mut out);
    /// stream.write(br#"<p><a href="https://a.com/?utm_source=x">a</a></p>"#)?;
    /// let report = stream.end()?;
    /// assert_eq!(out, br#"<p><a href="https://a.com/">a</a></p>"#);
    /// assert_eq!(report.params_stripped, 1);
    /// # Ok::<(), rfi_clean::Error>(())
    /// ```
    pub fn rewrite_stream<W: std::io::Write>(&self, out: W) -> RewriteStream<'_, W> {
        RewriteStream::new(&self.engine, out)
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
        let mut stream = self.rewrite_stream(&mut out);
        stream.write(input.as_bytes())?;
        let report = stream.end()?;
        Ok((pipeline::utf8(&out)?.to_owned(), report))
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
    fn clones_share_the_compiled_rules() {
        let cleaner = Cleaner::builder()
            .add_tracking_param("src")
            .build()
            .expect("builds");
        let clone = cleaner.clone();
        assert!(Arc::ptr_eq(&cleaner.engine, &clone.engine));
        let input = r#"<a href="https://a.com/?src=x&amp;id=1">a</a>"#;
        assert_eq!(
            clone.clean(input).expect("cleans"),
            cleaner.clean(input).expect("cleans")
        );
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
        let refused = |builder: CleanerBuilder, name: &str| match builder.build() {
            Err(Error::InvalidRule { rule, .. }) => assert_eq!(rule, name),
            other => panic!("{name:?} accepted: {other:?}"),
        };
        for name in ["", "zz_*", "a=b", "a b", "a&b", "#x"] {
            refused(Cleaner::builder().add_tracking_param(name), name);
            refused(Cleaner::builder().add_tracking_prefix(name), name);
            refused(
                Cleaner::builder().add_redirector("go.example.com/out", name),
                name,
            );
            refused(
                Cleaner::builder().add_share_endpoint("x", "x.example/share", name),
                name,
            );
        }
        for bad in [
            "/relative",
            "mailto:a@b.c",
            "ftp://a.com/",
            "https://",
            "data:,x",
        ] {
            assert!(
                matches!(
                    Cleaner::builder().base_url(bad).build(),
                    Err(Error::InvalidSettings(_))
                ),
                "{bad}"
            );
            let options = CleanOptions::default().with_base_url(bad);
            assert!(
                matches!(
                    Cleaner::default().clean_with("<p>x</p>", &options),
                    Err(Error::InvalidSettings(_))
                ),
                "{bad}"
            );
        }
    }

    fn href(cleaner: &Cleaner, input: &str, options: &CleanOptions) -> String {
        let html = cleaner
            .clean_with(input, options)
            .expect("cleans")
            .html()
            .to_owned();
        let start = html.find("href=\"").expect("a link is left") + 6;
        let end = start + html[start..].find('"').expect("closed");
        html[start..end].replace("&amp;", "&")
    }

    #[test]
    fn base_urls_come_in_order() {
        let absolute = Cleaner::builder()
            .absolute_links(true)
            .build()
            .expect("builds");
        let none = CleanOptions::default();
        let link = r#"<a href="x?utm_source=a&amp;id=1">x</a>"#;
        let page = |head: &str| {
            format!("<!DOCTYPE html><html><head>{head}</head><body><p>{link}</p></body></html>")
        };
        let canonical = r#"<link rel="canonical" href="https://c.example/c/">"#;
        let og = r#"<meta property="og:url" content="https://o.example/o/">"#;
        let base = r#"<base href="https://b.example/b/">"#;
        // og:url, then canonical, then the envelope URL, then <base href>, then the caller's
        assert_eq!(
            href(&absolute, &page(og), &none),
            "https://o.example/o/x?id=1"
        );
        assert_eq!(
            href(&absolute, &page(&format!("{og}{canonical}")), &none),
            "https://c.example/c/x?id=1"
        );
        assert_eq!(
            href(&absolute, &page(&format!("{og}{canonical}{base}")), &none),
            "https://b.example/b/x?id=1"
        );
        let envelope = format!(
            "<!--1710241200000-->\n[T](https://e.example/e/)\n------\n\n{}",
            page(&format!("{og}{canonical}"))
        );
        assert_eq!(
            href(&absolute, &envelope, &none),
            "https://e.example/e/x?id=1"
        );
        let caller = CleanOptions::default().with_base_url("https://u.example/u/");
        assert_eq!(
            href(&absolute, &page(&format!("{og}{canonical}{base}")), &caller),
            "https://u.example/u/x?id=1"
        );
        // a relative <base href> resolves against the caller's or envelope URL
        assert_eq!(
            href(&absolute, &page(r#"<base href="/sub/">"#), &caller),
            "https://u.example/u/x?id=1"
        );
        let relative_base = format!(
            "<!--1710241200000-->\n[T](https://e.example/e/)\n------\n\n{}",
            page(r#"<base href="/sub/">"#)
        );
        assert_eq!(
            href(&absolute, &relative_base, &none),
            "https://e.example/sub/x?id=1"
        );
        // the builder's base URL comes before the document's; the per-call one before it
        let built = Cleaner::builder()
            .base_url("https://k.example/k/")
            .absolute_links(true)
            .build()
            .expect("builds");
        assert_eq!(
            href(&built, &page(base), &none),
            "https://k.example/k/x?id=1"
        );
        assert_eq!(
            href(&built, &page(base), &caller),
            "https://u.example/u/x?id=1"
        );
        // without absolute_links, the link stays relative
        assert_eq!(href(&Cleaner::default(), &page(base), &none), "x?id=1");
        // a link before the head's base URL is seen resolves against none
        let late = format!("<p>{link}</p>{canonical}");
        assert_eq!(href(&absolute, &late, &none), "x?id=1");
    }

    #[test]
    fn site_rules_apply_to_relative_links_on_the_base_host() {
        let page = r#"<!DOCTYPE html><html><head><link rel="canonical" href="https://www.theguardian.com/world/a"></head><body><p><a href="/world/b?CMP=share_btn_tw&amp;page=2">b</a></p></body></html>"#;
        assert_eq!(
            href(&Cleaner::default(), page, &CleanOptions::default()),
            "/world/b?page=2"
        );
        let other = CleanOptions::default().with_base_url("https://example.com/");
        assert_eq!(
            href(&Cleaner::default(), page, &other),
            "/world/b?CMP=share_btn_tw&page=2"
        );
    }

    #[test]
    fn jetpack_share_links_go_relative_or_not() {
        let input = r#"<p>Text <a href="?share=twitter&amp;nb=1">X</a><a href="https://blog.example.org/x/?share=jetpack-whatsapp&amp;nb=1">W</a> <a href="?share=weekly">weekly</a></p>"#;
        let cleaned = Cleaner::default().clean(input).expect("cleans");
        assert_eq!(
            cleaned.html(),
            r#"<p>Text  <a href="?share=weekly" rel="noopener noreferrer">weekly</a></p>"#
        );
    }

    #[test]
    fn the_language_comes_from_the_callers_url() {
        let options = CleanOptions::default().with_base_url("https://www.rfi.fr/cn/");
        let cleaned = Cleaner::default()
            .clean_with("<p>文本</p>", &options)
            .expect("cleans");
        assert_eq!(cleaned.article().language.as_deref(), Some("zh-Hans"));
    }
}
