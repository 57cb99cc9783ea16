//! An upper bound of the elements the sanitizer's parser (html5ever) creates that no start tag
//! spells: an approximate list of active formatting elements (HTML, "The list of active
//! formatting elements"), kept from the start and end tags the rewrite pass sees, so that the
//! tree budget can charge them. It changes nothing in the output.
//!
//! The parser re-creates ("reconstructs the active formatting elements") the entries of that
//! list after its last marker that are no longer open, each time it inserts text or most start
//! tags: `<p>` and 500 `<b id=…>`, `</p>`, then 2,000 `<p>x</p>` (21 KB) built a million
//! elements and peaked at 406 MB. A misnested end tag (`<b><p>x</b>`) runs the adoption agency
//! algorithm, which clones formatting elements too, at most 8 times over with 3 more each.
//!
//! The model leans towards charging too much. An entry leaves it only at the end tag of its
//! name with nothing in its way, at a marker's end, or by the Noah's Ark clause. It counts as
//! closed from the moment lol_html closes it for an ancestor's end tag (a "ghost": the parser
//! may then hold copies that lol_html knows nothing of, and close them at end tags lol_html
//! finds nothing for, so a segment with a ghost never counts as open again), or a start tag
//! that may close it (`<p>` while a `<p>` is open, a cell), or an adoption agency: every start
//! tag and text node is then charged every entry from the first closed one on.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::ops::Range;

use crate::markup::closes_p;

/// How many formatting elements there are (HTML, "formatting" category; see `formatting_tag`).
const FORMATTING: usize = 14;
const A: Tag = 0;
const NOBR: Tag = 7;

/// A formatting element's `Tag`.
fn formatting_tag(name: &str) -> Option<Tag> {
    let tag = match name {
        "a" => A,
        "b" => 1,
        "big" => 2,
        "code" => 3,
        "em" => 4,
        "font" => 5,
        "i" => 6,
        "nobr" => NOBR,
        "s" => 8,
        "small" => 9,
        "strike" => 10,
        "strong" => 11,
        "tt" => 12,
        "u" => 13,
        _ => return None,
    };
    Some(tag)
}

/// Elements that push a marker. The parser also pushes one at `applet`, `marquee`, `object`
/// and `template`; the model does not, as the rewrite pass may drop or unwrap them (a player
/// becomes a link) where a marker would hide entries the parser still has.
fn is_marker(name: &str) -> bool {
    matches!(name, "caption" | "td" | "th")
}

/// Start tags that close an open cell or caption (HTML, "in cell" and "in caption" insertion
/// modes), which clears the list up to its marker.
fn closes_cell(name: &str) -> bool {
    matches!(
        name,
        "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
    )
}

/// Elements of the "special" category (HTML) that can have content: one open inside a
/// formatting element when its end tag comes is a "furthest block", and the adoption agency
/// clones.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "button"
            | "caption"
            | "center"
            | "colgroup"
            | "dd"
            | "desc"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "foreignobject"
            | "form"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "html"
            | "iframe"
            | "li"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "search"
            | "section"
            | "select"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "xmp"
    ) || is_scope_boundary(name)
}

/// Elements that also bound "has an element in scope": a formatting element whose end tag
/// finds one of them in its way stays in the list (HTML, adoption agency algorithm, step 4).
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "annotation-xml"
            | "applet"
            | "caption"
            | "desc"
            | "foreignobject"
            | "html"
            | "marquee"
            | "mi"
            | "mn"
            | "mo"
            | "ms"
            | "mtext"
            | "object"
            | "table"
            | "td"
            | "template"
            | "th"
            | "title"
    )
}

/// The adoption agency algorithm's outer loop runs at most this many times, and each time
/// clones the formatting element and at most `AAA_INNER` more.
const AAA_OUTER: usize = 8;
const AAA_INNER: usize = 3;

/// The parser keeps at most this many entries alike after the last marker ("Noah's Ark").
const NOAHS_ARK: usize = 3;

/// A formatting element (see `formatting_tag`), or `MARKER`.
type Tag = u8;
const MARKER: Tag = u8::MAX;

