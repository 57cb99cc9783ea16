//! The scraper's envelope around an article: a `<!--epoch-ms-->` line, a `[title](url)` line,
//! a `------` rule and a blank line, then the article HTML (see `fixtures/rfi-cn-20240113-trade.txt`).
//!
//! Detection works on a prefix of the input, so the streaming entry points can decide as soon as
//! the header has arrived and give the same answer as the one-shot path on the whole input.

/// The header lines of an enveloped document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Envelope {
    /// Line 1 as it came, e.g. `<!--1705142701000-->`.
    pub stamp_line: String,
    /// The epoch milliseconds of line 1.
    pub epoch_ms: u64,
    /// The title of line 2, as written (Markdown text).
    pub title: String,
    /// The URL of line 2, as written (before cleaning).
    pub url: String,
    /// Line 3 as it came, e.g. `------`.
    pub rule_line: String,
}

/// The outcome of looking at the start of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Detect {
    /// An envelope; the body starts at this byte offset.
    Envelope(Envelope, usize),
    /// Not an envelope: the whole input is HTML.
    NotEnvelope,
    /// The prefix seen so far is consistent with an envelope; more input is needed.
    NeedMore,
}

/// The header is never longer than this; a longer first lines are not an envelope.
pub(crate) const MAX_HEADER: usize = 64 * 1024;

/// Looks for an envelope at the start of `input`. `complete` says whether `input` is all there is.
pub(crate) fn detect(input: &[u8], complete: bool) -> Detect {
    let mut lines = Lines {
        input,
        pos: 0,
        complete,
    };
    let need_more = || {
        if complete || input.len() > MAX_HEADER {
            Detect::NotEnvelope
        } else {
            Detect::NeedMore
        }
    };
    let Some(stamp) = lines.next() else {
        return prefix_state(input, b"<!--", need_more());
    };
    let Some(epoch_ms) = parse_stamp(stamp) else {
        return Detect::NotEnvelope;
    };
    let Some(title_line) = lines.next() else {
        return if input[lines.pos..].first().is_some_and(|&b| b != b'[') {
            Detect::NotEnvelope
        } else {
            need_more()
        };
    };
    let Some((title, url)) = parse_title_line(title_line) else {
        return Detect::NotEnvelope;
    };
    let Some(rule) = lines.next() else {
        return if input[lines.pos..].iter().any(|&b| b != b'-') {
            Detect::NotEnvelope
        } else {
            need_more()
        };
    };
    if rule.len() < 3 || !rule.bytes().all(|b| b == b'-') {
        return Detect::NotEnvelope;
    }
    // An optional blank line, then the body.
    let rest = &input[lines.pos..];
    let body = match rest {
        [b'\n', ..] => lines.pos + 1,
        [b'\r', b'\n', ..] => lines.pos + 2,
        [b'\r'] | [] if !complete => return need_more(),
        _ => lines.pos,
    };
    Detect::Envelope(
        Envelope {
            stamp_line: stamp.to_owned(),
            epoch_ms,
            title: title.to_owned(),
            url: url.to_owned(),
            rule_line: rule.to_owned(),
        },
        body,
    )
}

/// With no complete first line yet: could it still become `<!--digits-->`?
fn prefix_state(input: &[u8], opener: &[u8], need_more: Detect) -> Detect {
    let n = input.len().min(opener.len());
    if input[..n] != opener[..n] {
        return Detect::NotEnvelope;
    }
    let tail = input.get(opener.len()..).unwrap_or(&[]);
    let ok = tail
        .iter()
        .all(|&b| b.is_ascii_digit() || b == b'-' || b == b'>' || b == b'\r');
    if ok { need_more } else { Detect::NotEnvelope }
}

struct Lines<'a> {
    input: &'a [u8],
    pos: usize,
    complete: bool,
}

