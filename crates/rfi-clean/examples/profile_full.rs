//! Cleans a folder of pages in a loop, for profilers and instruction counters:
//! `cargo run --release --example profile_full -- DIR [MODE] [ROUNDS]`.
//!
//! Modes (the same work as `benches/throughput.rs`, so that counts and times compare):
//!   full          `Cleaner::clean` on the whole file (envelope and HTML)
//!   rewrite       `Cleaner::rewrite_stream` of the whole file into a counting sink
//!   ammonia       `ammonia::clean` of the HTML payload, defaults
//!   lol_html+5    lol_html with five removal selectors and an `a[href]` rewrite, on the payload
//!   none          the setup only (read the files, build the cleaner and the selectors): the
//!                 baseline that `scripts/bench-instructions` subtracts from every other mode
//!
//! Every mode does the same setup, so a mode's count minus `none`'s is the loop's work.
use std::borrow::Cow;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

/// Byte offset of the HTML payload: after the envelope's four lines, if there is one.
fn payload_offset(text: &str) -> usize {
    if !text.starts_with("<!--") {
        return 0;
    }
    let mut at = 0;
    for _ in 0..4 {
        match text[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return 0,
        }
    }
    at
}

fn lol_html_five(payload: &str, selectors: &[Selector], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut settings = Settings::new();
    for selector in &selectors[..5] {
        settings = settings.append_element_content_handler((
            Cow::Borrowed(selector),
            ElementContentHandlers::default().element(|el: &mut Element| {
                el.remove();
                Ok(())
            }),
        ));
    }
    settings = settings.append_element_content_handler((
        Cow::Borrowed(&selectors[5]),
        ElementContentHandlers::default().element(|el: &mut Element| {
            if let Some(href) = el.get_attribute("href") {
                let cut = match href.find("utm_").or_else(|| href.find("xtor=")) {
                    Some(i) => href[..i].to_owned(),
                    None => href,
                };
                el.set_attribute("href", &cut).expect("valid name");
            }
            Ok(())
        }),
    ));
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    rewriter.write(payload.as_bytes()).expect("rewrites");
    rewriter.end().expect("ends");
    out.len()
}

/// An `io::Write` that counts what it is given and keeps nothing.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("a folder");
    let mode = args.next().unwrap_or_else(|| "full".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let docs: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("UTF-8"))
        .collect();
    let cleaner = rfi_clean::Cleaner::default();
    let selectors: Vec<Selector> = [
        "[data-root-share]",
        "[data-selfpromo-newsletter]",
        "[data-selfpromo-app]",
        "share-button",
        "share-modal",
        "a[href]",
    ]
    .iter()
    .map(|s| s.parse().expect("selector"))
    .collect();
    let mut out = Vec::new();
    let mut total = 0;
    for _ in 0..rounds {
        for doc in &docs {
            let payload = &doc[payload_offset(doc)..];
            total += match mode.as_str() {
                "full" => cleaner.clean(doc).expect("cleans").document().len(),
                "rewrite" => {
                    let mut count = Count(0);
                    let mut stream = cleaner.rewrite_stream(&mut count);
                    stream.write(doc.as_bytes()).expect("rewrites");
                    stream.end().expect("ends");
                    count.0
                }
                "ammonia" => ammonia::clean(payload).len(),
                "lol_html+5" => lol_html_five(payload, &selectors, &mut out),
                "none" => 0,
                other => panic!("unknown mode {other}"),
            };
        }
    }
    println!("{total}");
}