/// Start tags that may pop formatting elements without naming them, besides those that close a
/// `<p>` (`markup::closes_p`, `li`, `dd`, `dt` and `table` among them), and what must be open for
/// that (HTML, "in body": `li`, `dd`, `button`; "clear the stack back to a table context"; "in
/// select").
fn closer(name: &str) -> Option<Scope> {
    let scope = match name {
        "li" => Scope::Li,
        "dd" | "dt" => Scope::DdDt,
        "button" => Scope::Button,
        "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
        | "table" => Scope::Table,
        "select" | "input" | "keygen" | "textarea" => Scope::Select,
        "frameset" => Scope::Any,
        _ => return None,
    };
    Some(scope)
}

/// What a closing start tag needs open (as lol_html sees it: a superset of what the parser has
/// open, as lol_html closes nothing without an end tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    P,
    Li,
    DdDt,
    Button,
    Table,
    Select,
    Any,
}

impl Scope {
    /// The element that opens this scope, if `name` is one.
    fn opened_by(name: &str) -> Option<Scope> {
        let scope = match name {
            "p" => Scope::P,
            "li" => Scope::Li,
            "dd" | "dt" => Scope::DdDt,
            "button" => Scope::Button,
            "table" => Scope::Table,
            "select" => Scope::Select,
            _ => return None,
        };
        Some(scope)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    id: usize,
    tag: Tag,
    /// Tree nodes a copy costs: the element and its attributes.
    weight: usize,
    /// Tag name and attributes, hashed (Noah's Ark).
    key: u64,
    /// Markers before it: the segment it belongs to.
    depth: usize,
    removed: bool,
    /// lol_html closed it for an ancestor's end tag: the parser may hold copies of it that
    /// lol_html knows nothing of, and close them at end tags lol_html finds nothing to close.
    ghost: bool,
}

/// The entries after one marker.
#[derive(Debug, Default)]
struct Segment {
    /// Index of its first entry.
    start: usize,
    /// The first entry that may no longer be open: reconstruction may re-create it and every
    /// entry after it.
    closed_from: Option<usize>,
    /// Ghost entries in it (see `Entry::ghost`): while there are any, it never counts as open.
    ghosts: usize,
    /// The heaviest entry pushed (not lowered when it goes: a bound is all it needs to be).
    max_weight: usize,
    /// Ids of the entries alike, oldest first.
    alike: HashMap<u64, Vec<usize>>,
    /// Ids of the entries of each tag name, oldest first (removed ones are skipped lazily).
    by_tag: [Vec<usize>; FORMATTING],
}

/// What an element's end tag must tell the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Opened {
    /// A formatting element, with its entry's id.
    Formatting(Tag, usize),
    /// A cell or caption, with its marker's id.
    Marker(usize),
    Special {
        boundary: bool,
        scope: Option<Scope>,
    },
}

/// Weights by entry index, summed by prefix in O(log n) (a Fenwick tree).
#[derive(Debug, Default)]
struct Weights {
    tree: Vec<usize>,
}

impl Weights {
    /// The weight of the first `n` entries.
    fn prefix(&self, n: usize) -> usize {
        let (mut i, mut sum) = (n, 0);
        while i > 0 {
            sum += self.tree[i - 1];
            i &= i - 1;
        }
        sum
    }

    fn push(&mut self, weight: usize) {
        let i = self.tree.len() + 1;
        let covered = i - (i & i.wrapping_neg());
        let node = weight + self.prefix(i - 1) - self.prefix(covered);
        self.tree.push(node);
    }

    fn subtract(&mut self, index: usize, weight: usize) {
        let mut i = index + 1;
        while i <= self.tree.len() {
            self.tree[i - 1] -= weight;
            i += i & i.wrapping_neg();
        }
    }

    fn truncate(&mut self, n: usize) {
        self.tree.truncate(n);
    }
}

/// The model of one pass (see the module docs).
#[derive(Debug, Default)]
pub(super) struct Formatting {
    /// Entries and markers in list order (ids grow along it).
    entries: Vec<Entry>,
    weights: Weights,
    next_id: usize,
    /// The entries after the last marker; `saved` holds the ones before each marker.
    segment: Segment,
    saved: Vec<Segment>,
    /// Entries of the enclosing document (a `<noscript>`'s content is parsed inside it),
    /// charged at every start tag and text node.
    base: usize,
    /// Special elements lol_html closed since the last end tag of a formatting or special
    /// element, for an end tag that is not theirs: they were in that end tag's way.
    in_the_way: usize,
    boundary_in_the_way: bool,
    /// Open elements that closing start tags need (see `closer`), as lol_html sees them.
    open: [usize; 7],
    /// Where the last tag the model was told of ends, in the input (see `text_before`).
    seen_to: usize,
    /// An element whose content lol_html reads as raw text is open (see `enter_raw_text`).
    in_raw_text: bool,
    /// Gaps between tags whose text nodes after the first cost something each: counted by
    /// `settle`, where the input is at hand.
    pending: Vec<(Range<usize>, usize)>,
    hasher: RandomState,
}

