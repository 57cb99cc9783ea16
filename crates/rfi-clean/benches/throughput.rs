//! Throughput of rfi-clean against the libraries it is built on, measured side by side.
//!
//! Modes, each over the same documents, interleaved in every repetition so that a noisy
//! machine slows them alike (ratios are taken within a repetition, then their median):
//!   lol_html      lol_html with no handlers (the streaming floor)
//!   lol_html+5    lol_html with five removal selectors and an `a[href]` rewrite (perf-anchors.md)
//!   ammonia       `ammonia::clean` with its defaults
//!   full          `Cleaner::clean`: rewrite, sanitize, normalize (the whole envelope)
//!   rewrite-only  `Cleaner::rewrite_stream` into a counting sink (the whole envelope)
//!
//! The corpus is made by `benches/gen-corpus --count N --seed 1` (N from RFI_BENCH_COUNT,
//! default 2000) into `target/bench-corpus-N/`. MB/s counts the HTML payload (the envelope's
//! first four lines left out), 10^6 bytes per second, as in shared/research/perf-anchors.md.
//! `cargo bench --bench throughput -- --smoke` runs one repetition over `fixtures/` (for CI).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, HtmlRewriter, Selector, Settings};

struct Doc {
    /// The whole file (envelope and HTML).
    whole: String,
    /// Byte offset of the HTML payload.
    payload_at: usize,
}

impl Doc {
    fn payload(&self) -> &str {
        &self.whole[self.payload_at..]
    }
}

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

fn corpus(smoke: bool) -> Vec<Doc> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir: PathBuf = if smoke {
        root.join("fixtures")
    } else {
        let count: usize = std::env::var("RFI_BENCH_COUNT")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(2000);
        let dir = root.join(format!("target/bench-corpus-{count}"));
        if std::fs::read_dir(&dir).map_or(0, |d| d.count()) < count {
            let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen-corpus");
            let status = Command::new("python3")
                .arg(&generator)
                .args(["--count", &count.to_string(), "--seed", "1", "--out"])
                .arg(&dir)
                .status()
                .expect("python3 runs benches/gen-corpus");
            assert!(status.success(), "gen-corpus failed");
        }
        dir
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let whole = std::fs::read_to_string(&p).expect("UTF-8 corpus file");
            let payload_at = payload_offset(&whole);
            Doc { whole, payload_at }
        })
        .collect()
}

fn lol_html_passthrough(docs: &[Doc], out: &mut Vec<u8>) -> usize {
    let mut n = 0;
    for doc in docs {
        out.clear();
        let mut rewriter = HtmlRewriter::new(Settings::new(), |c: &[u8]| out.extend_from_slice(c));
        rewriter.write(doc.payload().as_bytes()).expect("rewrites");
        rewriter.end().expect("ends");
        n += out.len();
    }
    n
}

fn lol_html_five(docs: &[Doc], selectors: &[Selector], out: &mut Vec<u8>) -> usize {
    let mut n = 0;
    for doc in docs {
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
        rewriter.write(doc.payload().as_bytes()).expect("rewrites");
        rewriter.end().expect("ends");
        n += out.len();
    }
    n
}

fn ammonia_clean(docs: &[Doc]) -> usize {
    docs.iter().map(|d| ammonia::clean(d.payload()).len()).sum()
}

fn full_clean(docs: &[Doc], cleaner: &rfi_clean::Cleaner) -> usize {
    docs.iter()
        .map(|d| cleaner.clean(&d.whole).expect("cleans").document().len())
        .sum()
}

fn rewrite_only(docs: &[Doc], cleaner: &rfi_clean::Cleaner) -> usize {
    let mut n = 0;
    for doc in docs {
        let mut count = Count(0);
        let mut stream = cleaner.rewrite_stream(&mut count);
        stream.write(doc.whole.as_bytes()).expect("rewrites");
        stream.end().expect("ends");
        n += count.0;
    }
    n
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

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let reps = if smoke {
        1
    } else {
        std::env::var("RFI_BENCH_REPS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5)
    };
    let docs = corpus(smoke);
    let payload: usize = docs.iter().map(|d| d.payload().len()).sum();
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
    let cleaner = rfi_clean::Cleaner::default();
    let mut out = Vec::new();
    const MODES: [&str; 5] = ["lol_html", "lol_html+5", "ammonia", "full", "rewrite-only"];
    let mut seconds: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut sink = 0usize;
    for rep in 0..=reps {
        for (m, times) in seconds.iter_mut().enumerate() {
            let start = Instant::now();
            sink += match m {
                0 => lol_html_passthrough(&docs, &mut out),
                1 => lol_html_five(&docs, &selectors, &mut out),
                2 => ammonia_clean(&docs),
                3 => full_clean(&docs, &cleaner),
                _ => rewrite_only(&docs, &cleaner),
            };
            let elapsed = start.elapsed().as_secs_f64();
            if rep > 0 || smoke {
                times.push(elapsed); // repetition 0 warms up
            }
        }
    }
    println!(
        "{} documents, {:.1} MB of HTML payload, {} repetitions (median), output bytes {sink}",
        docs.len(),
        payload as f64 / 1e6,
        seconds[0].len()
    );
    println!("{:<14} {:>10} {:>10}", "mode", "seconds", "MB/s");
    for (name, times) in MODES.iter().zip(&seconds) {
        let t = median(&mut times.clone());
        println!("{name:<14} {t:>10.4} {:>10.1}", payload as f64 / 1e6 / t);
    }
    let ratio = |fast: usize, slow: usize| {
        let mut r: Vec<f64> = seconds[slow]
            .iter()
            .zip(&seconds[fast])
            .map(|(s, f)| s / f)
            .collect();
        median(&mut r)
    };
    println!("ratios (pairwise medians; above 1.0 means the first is faster):");
    println!(
        "  full vs ammonia::clean           {:.2}x  (target >= 0.8, issue 14)",
        ratio(3, 2)
    );
    println!(
        "  rewrite-only vs lol_html+5       {:.2}x  (target >= 0.6, issue 14)",
        ratio(4, 1)
    );
    println!("  ammonia::clean vs lol_html       {:.3}x", ratio(2, 0));
}
