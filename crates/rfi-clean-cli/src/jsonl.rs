//! `--jsonl`: a streaming mapper. Each input line is a JSON object (a record); each output line
//! is that record with its HTML field (`--jsonl-html`, default `html`) replaced by the cleaned
//! document and everything the clean found under one key (`--jsonl-key`, default `rfi_clean`:
//! the object of `--format json`), every other field untouched, in input order, flushed per
//! line. The record's URL field (`--jsonl-url`, default `url`) is its base URL. Blank lines are
//! skipped. A bad line gives `{"id": …, "line": N, "error": "…"}` (and `"source"` when reading
//! files) and the stream goes on, unless `--fail-fast`.
//!
//! A line is never held whole past `max_line` bytes (three times `--max-size`, and 1 MiB for the
//! other fields): a longer one is read past and reported as a bad line.
//!
//! With `-j N` (N > 1) a reader thread feeds N workers and the calling thread writes their lines
//! in input order, each flushed as soon as every line before it is written (see `ordered`). At
//! most `4 × N` lines, and `max_in_flight` bytes of them, are in flight (read and not yet written): a
//! slow line holds the reader back rather than letting finished lines pile up behind it, so
//! memory is bounded whatever the stream's length.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use rfi_clean::{CleanOptions, Cleaner, Report};
use serde_json::{Map, Value};

use crate::batch::Totals;
use crate::{Format, Status, ordered, render};

/// What `--jsonl` does, validated (see `settings`).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Files to read in order (`-` is stdin); none: stdin.
    pub(crate) sources: Vec<PathBuf>,
    pub(crate) html_field: String,
    pub(crate) url_field: String,
    /// The key the derived fields go under.
    pub(crate) key: String,
    /// What the HTML field becomes: the cleaned document (`html`), or its text or Markdown.
    pub(crate) format: Format,
    pub(crate) no_sanitize: bool,
    pub(crate) fail_fast: bool,
    pub(crate) stats: bool,
    /// Lines mapped in parallel (1: one at a time, on the calling thread).
    pub(crate) jobs: usize,
    /// The longest line read (a longer one is reported and skipped, never held whole).
    pub(crate) max_line: usize,
    /// With `-j N`, the most bytes of lines in flight (a longer line goes alone): about one
    /// `--max-size` document, so that `-j N` holds no more documents' trees than `-j1` could.
    pub(crate) max_in_flight: usize,
}

/// Maps every source in order into `output`.
pub(crate) fn run_sources(
    cleaner: &Cleaner,
    settings: &Settings,
    mut output: impl Write,
) -> Result<Status> {
    let started = Instant::now();
    let mut mapper = Mapper {
        cleaner,
        settings,
        totals: Totals::default(),
    };
    let stdin_only = [PathBuf::from("-")];
    let sources = if settings.sources.is_empty() {
        &stdin_only[..]
    } else {
        &settings.sources[..]
    };
    let status = mapper.run(sources, open, &mut output)?;
    if settings.stats {
        mapper
            .totals
            .print("records", started.elapsed().as_secs_f64());
    }
    Ok(status)
}

/// Opens a source: its name for messages (`None` for stdin) and a reader.
fn open(source: &Path) -> Result<(Option<String>, Box<dyn BufRead>)> {
    Ok(if source.as_os_str() == "-" {
        (None, Box::new(io::stdin().lock()))
    } else {
        let file =
            File::open(source).with_context(|| format!("{}: cannot open", source.display()))?;
        (
            Some(source.display().to_string()),
            Box::new(BufReader::new(file)),
        )
    })
}

/// What `next_line` found.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// A line, in the buffer without its line ending.
    Line,
    /// A line longer than the limit, read past and dropped (it is never held whole).
    TooLong,
    End,
}