impl Formatting {
    /// A model inside a document whose own entries cost `base`.
    pub(super) fn within(base: usize) -> Formatting {
        Formatting {
            base,
            ..Formatting::default()
        }
    }

    /// Every entry after the last marker, open or not: what a `<noscript>` in this place is
    /// charged at each of its start tags and text nodes.
    pub(super) fn entries_weight(&self) -> usize {
        self.base + self.weight_from(self.segment.start)
    }

    fn weight_from(&self, index: usize) -> usize {
        let len = self.weights.tree.len();
        self.weights.prefix(len) - self.weights.prefix(index.min(len))
    }

    /// What reconstructing the active formatting elements may create here (a text node, a
    /// start tag), in tree nodes. What it charged for is open afterwards, unless ghosts keep it
    /// in doubt.
    pub(super) fn reconstruct(&mut self) -> usize {
        let Some(id) = self.segment.closed_from else {
            return self.base;
        };
        let index = self
            .entries
            .partition_point(|e| e.id < id)
            .max(self.segment.start);
        let cost = self.base + self.weight_from(index);
        if self.segment.ghosts == 0 {
            self.segment.closed_from = None;
        }
        cost
    }

    /// The text the parser may insert between the last tag the model was told of and a tag
    /// at `tag` (byte offsets in the input), charged without reading any text: lol_html
    /// decodes every text node for a text handler, which cost a tenth of a full clean.
    ///
    /// A gap that is not empty may hold text nodes, each of which reconstructs: the first
    /// is charged now; if each further one costs something too (ghosts, or a `<noscript>`'s
    /// document entries), the gap is kept for `settle`, which counts them. Every tag the model
    /// is told of must come through here, in input order.
    pub(super) fn text_before(&mut self, tag: Range<usize>) -> usize {
        let gap = self.seen_to..tag.start;
        self.seen_to = self.seen_to.max(tag.end);
        if gap.is_empty() {
            return 0;
        }
        let first = self.reconstruct();
        let each = self.reconstruct(); // what reconstructing again costs: the steady state
        if each > 0 {
            self.pending.push((gap, each));
        }
        first
    }

    /// Raw text (`<script>`, `<style>`…) starts after the tag just told of: until `skip_to`, no
    /// text node of the tree.
    pub(super) fn enter_raw_text(&mut self) {
        self.in_raw_text = true;
    }

    /// Raw text ends at `end` (its element's end tag).
    pub(super) fn skip_to(&mut self, end: usize) {
        self.seen_to = self.seen_to.max(end);
        self.in_raw_text = false;
    }

    /// The input ends at `end`: raw text still open runs to it (`<script>` never closed).
    pub(super) fn end_raw_text_at(&mut self, end: usize) {
        if self.in_raw_text {
            self.skip_to(end);
        }
    }

    /// Charges the gaps `text_before` kept: a text node ends where a tag or comment starts, so
    /// a gap holds at most one text node more than it has `<`. Without the input, every byte
    /// of a gap is taken for a text node.
    pub(super) fn settle(&mut self, input: Option<&[u8]>) -> usize {
        self.pending
            .drain(..)
            .map(|(gap, each)| {
                let further = match input.and_then(|input| input.get(gap.clone())) {
                    Some(text) => memchr::memchr_iter(b'<', text).count(),
                    None => gap.len(),
                };
                each.saturating_mul(further)
            })
            .fold(0, usize::saturating_add)
    }

    /// Every entry after the last marker may have been closed.
    fn close_all(&mut self) {
        if let Some(first) = self.entries.get(self.segment.start) {
            self.segment.closed_from = Some(first.id);
        }
    }

