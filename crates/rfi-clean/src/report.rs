//! What a clean did, counted.

use std::ops::AddAssign;

/// Counts of what cleaning removed and rewrote in one document (or, summed, in many).
///
/// ```
/// let cleaned = rfi_clean::clean(r#"<p>Hi <a href="https://a.com/?utm_source=x">there</a></p>"#)?;
/// assert_eq!(cleaned.report().params_stripped, 1);
/// # Ok::<(), rfi_clean::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Report {
    /// Share links and share widgets removed (each `<a>` to a share endpoint counts once).
    pub share_widgets_removed: usize,
    /// Promotion placeholders (`data-selfpromo-*`) removed.
    pub promos_removed: usize,
    /// Share-bar labels (`分享 :`) removed.
    pub labels_removed: usize,
    /// Elements removed because cleaning left them empty.
    pub empty_elements_removed: usize,
    /// Elements nested deeper than 512 levels, unwrapped (tags gone, content kept) before the
    /// sanitizer. Always 0 for the rewrite-only stream, which builds no tree.
    pub elements_unnested: usize,
    /// URLs whose percent-escapes were decoded for display.
    pub links_decoded: usize,
    /// Redirector hops unwrapped.
    pub redirects_unwrapped: usize,
    /// Short links (`rfi.my`) replaced by the article URL the document pairs them with.
    pub short_links_resolved: usize,
    /// Tracking parameters removed.
    pub params_stripped: usize,
    /// Redirector links left wrapped because their target was not a safe http(s) URL.
    pub unwraps_refused: usize,
    /// `<noscript>` elements whose content was read as markup (trackers in it dropped).
    pub noscripts_unwrapped: usize,
    /// Tracking pixels and tag-manager frames dropped from `<noscript>` content.
    pub trackers_removed: usize,
    /// Lazy-loaded images given their real URL (`data-src` and the like).
    pub images_promoted: usize,
    /// Embeds (iframes, players) turned into links to what they embed.
    pub embeds_linked: usize,
    /// Controls that do nothing without script (`<button>`) removed with their text.
    pub controls_removed: usize,
}

impl Report {
    pub(crate) fn count_link(&mut self, change: &crate::links::LinkChange) {
        self.links_decoded += usize::from(change.decoded);
        self.redirects_unwrapped += change.unwrapped;
        self.short_links_resolved += change.short_links_resolved;
        self.params_stripped += change.params_stripped;
        self.unwraps_refused += usize::from(change.refused_unwrap);
    }
}

impl AddAssign for Report {
    fn add_assign(&mut self, other: Report) {
        self.share_widgets_removed += other.share_widgets_removed;
        self.promos_removed += other.promos_removed;
        self.labels_removed += other.labels_removed;
        self.empty_elements_removed += other.empty_elements_removed;
        self.elements_unnested += other.elements_unnested;
        self.links_decoded += other.links_decoded;
        self.redirects_unwrapped += other.redirects_unwrapped;
        self.short_links_resolved += other.short_links_resolved;
        self.params_stripped += other.params_stripped;
        self.unwraps_refused += other.unwraps_refused;
        self.noscripts_unwrapped += other.noscripts_unwrapped;
        self.trackers_removed += other.trackers_removed;
        self.images_promoted += other.images_promoted;
        self.embeds_linked += other.embeds_linked;
        self.controls_removed += other.controls_removed;
    }
}