impl<'a> Lines<'a> {
    /// The next complete line (without `\n` or `\r\n`), if it has fully arrived and is UTF-8.
    fn next(&mut self) -> Option<&'a str> {
        let rest = &self.input[self.pos..];
        let end = match memchr::memchr(b'\n', rest) {
            Some(end) => end,
            // The last line of a complete input needs no newline (an empty body).
            None if self.complete && !rest.is_empty() => rest.len(),
            None => return None,
        };
        let line = &rest[..end];
        self.pos += (end + 1).min(rest.len());
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        std::str::from_utf8(line).ok()
    }
}

fn parse_stamp(line: &str) -> Option<u64> {
    let digits = line.strip_prefix("<!--")?.strip_suffix("-->")?;
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `[title](url)`: the title runs to the last `](`, the URL to the final `)`.
fn parse_title_line(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix('[')?.strip_suffix(')')?;
    let split = inner.rfind("](")?;
    let (title, url) = (&inner[..split], &inner[split + 2..]);
    (!url.is_empty() && !url.contains(char::is_whitespace)).then_some((title, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_HEAD: &str =
        "<!--1705142701000-->\n[外贸：中国](https://www.rfi.fr/cn/%E4%B8%AD)\n------\n\n";

    fn envelope_of(input: &str) -> Option<(Envelope, usize)> {
        match detect(input.as_bytes(), true) {
            Detect::Envelope(e, at) => Some((e, at)),
            _ => None,
        }
    }

    #[test]
    fn the_seed_header() {
        let input = format!("{SEED_HEAD}<div>x</div>\n");
        let (env, at) = envelope_of(&input).expect("envelope");
        assert_eq!(env.epoch_ms, 1_705_142_701_000);
        assert_eq!(env.title, "外贸：中国");
        assert_eq!(env.url, "https://www.rfi.fr/cn/%E4%B8%AD");
        assert_eq!(&input[at..], "<div>x</div>\n");
    }

    #[test]
    fn variants_that_are_envelopes() {
        let crlf = "<!--1-->\r\n[t](https://a.com/)\r\n---\r\n\r\n<p>x</p>";
        assert_eq!(&crlf[envelope_of(crlf).expect("crlf").1..], "<p>x</p>");
        let no_blank = "<!--1-->\n[t](https://a.com/)\n------\n<p>x</p>";
        assert_eq!(
            &no_blank[envelope_of(no_blank).expect("no blank").1..],
            "<p>x</p>"
        );
        let brackets = "<!--1-->\n[a [b] (c)](https://a.com/x)\n------\n\n";
        assert_eq!(
            envelope_of(brackets).expect("brackets").0.title,
            "a [b] (c)"
        );
        let empty_body = "<!--1-->\n[t](https://a.com/)\n------";
        assert_eq!(
            envelope_of(empty_body).expect("empty body").1,
            empty_body.len()
        );
    }

    #[test]
    fn inputs_that_are_not_envelopes() {
        for input in [
            "",
            "<p>x</p>",
            "<!-- comment -->\n[t](u)\n------\n\n",
            "<!--1-->\n<p>x</p>",
            "<!--1-->\n[t](https://a.com/)\n<p>x</p>",
            "<!--1-->\n[t](has space)\n------\n",
            "<!--1-->\n[t]\n------\n",
            "<!---->\n[t](u)\n------\n",
        ] {
            assert_eq!(
                detect(input.as_bytes(), true),
                Detect::NotEnvelope,
                "{input:?}"
            );
        }
    }

    #[test]
    fn every_prefix_agrees_with_the_whole() {
        for whole in [
            format!("{SEED_HEAD}<div>x</div>"),
            "<!--12-->\n<p>x</p>".to_owned(),
            "<p>not an envelope</p>".to_owned(),
            "<!--1-->\n[t](https://a.com/)\n---\n".to_owned(),
        ] {
            let full = detect(whole.as_bytes(), true);
            for cut in 0..=whole.len() {
                match detect(&whole.as_bytes()[..cut], false) {
                    Detect::NeedMore => {}
                    partial => assert_eq!(partial, full, "prefix {cut} of {whole:?}"),
                }
            }
        }
    }
}