    /// A start tag: what it may cost on top of its own element (in tree nodes), and what its
    /// end tag must report, if anything.
    pub(super) fn start_tag(
        &mut self,
        name: &str,
        attributes: impl Iterator<Item = impl Hash>,
    ) -> (usize, Option<Opened>) {
        let mut cost = self.reconstruct();
        let is_open = |scope: Scope| scope == Scope::Any || self.open[scope as usize] > 0;
        if closes_p(name) && is_open(Scope::P) || closer(name).is_some_and(is_open) {
            self.close_all();
        }
        if closes_cell(name) {
            self.close_cell();
        }
        if let Some(tag) = formatting_tag(name) {
            if tag == A || tag == NOBR {
                // An open `<a>` (or `<nobr>`) is closed by the next one, through the adoption
                // agency (HTML, "in body": a start tag whose tag name is "a").
                if let Some(id) = self.last_of(tag) {
                    cost += self.adoption_cost(id);
                    self.remove(id);
                    self.close_all();
                }
            }
            let id = self.push(tag, attributes);
            return (cost, Some(Opened::Formatting(tag, id)));
        }
        let scope = Scope::opened_by(name);
        if let Some(scope) = scope {
            self.open[scope as usize] += 1;
        }
        if is_marker(name) {
            let id = self.push_marker();
            return (cost, Some(Opened::Marker(id)));
        }
        if is_special(name) {
            let boundary = is_scope_boundary(name);
            return (cost, Some(Opened::Special { boundary, scope }));
        }
        (cost, None)
    }

    /// The end of an element that `start_tag` said to report; `own`: by its own end tag (else
    /// lol_html closed it for an ancestor's, which the parser does without touching the list).
    /// Returns what it may cost, in tree nodes.
    pub(super) fn end_tag(&mut self, opened: Opened, own: bool) -> usize {
        match opened {
            Opened::Formatting(tag, id) => {
                if !own {
                    self.ghost(id);
                    return 0;
                }
                let in_the_way = std::mem::take(&mut self.in_the_way);
                let boundary = std::mem::take(&mut self.boundary_in_the_way);
                // The adoption agency acts on the last entry of that name, not necessarily the
                // element lol_html closes.
                let Some(id) = self.last_of(tag) else {
                    return 0;
                };
                if boundary {
                    return 0; // not in scope: the parser ignores the end tag
                }
                if in_the_way == 0 {
                    self.remove(id);
                    return 0;
                }
                let cost = in_the_way.min(AAA_OUTER) * self.clone_cost(id);
                if in_the_way < AAA_OUTER {
                    self.remove(id);
                }
                self.close_all();
                cost
            }
            Opened::Marker(id) => {
                self.clear_to(id);
                self.special_closed(own, true, None);
                0
            }
            Opened::Special { boundary, scope } => {
                self.special_closed(own, boundary, scope);
                0
            }
        }
    }

    fn special_closed(&mut self, own: bool, boundary: bool, scope: Option<Scope>) {
        if let Some(scope) = scope {
            self.open[scope as usize] = self.open[scope as usize].saturating_sub(1);
        }
        if own {
            self.in_the_way = 0;
            self.boundary_in_the_way = false;
        } else {
            self.in_the_way += 1;
            self.boundary_in_the_way |= boundary;
        }
    }

    /// lol_html closed the element of entry `id` for an ancestor's end tag: the parser closed
    /// it too, and keeps it in its list.
    fn ghost(&mut self, id: usize) {
        let Some(i) = self.index(id) else {
            return;
        };
        if self.entries[i].removed || self.entries[i].depth != self.saved.len() {
            return; // gone, or behind a marker (all of it counts as closed when it is cleared)
        }
        if !self.entries[i].ghost {
            self.entries[i].ghost = true;
            self.segment.ghosts += 1;
        }
        let from = self.segment.closed_from.map_or(id, |from| from.min(id));
        self.segment.closed_from = Some(from);
    }

    /// One round of the adoption agency on entry `id`: a clone of it and of `AAA_INNER` more.
    fn clone_cost(&self, id: usize) -> usize {
        let weight = self.index(id).map_or(0, |i| self.entries[i].weight);
        weight + AAA_INNER * self.segment.max_weight
    }

    /// The whole adoption agency on entry `id`, as far as the model knows (a start tag).
    fn adoption_cost(&self, id: usize) -> usize {
        AAA_OUTER * self.clone_cost(id)
    }