/// Reads the next line of at most `limit` bytes into `buf`, without its line ending.
fn next_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize, what: &str) -> Result<Next> {
    let failed = || format!("{what}: read failed");
    buf.clear();
    let n = io::Read::take(&mut *input, limit as u64 + 1)
        .read_until(b'\n', buf)
        .with_context(failed)?;
    if n == 0 {
        return Ok(Next::End);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() <= limit {
        return Ok(Next::Line);
    }
    buf.clear();
    // The rest of the line goes by in the reader's own buffer.
    loop {
        let chunk = input.fill_buf().with_context(failed)?;
        if chunk.is_empty() {
            return Ok(Next::TooLong);
        }
        match memchr::memchr(b'\n', chunk) {
            Some(at) => {
                input.consume(at + 1);
                return Ok(Next::TooLong);
            }
            None => {
                let len = chunk.len();
                input.consume(len);
            }
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

struct Mapper<'a> {
    cleaner: &'a Cleaner,
    settings: &'a Settings,
    totals: Totals,
}

/// A line that could not be mapped: the record's `id` (or null) and why.
struct BadLine {
    id: Value,
    message: String,
}

impl BadLine {
    fn new(id: &Value, message: impl Into<String>) -> BadLine {
        BadLine {
            id: id.clone(),
            message: message.into(),
        }
    }
}

/// A mapped record and what its clean did.
struct Mapped {
    record: Map<String, Value>,
    bytes_in: usize,
    bytes_out: usize,
    report: Report,
}

/// A line's output: the bytes to write (a JSON object and its newline) and what it adds to the
/// totals (`None`: a bad line).
struct Line {
    bytes: Vec<u8>,
    counts: Option<(usize, usize, Report)>,
}

/// A non-blank line to map: its source's name (`None` for stdin), its line number there, and
/// the line (`Err(limit)`: it was longer than the limit, and dropped).
struct Work {
    name: Option<Arc<str>>,
    n: usize,
    line: Result<Vec<u8>, usize>,
}

impl Mapper<'_> {
    /// Maps one line to the bytes to write (`Err(limit)`: a line longer than the limit).
    fn line(&self, name: Option<&str>, n: usize, line: Result<&[u8], usize>) -> Line {
        let mapped = line
            .map_err(|limit| {
                BadLine::new(
                    &Value::Null,
                    format!("line longer than {limit} bytes: skipped (see --max-size)"),
                )
            })
            .and_then(|line| self.map_line(line));
        let (object, counts) = match mapped {
            Ok(mapped) => (
                mapped.record,
                Some((mapped.bytes_in, mapped.bytes_out, mapped.report)),
            ),
            Err(bad) => {
                let mut error = Map::new();
                error.insert("id".into(), bad.id);
                if let Some(name) = name {
                    error.insert("source".into(), Value::from(name));
                }
                error.insert("line".into(), Value::from(n));
                error.insert("error".into(), Value::from(bad.message));
                (error, None)
            }
        };
        let mut bytes = serde_json::to_vec(&Value::Object(object))
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes());
        bytes.push(b'\n');
        Line { bytes, counts }
    }

    /// Writes a mapped line, flushed, and counts it; `Errors` for a bad line.
    fn write(&mut self, line: &Line, output: &mut impl Write) -> Result<Status> {
        self.totals.files += 1;
        let status = match line.counts {
            Some((bytes_in, bytes_out, report)) => {
                self.totals.bytes_in += bytes_in;
                self.totals.bytes_out += bytes_out;
                self.totals.report += report;
                Status::Clean
            }
            None => {
                self.totals.errors += 1;
                Status::Errors
            }
        };
        output
            .write_all(&line.bytes)
            .and_then(|()| output.flush())
            .context("stdout: write failed")?;
        Ok(status)
    }

    /// Maps every source in order with `settings.jobs` jobs (see `ordered`), reading from what
    /// `open` opens (on the reader thread when there is one).
    fn run(
        &mut self,
        sources: &[PathBuf],
        open: impl Fn(&Path) -> Result<(Option<String>, Box<dyn BufRead>)> + Send,
        output: &mut impl Write,
    ) -> Result<Status> {
        let settings = self.settings;
        let limits = ordered::Limits::per_job(settings.jobs, settings.max_in_flight);
        let read = move |feed: &mut ordered::Feed<'_, Work>| -> Result<()> {
            for source in sources {
                let (name, mut input) = open(source)?;
                let what = name.clone().unwrap_or_else(|| "stdin".into());
                let name: Option<Arc<str>> = name.map(Arc::from);
                let mut n = 0;
                let mut buf = Vec::new();
                loop {
                    let read = next_line(&mut input, &mut buf, settings.max_line, &what)?;
                    n += 1;
                    let line = match read {
                        Next::End => break,
                        Next::Line if is_blank(&buf) => continue,
                        Next::Line => Ok(std::mem::take(&mut buf)),
                        Next::TooLong => Err(settings.max_line),
                    };
                    let bytes = line.as_ref().map_or(0, Vec::len);
                    let work = Work {
                        name: name.clone(),
                        n,
                        line,
                    };
                    if !feed.push(work, bytes) {
                        return Ok(());
                    }
                }
            }
            Ok(())
        };
        let worker = Mapper {
            cleaner: self.cleaner,
            settings,
            totals: Totals::default(),
        };
        let map = |work: Work| {
            worker.line(
                work.name.as_deref(),
                work.n,
                work.line.as_deref().map_err(|&limit| limit),
            )
        };
        let mut status = Status::Clean;
        ordered::map(settings.jobs, limits, read, map, |line| {
            if self.write(&line, output)? == Status::Errors {
                status = Status::Errors;
                if settings.fail_fast {
                    return Ok(ordered::Flow::Stop);
                }
            }
            Ok(ordered::Flow::Continue)
        })?;
        Ok(status)
    }

    fn map_line(&self, line: &[u8]) -> Result<Mapped, BadLine> {
        let settings = self.settings;
        let null = Value::Null;
        let line = std::str::from_utf8(line)
            .map_err(|e| BadLine::new(&null, format!("not UTF-8: {e}")))?;
        let mut record = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(record)) => record,
            Ok(_) => return Err(BadLine::new(&null, "not a JSON object")),
            Err(err) => return Err(BadLine::new(&null, format!("not JSON: {err}"))),
        };
        let id = record.get("id").cloned().unwrap_or(Value::Null);
        let Some(Value::String(html)) = record.get(&settings.html_field) else {
            return Err(BadLine::new(
                &id,
                format!("no \"{}\" string", settings.html_field),
            ));
        };
        if record.contains_key(&settings.key) {
            return Err(BadLine::new(
                &id,
                format!(
                    "the record has a \"{}\" field already: choose another key with --jsonl-key",
                    settings.key
                ),
            ));
        }
        let bytes_in = html.len();
        let (document, derived, report) = if settings.no_sanitize {
            let (rewritten, report) = self
                .cleaner
                .rewrite_str(html)
                .map_err(|e| BadLine::new(&id, e.to_string()))?;
            let mut derived = Map::new();
            derived.insert("report".into(), report_value(&report));
            (rewritten, Value::Object(derived), report)
        } else {
            // The record's URL is its base URL; one that is not an absolute http(s) URL is
            // ignored, as a page's own unusable <base href> is.
            let options = match record.get(&settings.url_field) {
                Some(Value::String(url)) => CleanOptions::default().with_base_url(url),
                _ => CleanOptions::default(),
            };
            let cleaned = match self.cleaner.clean_with(html, &options) {
                Err(rfi_clean::Error::InvalidSettings(_)) => self.cleaner.clean(html),
                other => other,
            }
            .map_err(|e| BadLine::new(&id, e.to_string()))?;
            let derived =
                serde_json::to_value(&cleaned).map_err(|e| BadLine::new(&id, e.to_string()))?;
            (
                render::body(&cleaned, settings.format),
                derived,
                *cleaned.report(),
            )
        };
        let bytes_out = document.len();
        record.insert(settings.html_field.clone(), Value::from(document));
        record.insert(settings.key.clone(), derived);
        Ok(Mapped {
            record,
            bytes_in,
            bytes_out,
            report,
        })
    }
}

