//! The normalize stage: tidies the sanitizer's output. Removes elements that cleaning left empty
//! (`<div></div>`, `<li></li>`…), removes share labels that their widgets left alone, and trims
//! whitespace at the start and end of blocks. It never touches a word of text.
//!
//! It reads ammonia's serialisation, which is canonical (html5ever): attribute values are always
//! double-quoted with `"` escaped, text has `<`, `>` and `&` escaped, there are no comments and no
//! raw-text elements. A token it does not recognise is kept as text, unchanged.
//!
//! The output must be a fixed point: parsing it again must give the same tree. ammonia's tree
//! can hold nestings that no parser builds (unwrapping `<button>` in `<p>` leaves `<p><hr></p>`),
//! and html5ever writes a few things that parse differently (a CR in text, a newline at the
//! start of `<pre>`). The last two are fixed here; the first is reported as `unstable`, and the
//! caller sanitizes once more, letting the parser settle the nesting.

use crate::markup::{Tok, closes_p, is_block, is_void, tokens};
use crate::report::Report;
use crate::share::is_share_label;

/// Elements kept even when empty: table structure, where an empty cell still holds a place.
fn keeps_when_empty(name: &str) -> bool {
    matches!(
        name,
        "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "colgroup"
    )
}

/// Elements that bound the button scope and the list of active formatting elements.
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet" | "button" | "caption" | "marquee" | "object" | "table" | "td" | "th" | "template"
    )
}

/// Special elements (HTML parsing) that stop the search for an open `<li>`, `<dd>` or `<dt>`.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "img"
            | "li"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "nav"
            | "object"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "wbr"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Elements around which the parser reorders or closes things in ways too intricate to model
/// here (ruby's implied end tags, table foster parenting): a document holding one is checked by
/// cleaning it once more (found by fuzzing: `<ruby>a<rp>b</rp><rp>c</rp><table>` came back
/// with the table inside the second `rp`).
fn needs_recheck(name: &str) -> bool {
    matches!(
        name,
        "ruby"
            | "rb"
            | "rp"
            | "rt"
            | "rtc"
            | "table"
            | "caption"
            | "colgroup"
            | "col"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
    )
}