    fn push(&mut self, tag: Tag, attributes: impl Iterator<Item = impl Hash>) -> usize {
        let mut key = self.hasher.hash_one(tag);
        let mut weight = 1;
        for attribute in attributes {
            // The parser compares attributes as a set: order must not matter.
            key = key.wrapping_add(self.hasher.hash_one(attribute));
            weight += 1;
        }
        let alike = self.segment.alike.get(&key).map_or(0, Vec::len);
        if alike >= NOAHS_ARK {
            let oldest = self.segment.alike.get(&key).and_then(|ids| ids.first());
            if let Some(&oldest) = oldest {
                self.remove(oldest);
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push(Entry {
            id,
            tag,
            weight,
            key,
            depth: self.saved.len(),
            removed: false,
            ghost: false,
        });
        self.weights.push(weight);
        self.segment.max_weight = self.segment.max_weight.max(weight);
        self.segment.alike.entry(key).or_default().push(id);
        self.segment.by_tag[usize::from(tag)].push(id);
        id
    }

    fn push_marker(&mut self) -> usize {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push(Entry {
            id,
            tag: MARKER,
            weight: 0,
            key: 0,
            depth: self.saved.len(),
            removed: false,
            ghost: false,
        });
        self.weights.push(0);
        let next = Segment {
            start: self.entries.len(),
            ..Segment::default()
        };
        self.saved.push(std::mem::replace(&mut self.segment, next));
        id
    }

    fn index(&self, id: usize) -> Option<usize> {
        self.entries.binary_search_by_key(&id, |e| e.id).ok()
    }

    /// The last entry of `tag` after the last marker.
    fn last_of(&mut self, tag: Tag) -> Option<usize> {
        loop {
            let &id = self.segment.by_tag[usize::from(tag)].last()?;
            if self.index(id).is_some_and(|i| !self.entries[i].removed) {
                return Some(id);
            }
            self.segment.by_tag[usize::from(tag)].pop();
        }
    }

    /// Removes entry `id`, which is after the last marker.
    fn remove(&mut self, id: usize) {
        let Some(i) = self.index(id) else {
            return;
        };
        let entry = &mut self.entries[i];
        if entry.removed || entry.tag == MARKER {
            return;
        }
        entry.removed = true;
        let (weight, key, ghost) = (entry.weight, entry.key, entry.ghost);
        self.weights.subtract(i, weight);
        if ghost {
            self.segment.ghosts = self.segment.ghosts.saturating_sub(1);
        }
        if let Some(ids) = self.segment.alike.get_mut(&key) {
            ids.retain(|&other| other != id);
            if ids.is_empty() {
                self.segment.alike.remove(&key);
            }
        }
        while self.entries.last().is_some_and(|e| e.removed) {
            self.entries.pop();
        }
        self.weights.truncate(self.entries.len());
    }

    /// Clears the list up to marker `id` and removes it, if it is still there.
    fn clear_to(&mut self, id: usize) {
        let Some(i) = self.index(id) else {
            return;
        };
        let depth = self.entries[i].depth;
        self.entries.truncate(i);
        self.weights.truncate(i);
        if let Some(segment) = self.saved.drain(depth..).next() {
            self.segment = segment;
        }
        // What the cell held on the stack (formatting elements the table moved before it, for
        // one) is gone.
        self.close_all();
    }

    /// Closes the cell or caption the last marker stands for, if any.
    fn close_cell(&mut self) {
        if let Some(marker) = self.segment.start.checked_sub(1) {
            let id = self.entries[marker].id;
            self.clear_to(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds a start tag; returns its charge and what its end tag reports.
    fn start(f: &mut Formatting, name: &str, pairs: &[(&str, &str)]) -> (usize, Option<Opened>) {
        let attributes: Vec<_> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        f.start_tag(name, attributes.into_iter())
    }

    fn end(f: &mut Formatting, opened: Option<Opened>, own: bool) -> usize {
        f.end_tag(opened.expect("reported"), own)
    }

    #[test]
    fn open_entries_cost_nothing_and_go_at_their_own_end_tag() {
        let mut f = Formatting::default();
        let (cost, b) = start(&mut f, "b", &[("id", "1")]);
        assert_eq!((cost, b), (0, Some(Opened::Formatting(1, 0))));
        assert_eq!(start(&mut f, "span", &[]).0, 0);
        assert_eq!(f.reconstruct(), 0);
        assert_eq!(f.entries_weight(), 2);
        assert_eq!(end(&mut f, b, true), 0);
        assert_eq!(f.entries_weight(), 0);
    }

    #[test]
    fn an_ancestors_end_tag_leaves_the_entry_to_every_text_after() {
        // `<p><b id=1></p>`: the parser pops the `<b>` and re-creates it in every paragraph.
        let mut f = Formatting::default();
        let (_, p) = start(&mut f, "p", &[]);
        let (_, b) = start(&mut f, "b", &[("id", "1")]);
        end(&mut f, b, false);
        end(&mut f, p, true);
        for _ in 0..3 {
            let (cost, p) = start(&mut f, "p", &[]);
            assert_eq!(cost, 2);
            assert_eq!(f.reconstruct(), 2, "text");
            end(&mut f, p, true);
        }
    }

    #[test]
    fn a_closing_start_tag_is_charged_once_at_the_next_text() {
        // `<p><b>x<p>y`: the second `<p>` closes the first, and its `<b>`.
        let mut f = Formatting::default();
        start(&mut f, "p", &[]);
        start(&mut f, "b", &[]);
        assert_eq!(f.reconstruct(), 0);
        assert_eq!(start(&mut f, "p", &[]).0, 0);
        assert_eq!(f.reconstruct(), 1);
        assert_eq!(f.reconstruct(), 0, "re-created, open again");
        // Without a `<p>` open, a `<div>` closes nothing.
        let mut f = Formatting::default();
        start(&mut f, "b", &[]);
        start(&mut f, "div", &[]);
        assert_eq!(f.reconstruct(), 0);
    }

    #[test]
    fn text_is_charged_from_the_gaps_between_tags() {
        // `<p><b id=1></p>x<i>y<br>z</i>`: offsets as in the input.
        let input = b"<p><b id=1></p>x<i>y<br>z</i>";
        let mut f = Formatting::default();
        assert_eq!(f.text_before(0..3), 0);
        let (_, p) = start(&mut f, "p", &[]);
        assert_eq!(f.text_before(3..11), 0, "no gap");
        let (_, b) = start(&mut f, "b", &[("id", "1")]);
        assert_eq!(f.text_before(11..15), 0);
        end(&mut f, b, false); // a ghost from here on: every text node is charged
        end(&mut f, p, true);
        assert_eq!(f.text_before(16..19), 2, "`x`: the `<b>` re-created");
        assert_eq!(f.settle(Some(input)), 0, "one text node, no `<` in the gap");
        start(&mut f, "i", &[]);
        // `y<br>z`: the model is told of `</i>` only; the gap holds two text nodes, each
        // charged every entry from the ghost on (the `<i>` too).
        assert_eq!(f.text_before(25..29), 3);
        assert_eq!(
            f.settle(Some(input)),
            3,
            "one `<` in the gap: one more text node"
        );
        // Without the input, each byte of a gap may be a text node.
        assert_eq!(f.text_before(40..41), 3);
        assert_eq!(f.settle(None), 3 * 11);
        // Raw text is skipped; an empty gap has no text.
        f.skip_to(50);
        assert_eq!(f.text_before(50..52), 0);
        assert_eq!(f.settle(None), 0);
    }

    #[test]
    fn raw_text_is_no_text_node() {
        let mut f = Formatting::default();
        let (_, p) = start(&mut f, "p", &[]);
        let (_, b) = start(&mut f, "b", &[("id", "1")]);
        end(&mut f, b, false); // a ghost: every text node is charged 2
        end(&mut f, p, true);
        assert_eq!(f.text_before(20..28), 2, "the text before `<script>`");
        f.enter_raw_text();
        f.skip_to(60); // its end tag: what is between is not text of the tree
        assert_eq!(f.text_before(60..64), 0, "no gap after it");
        f.enter_raw_text(); // one that no end tag closes
        f.end_raw_text_at(100);
        assert_eq!(f.text_before(100..100), 0, "raw to the end");
        f.end_raw_text_at(120); // not in raw text: the rest is text
        assert_eq!(f.text_before(130..130), 2);
    }

    #[test]
    fn without_ghosts_a_gap_is_charged_once() {
        // `<p><b>x<p>a<!--c-->b<br>`: the second `<p>` closes the `<b>`; the text after it
        // re-creates it once, and it is open again.
        let mut f = Formatting::default();
        start(&mut f, "p", &[]);
        start(&mut f, "b", &[]);
        assert_eq!(f.text_before(6..9), 0, "`x`: nothing closed");
        start(&mut f, "p", &[]);
        assert_eq!(f.text_before(19..23), 1, "`a<!--c-->b`");
        assert_eq!(f.settle(Some(b"<p><b>x<p>a<!--c-->b<br>")), 0);
    }

    #[test]
    fn a_list_item_or_a_table_closes_a_paragraph_too() {
        // `<p><b>x<li>y`: the `<li>` closes the `<p>` and its `<b>` (found in review: 100 `<b>`
        // then 2,000 `<li>x</li>`, 21 KB, took 157 MB uncharged).
        for closer in ["li", "dd", "dt", "table"] {
            let mut f = Formatting::default();
            start(&mut f, "p", &[]);
            start(&mut f, "b", &[]);
            assert_eq!(f.reconstruct(), 0);
            start(&mut f, closer, &[]);
            assert_eq!(f.reconstruct(), 1, "{closer}");
        }
    }

    #[test]
    fn the_last_entry_of_a_name_goes() {
        // The adoption agency takes the last `<b>` in the list, whichever lol_html closed.
        let mut f = Formatting::default();
        let (_, heavy) = start(&mut f, "b", &[("id", "1"), ("class", "c"), ("title", "t")]);
        let (_, light) = start(&mut f, "b", &[]);
        end(&mut f, light, false);
        end(&mut f, heavy, true);
        assert_eq!(f.entries_weight(), 4, "the heavy one is left");
    }

    #[test]
    fn noahs_ark_keeps_three_alike() {
        let mut f = Formatting::default();
        for _ in 0..5 {
            start(&mut f, "b", &[("class", "x")]);
        }
        assert_eq!(f.entries_weight(), 3 * 2);
        // Attributes in another order are alike; other values are not.
        start(&mut f, "b", &[("id", "1"), ("class", "x")]);
        start(&mut f, "b", &[("class", "x"), ("id", "1")]);
        start(&mut f, "b", &[("class", "x"), ("id", "2")]);
        start(&mut f, "i", &[("class", "x")]);
        assert_eq!(f.entries_weight(), 3 * 2 + 3 * 3 + 2);
    }

    #[test]
    fn noahs_ark_counts_after_the_last_marker_only() {
        let mut f = Formatting::default();
        for _ in 0..3 {
            start(&mut f, "b", &[]);
        }
        let (_, td) = start(&mut f, "td", &[]);
        assert_eq!(f.entries_weight(), 0, "a marker hides what is before it");
        for _ in 0..3 {
            start(&mut f, "b", &[]);
        }
        assert_eq!(f.entries_weight(), 3);
        end(&mut f, td, true);
        assert_eq!(f.entries_weight(), 3, "the cell's entries went with it");
    }

    #[test]
    fn markers_are_cleared_by_their_end_or_the_next_cell() {
        let mut f = Formatting::default();
        start(&mut f, "b", &[]);
        start(&mut f, "table", &[]);
        start(&mut f, "tr", &[]);
        let (_, td) = start(&mut f, "td", &[]);
        start(&mut f, "i", &[]);
        assert_eq!(f.entries_weight(), 1);
        // `<td>` without `</td>`: the next cell closes it.
        start(&mut f, "td", &[]);
        assert_eq!(f.entries_weight(), 0);
        // `<tr>` closes the cell too: the entries outside the table are back, and may have
        // been popped (a formatting element in a table is moved before it, and popped).
        assert_eq!(start(&mut f, "tr", &[]).0, 0);
        assert_eq!(f.entries_weight(), 1);
        assert_eq!(f.reconstruct(), 1);
        // The first cell's end, seen late (at `</table>`), changes nothing more.
        end(&mut f, td, false);
        assert_eq!(f.entries_weight(), 1);
    }

    #[test]
    fn nested_markers_unwind_together() {
        let mut f = Formatting::default();
        start(&mut f, "u", &[]);
        let (_, outer) = start(&mut f, "td", &[]);
        start(&mut f, "b", &[]);
        start(&mut f, "table", &[]);
        let (_, inner) = start(&mut f, "caption", &[]);
        start(&mut f, "i", &[]);
        end(&mut f, outer, false);
        assert_eq!(f.entries_weight(), 1, "the outer cell's end clears both");
        end(&mut f, inner, false);
        assert_eq!(f.entries_weight(), 1);
    }

    #[test]
    fn an_end_tag_past_a_table_leaves_the_entry() {
        // `<p><b><table></b>`: `<b>` is not in scope; the parser ignores `</b>`.
        let mut f = Formatting::default();
        let (_, b) = start(&mut f, "b", &[("id", "1")]);
        let (_, table) = start(&mut f, "table", &[]);
        end(&mut f, table, false);
        assert_eq!(end(&mut f, b, true), 0);
        assert_eq!(f.entries_weight(), 2);
    }

    #[test]
    fn a_misnested_end_tag_is_charged_the_adoption_agency() {
        // `<b><p>x</b>`: the `<p>` is the furthest block; `<b>` is cloned into it.
        let mut f = Formatting::default();
        let (_, b) = start(&mut f, "b", &[("id", "1")]);
        let (_, p) = start(&mut f, "p", &[]);
        end(&mut f, p, false);
        assert_eq!(end(&mut f, b, true), 2 + AAA_INNER * 2);
        assert_eq!(f.entries_weight(), 0);
        // Eight blocks in the way or more: the clone stays in the list.
        let (_, b) = start(&mut f, "b", &[]);
        let divs: Vec<_> = (0..9).map(|_| start(&mut f, "div", &[]).1).collect();
        for div in divs.into_iter().rev() {
            end(&mut f, div, false);
        }
        assert_eq!(end(&mut f, b, true), 8 * (1 + AAA_INNER * 2));
        assert_eq!(f.entries_weight(), 1);
    }

    #[test]
    fn a_second_link_closes_the_first() {
        let mut f = Formatting::default();
        start(&mut f, "a", &[("href", "/1")]);
        let (cost, _) = start(&mut f, "a", &[("href", "/2")]);
        assert_eq!(cost, AAA_OUTER * (2 + AAA_INNER * 2));
        assert_eq!(f.entries_weight(), 2, "only the second is left");
    }

    #[test]
    fn ghosts_keep_every_text_charged() {
        // `<p><b><i></p>x</b>y`: the parser's `</b>` pops the copy of `<i>` it made at `x`,
        // an end tag lol_html finds nothing to close for; `y` makes another.
        let mut f = Formatting::default();
        let (_, p) = start(&mut f, "p", &[]);
        let (_, b) = start(&mut f, "b", &[]);
        let (_, i) = start(&mut f, "i", &[]);
        end(&mut f, i, false);
        end(&mut f, b, false);
        end(&mut f, p, true);
        assert_eq!(f.reconstruct(), 2);
        assert_eq!(f.reconstruct(), 2);
    }

    #[test]
    fn every_entry_an_end_tag_closes_is_left() {
        // `<p><b id=0>…<b id=99></p>`: every `<b>` is re-created in each paragraph after.
        let mut f = Formatting::default();
        let (_, p) = start(&mut f, "p", &[]);
        let bs: Vec<_> = (0..100)
            .map(|i| start(&mut f, "b", &[("id", &i.to_string())]).1)
            .collect();
        for b in bs.into_iter().rev() {
            end(&mut f, b, false);
        }
        end(&mut f, p, true);
        assert_eq!(start(&mut f, "p", &[]).0, 200);
        assert_eq!(f.reconstruct(), 200);
    }

    #[test]
    fn weights_sum_by_prefix() {
        let mut w = Weights::default();
        for weight in 1..=10 {
            w.push(weight);
        }
        assert_eq!(w.prefix(10), 55);
        w.subtract(4, 5);
        assert_eq!((w.prefix(4), w.prefix(5), w.prefix(10)), (10, 10, 50));
        w.truncate(7);
        w.push(100);
        assert_eq!((w.prefix(7), w.prefix(8)), (23, 123));
    }

    #[test]
    fn a_noscript_is_charged_its_documents_entries() {
        let mut f = Formatting::within(7);
        assert_eq!(f.reconstruct(), 7);
        assert_eq!(f.entries_weight(), 7);
    }
}