fn report_value(report: &Report) -> Value {
    serde_json::to_value(report).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            sources: Vec::new(),
            html_field: "html".into(),
            url_field: "url".into(),
            key: "rfi_clean".into(),
            format: Format::Html,
            no_sanitize: false,
            fail_fast: false,
            stats: false,
            jobs: 1,
            max_line: 1 << 20,
            max_in_flight: 1 << 20,
        }
    }

    fn map_with(settings: &Settings, input: &str) -> (Vec<Value>, Status) {
        let cleaner = Cleaner::default();
        let mut mapper = Mapper {
            cleaner: &cleaner,
            settings,
            totals: Totals::default(),
        };
        let mut out = Vec::new();
        let input = input.as_bytes().to_vec();
        let stdin = move |_: &Path| {
            let input = io::Cursor::new(input.clone());
            Ok((None, Box::new(input) as Box<dyn BufRead>))
        };
        let status = mapper
            .run(&[PathBuf::from("-")], stdin, &mut out)
            .expect("runs");
        let lines = String::from_utf8(out).expect("UTF-8");
        (
            lines
                .lines()
                .map(|l| serde_json::from_str(l).expect("JSON line"))
                .collect(),
            status,
        )
    }

    fn map(input: &str) -> (Vec<Value>, Status) {
        map_with(&settings(), input)
    }

    /// With `-j2` the reader is never more than 4 × 2 lines (and its buffer) ahead of the writer,
    /// and the lines come out in order.
    #[test]
    fn parallel_lines_in_flight_are_bounded() {
        use std::sync::atomic::{AtomicUsize, Ordering};

        /// A stream of equal lines that counts the bytes read from it.
        struct Counting {
            line: Vec<u8>,
            lines: usize,
            at: usize,
            read: Arc<AtomicUsize>,
        }
        impl io::Read for Counting {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let total = self.line.len() * self.lines;
                let n = buf.len().min(total - self.at);
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    *b = self.line[(self.at + i) % self.line.len()];
                }
                self.at += n;
                self.read.fetch_add(n, Ordering::SeqCst);
                Ok(n)
            }
        }
        /// Checks, at every line written, how far the reader is ahead.
        struct Checking {
            written: usize,
            line_len: usize,
            read: Arc<AtomicUsize>,
            most_ahead: usize,
            out: Vec<u8>,
        }
        impl Write for Checking {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                self.out.extend_from_slice(buf);
                self.written += buf.iter().filter(|&&b| b == b'\n').count();
                let read_lines = self.read.load(Ordering::SeqCst) / self.line_len;
                self.most_ahead = self.most_ahead.max(read_lines.saturating_sub(self.written));
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        let line = format!("{{\"html\": \"<p>{}</p>\"}}\n", "w ".repeat(4000)).into_bytes();
        let read = Arc::new(AtomicUsize::new(0));
        let cleaner = Cleaner::default();
        let settings = Settings {
            jobs: 2,
            ..settings()
        };
        let mut mapper = Mapper {
            cleaner: &cleaner,
            settings: &settings,
            totals: Totals::default(),
        };
        let mut output = Checking {
            written: 0,
            line_len: line.len(),
            read: Arc::clone(&read),
            most_ahead: 0,
            out: Vec::new(),
        };
        let (source_line, source_read) = (line.clone(), Arc::clone(&read));
        let status = mapper
            .run(
                &[PathBuf::from("-")],
                move |_| {
                    let input = Counting {
                        line: source_line.clone(),
                        lines: 300,
                        at: 0,
                        read: Arc::clone(&source_read),
                    };
                    Ok((None, Box::new(BufReader::new(input)) as Box<dyn BufRead>))
                },
                &mut output,
            )
            .expect("runs");
        assert_eq!(status, Status::Clean);
        assert_eq!(output.written, 300);
        // 8 lines in flight, one in the reader's hands, and BufReader's 8 KiB (one line here).
        assert!(output.most_ahead <= 4 * 2 + 2, "{}", output.most_ahead);
        assert!(output.most_ahead >= 2, "{}", output.most_ahead);
        let (sequential, _) = map(&String::from_utf8(line).expect("UTF-8").repeat(300));
        let parallel: Vec<Value> = String::from_utf8(output.out)
            .expect("UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(parallel, sequential);
    }

    #[test]
    fn a_records_url_is_its_base_url() {
        let (lines, status) = map(concat!(
            "{\"id\": 1, \"url\": \"https://www.theguardian.com/uk\", \"html\": \"<a href='/w?CMP=x&amp;p=2'>a</a>\"}\n",
            "{\"id\": 2, \"url\": \"not a url\", \"html\": \"<a href='/w?CMP=x&amp;p=2'>a</a>\"}\n",
        ));
        assert_eq!(status, Status::Clean);
        assert!(
            lines[0]["html"]
                .as_str()
                .is_some_and(|h| h.contains("href=\"/w?p=2\"")),
            "{}",
            lines[0]
        );
        assert_eq!(lines[0]["url"], "https://www.theguardian.com/uk");
        assert!(
            lines[1]["html"]
                .as_str()
                .is_some_and(|h| h.contains("CMP=x")),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn the_callers_fields_are_never_overwritten() {
        let record = r#"{"id":1,"url":"https://www.rfi.fr/fr/a","title":"Mine","text":"orig","report":"keep","kind":"k","html":"<p>x <a href=\"https://a.com/?utm_source=s\">y</a></p>"}"#;
        let (lines, status) = map(record);
        assert_eq!(status, Status::Clean);
        let line = lines[0].as_object().expect("object");
        let keys: Vec<&str> = line.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "id",
                "url",
                "title",
                "text",
                "report",
                "kind",
                "html",
                "rfi_clean"
            ]
        );
        for (key, value) in [
            ("id", Value::from(1)),
            ("url", Value::from("https://www.rfi.fr/fr/a")),
            ("title", Value::from("Mine")),
            ("text", Value::from("orig")),
            ("report", Value::from("keep")),
            ("kind", Value::from("k")),
        ] {
            assert_eq!(line[key], value, "{key}");
        }
        assert_eq!(
            line["html"],
            "<p>x <a href=\"https://a.com/\" rel=\"noopener noreferrer\">y</a></p>"
        );
        let derived = &line["rfi_clean"];
        let cleaned = Cleaner::default()
            .clean_with(
                "<p>x <a href=\"https://a.com/?utm_source=s\">y</a></p>",
                &CleanOptions::default().with_base_url("https://www.rfi.fr/fr/a"),
            )
            .expect("cleans");
        assert_eq!(*derived, serde_json::to_value(&cleaned).expect("JSON"));
        assert_eq!(derived["text"], "x y");
        assert_eq!(derived["language"], "fr");
        assert_eq!(derived["report"]["params_stripped"], 1);
    }

    #[test]
    fn field_names_are_options_and_the_key_is_never_overwritten() {
        let settings = Settings {
            html_field: "body".into(),
            url_field: "link".into(),
            key: "clean".into(),
            ..settings()
        };
        let (lines, status) = map_with(
            &settings,
            concat!(
                "{\"body\": \"<a href='/w?CMP=x'>a</a>\", \"link\": \"https://www.theguardian.com/\", \"html\": \"untouched\"}\n",
                "{\"id\": 7, \"body\": \"<p>x</p>\", \"clean\": \"mine\"}\n",
            ),
        );
        assert_eq!(status, Status::Errors);
        assert_eq!(lines[0]["html"], "untouched");
        assert!(
            lines[0]["body"]
                .as_str()
                .is_some_and(|h| h.contains("href=\"/w\"")),
            "{}",
            lines[0]
        );
        assert_eq!(lines[0]["clean"]["kind"], "fragment");
        assert_eq!(lines[1]["id"], 7);
        assert!(
            lines[1]["error"]
                .as_str()
                .is_some_and(|e| e.contains("\"clean\" field already")),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn blank_lines_are_skipped_and_numbering_stays_physical() {
        let (lines, status) = map("\n{\"html\": \"<p>a</p>\"}\n   \r\n\nnot json\n\n");
        assert_eq!(status, Status::Errors);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["html"], "<p>a</p>");
        assert_eq!(lines[1]["line"], 5);
    }

    #[test]
    fn a_line_past_the_limit_is_reported_and_the_stream_goes_on() {
        let long = format!("{{\"id\": 2, \"html\": \"<p>{}</p>\"}}", "x".repeat(300));
        let input = format!(
            "{{\"id\": 1, \"html\": \"<p>a</p>\"}}\n{long}\r\n{{\"id\": 3, \"html\": \"<p>c</p>\"}}"
        );
        for jobs in [1, 2] {
            let settings = Settings {
                jobs,
                max_line: 200,
                ..settings()
            };
            let (lines, status) = map_with(&settings, &input);
            assert_eq!(status, Status::Errors, "{jobs} jobs");
            assert_eq!(lines.len(), 3, "{jobs} jobs");
            assert_eq!(lines[0]["html"], "<p>a</p>");
            assert_eq!(lines[1]["line"], 2);
            assert_eq!(
                lines[1]["error"],
                "line longer than 200 bytes: skipped (see --max-size)"
            );
            assert_eq!(lines[2]["html"], "<p>c</p>", "{jobs} jobs");
        }
        // At the limit, the line is read.
        let settings = Settings {
            max_line: long.len(),
            ..settings()
        };
        assert_eq!(map_with(&settings, &long).0[0]["id"], 2);
    }

    #[test]
    fn fail_fast_stops_after_the_first_bad_line() {
        let settings = Settings {
            fail_fast: true,
            ..settings()
        };
        let (lines, status) = map_with(
            &settings,
            "{\"html\": \"<p>a</p>\"}\nbad\n{\"html\": \"<p>b</p>\"}\n",
        );
        assert_eq!(status, Status::Errors);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["line"], 2);
    }

    #[test]
    fn format_text_or_markdown_renders_the_html_field() {
        let input = "{\"html\": \"<h2>T</h2><p>a <em>b</em></p>\"}";
        for (format, expected) in [
            (Format::Html, "<h2>T</h2><p>a <em>b</em></p>"),
            (Format::Text, "T\n\na b"),
            (Format::Markdown, "## T\n\na *b*"),
        ] {
            let settings = Settings {
                format,
                ..settings()
            };
            let (lines, _) = map_with(&settings, input);
            assert_eq!(lines[0]["html"], expected, "{format:?}");
        }
    }

    #[test]
    fn no_sanitize_rewrites_and_reports() {
        let settings = Settings {
            no_sanitize: true,
            ..settings()
        };
        let (lines, status) = map_with(
            &settings,
            "{\"html\": \"<p onclick=x><a href='https://a.com/?fbclid=1'>a</a></p>\"}",
        );
        assert_eq!(status, Status::Clean);
        assert_eq!(
            lines[0]["html"],
            "<p onclick=x><a href=\"https://a.com/\">a</a></p>"
        );
        assert_eq!(lines[0]["rfi_clean"]["report"]["params_stripped"], 1);
    }

    #[test]
    fn good_and_bad_lines_keep_their_order() {
        let (lines, status) = map(concat!(
            "{\"id\": 1, \"html\": \"<p> a <script>x</script></p>\", \"lang\": \"fr\"}\n",
            "not json\n",
            "{\"id\": \"b\"}\n",
            "[1]\n",
            "{\"id\": 5, \"html\": \"<p>b</p>\"}\n",
        ));
        assert_eq!(status, Status::Errors);
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[0]["html"], "<p>a</p>");
        assert_eq!(lines[0]["lang"], "fr");
        assert_eq!(lines[0]["rfi_clean"]["text"], "a");
        assert_eq!(lines[1]["id"], Value::Null);
        assert_eq!(lines[1]["line"], 2);
        assert!(
            lines[1]["error"]
                .as_str()
                .expect("error")
                .starts_with("not JSON")
        );
        assert_eq!(lines[2]["id"], "b");
        assert_eq!(lines[2]["error"], "no \"html\" string");
        assert_eq!(lines[3]["error"], "not a JSON object");
        assert_eq!(lines[4]["html"], "<p>b</p>");
    }
}