/// Unicode whitespace, and the `&nbsp;` entity that html5ever writes for U+00A0.
/// Trimmed too: U+FEFF, invisible, which a parser drops at the very start of a document (so an
/// output starting with it would not be a fixed point; found by fuzzing).
fn is_trimmable(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn trim_start_ws(mut s: &str) -> &str {
    loop {
        s = s.trim_start_matches(is_trimmable);
        match s.strip_prefix("&nbsp;") {
            Some(rest) => s = rest,
            None => return s,
        }
    }
}

fn trim_end_ws(mut s: &str) -> &str {
    loop {
        s = s.trim_end_matches(is_trimmable);
        match s.strip_suffix("&nbsp;") {
            Some(rest) => s = rest,
            None => return s,
        }
    }
}

fn is_blank(s: &str) -> bool {
    trim_start_ws(s).is_empty()
}

struct Normalizer<'a, 'l> {
    out: Vec<Tok<'a>>,
    /// Indices in `out` of the open elements' start tags, with their names.
    open: Vec<(usize, &'a str)>,
    /// Start indices of the elements closed so far that hold a single text, which may be a share
    /// label (only if `remove_labels`). Whether it is one is asked only of an element left last
    /// in its parent (`close_parent`): most are links in running text. Nothing changes their
    /// tokens until then (they hold no element, and a trim stops at a start tag).
    labels: Vec<usize>,
    trim_leading: bool,
    /// `trim_leading` as it was when each open element started (same order as `open`).
    open_trim: Vec<bool>,
    in_pre: usize,
    share_labels: &'l [String],
    remove_labels: bool,
    report: &'l mut Report,
    /// A nesting that a parser would not rebuild was seen.
    unstable: bool,
}

/// The result of normalizing.
pub(crate) struct Normalized {
    pub(crate) html: String,
    /// Parsing `html` again would give another tree: sanitize and normalize once more.
    pub(crate) unstable: bool,
    /// `<a href>` and `<img src>` elements in `html`.
    pub(crate) urls: usize,
}

/// Normalizes sanitized HTML (see the module docs). Labels are removed only if the document had
/// a share widget removed (`report.share_widgets_removed > 0`).
pub(crate) fn normalize(html: &str, share_labels: &[String], report: &mut Report) -> Normalized {
    let remove_labels = report.share_widgets_removed > 0;
    // At most a text before each tag and one after the last: `out` grows only for the newline
    // doubled after a `<pre>`.
    let tags = memchr::memchr_iter(b'<', html.as_bytes()).count();
    let mut n = Normalizer {
        out: Vec::with_capacity(2 * tags + 1),
        open: Vec::new(),
        labels: Vec::new(),
        trim_leading: true,
        open_trim: Vec::new(),
        in_pre: 0,
        share_labels,
        remove_labels,
        report,
        unstable: false,
    };
    for tok in tokens(html) {
        n.push(tok);
    }
    // Whatever is still open (never in canonical output) stays as it is.
    n.open.clear();
    n.open_trim.clear();
    n.close_parent(0);
    n.trim_trailing();
    let mut s = String::with_capacity(html.len());
    let mut urls = 0;
    for tok in &n.out {
        match tok {
            Tok::Start { name, raw } => {
                // Canonical attributes: ` name="value"`, and `"` is never raw inside a value.
                urls += usize::from(
                    *name == "a" && raw.contains(" href=\"")
                        || *name == "img" && raw.contains(" src=\""),
                );
                s.push_str(raw);
            }
            Tok::End { raw, .. } | Tok::Text(raw) => s.push_str(raw),
        }
    }
    let trimmed = trim_end_ws(trim_start_ws(&s));
    let mut html = if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_owned()
    };
    // The parser turns CR into LF; a character reference keeps it (html5ever writes CR raw).
    if memchr::memchr(b'\r', html.as_bytes()).is_some() {
        html = html.replace('\r', "&#13;");
    }
    Normalized {
        html,
        unstable: n.unstable,
        urls,
    }
}

impl<'a> Normalizer<'a, '_> {
    fn push(&mut self, tok: Tok<'a>) {
        match tok {
            Tok::Text(text) => {
                // The parser drops one newline right after <pre>: write it twice to keep it.
                if text.starts_with('\n')
                    && matches!(self.out.last(), Some(Tok::Start { name: "pre", .. }))
                {
                    self.out.push(Tok::Text("\n"));
                }
                let text = if self.trim_leading && self.in_pre == 0 {
                    trim_start_ws(text)
                } else {
                    text
                };
                if !text.is_empty() {
                    self.trim_leading = false;
                    self.out.push(Tok::Text(text));
                }
            }
            Tok::Start { name, .. } => {
                if needs_recheck(name) || self.would_reparent(name) {
                    self.unstable = true;
                }
                let block = is_block(name);
                if is_void(name) {
                    self.trim_leading = false;
                } else {
                    self.open.push((self.out.len(), name));
                    self.open_trim.push(self.trim_leading);
                    if name == "pre" {
                        self.in_pre += 1;
                    }
                    if block {
                        self.trim_leading = true;
                    }
                }
                self.out.push(tok);
            }
            Tok::End { name, .. } => self.close(name, tok),
        }
    }

    /// Would a parser, meeting this start tag with the current elements open, close some of them
    /// (and so build another tree than the one serialised)?
    fn would_reparent(&self, name: &str) -> bool {
        let open = || self.open.iter().rev().map(|(_, n)| *n);
        let in_scope = |target: &str| {
            open()
                .take_while(|n| !is_scope_boundary(n))
                .any(|n| n == target)
        };
        if closes_p(name) && in_scope("p") {
            return true;
        }
        match name {
            "a" => in_scope("a"),
            _ if is_heading(name) => open().next().is_some_and(is_heading),
            "li" | "dd" | "dt" => {
                let siblings: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                for n in open() {
                    if siblings.contains(&n) {
                        return true;
                    }
                    if is_special(n) && !matches!(n, "address" | "div" | "p") {
                        return false;
                    }
                }
                false
            }
            _ => false,
        }
    }

    fn close(&mut self, name: &'a str, tok: Tok<'a>) {
        let Some(pos) = self.open.iter().rposition(|(_, n)| *n == name) else {
            self.out.push(tok); // stray end tag: keep
            return;
        };
        // Canonical output nests properly; anything opened inside is closed with it.
        let (start, _) = self.open[pos];
        let trim_before = self
            .open_trim
            .get(pos)
            .copied()
            .unwrap_or(self.trim_leading);
        self.open.truncate(pos);
        self.open_trim.truncate(pos);
        if name == "pre" {
            self.in_pre = self.in_pre.saturating_sub(1);
        }
        let block = is_block(name);
        // Labels first: the whitespace before a removed label is trailing too (found by fuzzing).
        self.close_parent(start + 1);
        if block && self.in_pre == 0 {
            self.trim_trailing();
        }
        let content = &self.out[start + 1..];
        let empty = content
            .iter()
            .all(|t| matches!(t, Tok::Text(s) if is_blank(s)));
        if empty && !keeps_when_empty(name) {
            self.out.truncate(start);
            self.report.empty_elements_removed += 1;
            if !block {
                // Gone as if it never was: whitespace after it is leading if it was before it
                // (found by fuzzing: `<pre> </pre><span> x` lost its space on the second clean).
                self.trim_leading = trim_before;
                return;
            }
        } else {
            let may_be_label = self.remove_labels && matches!(content, [Tok::Text(_)]);
            self.out.push(tok);
            if may_be_label {
                self.labels.push(start);
            }
        }
        self.trim_leading = block;
    }

    /// The element whose content starts at `content_start` is closing: a label element that is
    /// the last thing in it was left alone by its share links, so it goes.
    fn close_parent(&mut self, content_start: usize) {
        while let Some(&label_start) = self.labels.last() {
            if label_start < content_start {
                break;
            }
            self.labels.pop();
            let after_label_end = self.end_of_element(label_start);
            let rest_blank = self.out[after_label_end..]
                .iter()
                .all(|t| matches!(t, Tok::Text(s) if is_blank(s)));
            if rest_blank && self.is_label(label_start) {
                self.out.truncate(label_start);
                self.report.labels_removed += 1;
            }
        }
    }

    /// Is the element starting at `start`, holding a single text, a share label?
    fn is_label(&self, start: usize) -> bool {
        matches!(self.out.get(start + 1), Some(Tok::Text(text))
            if is_share_label(&htmlize::unescape(*text), self.share_labels))
    }

    /// The index just after the end tag of the element starting at `start`.
    fn end_of_element(&self, start: usize) -> usize {
        let mut depth = 0usize;
        for (i, tok) in self.out.iter().enumerate().skip(start) {
            match tok {
                Tok::Start { name, .. } if !is_void(name) => depth += 1,
                Tok::End { .. } => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        self.out.len()
    }

    /// Trims trailing whitespace before a block's end, looking back through inline end tags.
    fn trim_trailing(&mut self) {
        let mut i = self.out.len();
        while i > 0 {
            i -= 1;
            match self.out[i] {
                Tok::Text(text) => {
                    let trimmed = trim_end_ws(text);
                    if trimmed.is_empty() {
                        self.out.remove(i);
                        continue;
                    }
                    self.out[i] = Tok::Text(trimmed);
                    return;
                }
                Tok::End { name, .. } if !is_block(name) && name != "pre" => continue,
                _ => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(html: &str, widgets_removed: usize) -> (String, Report) {
        let labels: Vec<String> = ["分享", "Partager"]
            .iter()
            .map(|l| crate::share::normalize_label(l))
            .collect();
        let mut report = Report {
            share_widgets_removed: widgets_removed,
            ..Report::default()
        };
        let out = normalize(html, &labels, &mut report).html;
        (out, report)
    }

    #[test]
    fn empty_containers_go_recursively() {
        let (out, report) = norm(
            "<p>a</p><div><div></div><span> </span><ul><li></li></ul></div>",
            0,
        );
        assert_eq!(out, "<p>a</p>");
        assert_eq!(report.empty_elements_removed, 5);
    }

    #[test]
    fn whitespace_after_a_removed_empty_element_is_leading_as_before_it() {
        // Found by the property test: the second clean trimmed what the first had kept.
        let (out, _) = norm("<pre> </pre><span> &amp;amp;</span>", 0);
        assert_eq!(out, "<span>&amp;amp;</span>");
        let (again, _) = norm(&out, 0);
        assert_eq!(again, out);
    }

    #[test]
    fn table_cells_and_void_elements_stay() {
        let (out, _) = norm(
            "<table><tbody><tr><td></td><td>x</td></tr></tbody></table><p><br></p><img src=\"a\">",
            0,
        );
        assert_eq!(
            out,
            "<table><tbody><tr><td></td><td>x</td></tr></tbody></table><p><br></p><img src=\"a\">"
        );
    }

    #[test]
    fn whitespace_is_trimmed_at_block_edges_only() {
        let (out, _) = norm(
            "<p><strong>  lede.        </strong></p><p> a <em>b</em> c&nbsp;</p>",
            0,
        );
        assert_eq!(out, "<p><strong>lede.</strong></p><p>a <em>b</em> c</p>");
        let (out, _) = norm("<pre>  code  </pre>", 0);
        assert_eq!(out, "<pre>  code  </pre>");
    }

    #[test]
    fn labels_left_alone_by_their_widgets_go() {
        let (out, report) = norm("<p>x</p><div><div>分享 :</div><div></div></div>", 1);
        assert_eq!(out, "<p>x</p>");
        assert_eq!(report.labels_removed, 1);
        let (out, _) = norm("<ul><li>Partager&nbsp;:</li><li></li></ul><p>y</p>", 1);
        assert_eq!(out, "<p>y</p>");
    }

    #[test]
    fn whitespace_before_a_removed_label_is_trimmed() {
        let (out, report) = norm("<p>Texte : <a>Partager :</a></p><div></div>", 1);
        assert_eq!(out, "<p>Texte :</p>");
        assert_eq!(report.labels_removed, 1);
        let (again, _) = norm(&out, 1);
        assert_eq!(again, out);
    }

    #[test]
    fn labels_in_running_text_stay() {
        // no widget removed in the document
        let (out, _) = norm("<div><div>分享 :</div></div>", 0);
        assert_eq!(out, "<div><div>分享 :</div></div>");
        // followed by content
        let (out, _) = norm("<p><strong>Partager :</strong> la suite</p>", 1);
        assert_eq!(out, "<p><strong>Partager :</strong> la suite</p>");
        // prose mentioning sharing
        let (out, _) = norm("<div><p>他分享了这篇文章</p></div>", 1);
        assert_eq!(out, "<div><p>他分享了这篇文章</p></div>");
    }

    #[test]
    fn nestings_a_parser_would_not_rebuild_are_flagged() {
        let labels: Vec<String> = Vec::new();
        let unstable = |html: &str| normalize(html, &labels, &mut Report::default()).unstable;
        for html in [
            "<p><hr></p>",
            "<p><div>x</div></p>",
            "<a>x<a>y</a></a>",
            "<h1><h2>x</h2></h1>",
            "<ul><li>a<li>b</li></li></ul>",
        ] {
            assert!(unstable(html), "{html}");
        }
        for html in [
            "<p><b>x</b></p>",
            "<div><p>x</p></div>",
            "<a>x</a><a>y</a>",
            "<ul><li><ul><li>x</li></ul></li></ul>",
            "<dl><dt>a</dt><dd>b</dd></dl>",
        ] {
            assert!(!unstable(html), "{html}");
        }
    }

    #[test]
    fn carriage_returns_and_pre_newlines_survive_a_reparse() {
        let (out, _) = norm("<p>a\rb</p><pre>\nx</pre>", 0);
        assert_eq!(out, "<p>a&#13;b</p><pre>\n\nx</pre>");
    }

    #[test]
    fn a_leading_byte_order_mark_is_trimmed() {
        // regression: fuzz/artifacts clean crash-dd1bf7b0, `<svg>\u{feff}fs>` cleaned to a
        // document starting with U+FEFF, which the next parse dropped.
        let (out, _) = norm("\u{feff}fs&gt;", 0);
        assert_eq!(out, "fs&gt;");
        assert_eq!(rfi_clean_output("<svg>\u{feff}fs>"), "fs&gt;");
    }

    fn rfi_clean_output(input: &str) -> String {
        crate::clean(input).expect("cleans").into_document()
    }

    #[test]
    fn unrecognised_markup_is_kept_as_text() {
        let (out, _) = norm("a &lt; b <not-a-tag x='1'> c", 0);
        assert_eq!(out, "a &lt; b <not-a-tag x='1'> c");
    }
}
