//! `--jsonl`: a streaming mapper. Each input line is a JSON object (a record); each output line
//! is that record with its HTML field (`--jsonl-html`, default `html`) replaced by the cleaned
//! document and everything the clean found under one key (`--jsonl-key`, default `rfi_clean`:
//! the object of `--format json`), every other field untouched, in input order, flushed per
//! line. The record's URL field (`--jsonl-url`, default `url`) is its base URL. Blank lines are
//! skipped. A bad line gives `{"id": …, "line": N, "error": "…"}` (and `"source"` when reading
//! files) and the stream goes on, unless `--fail-fast`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use rfi_clean::{CleanOptions, Cleaner, Report};
use serde_json::{Map, Value};

use crate::batch::Totals;
use crate::{Format, Status, render};

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
    let mut status = Status::Clean;
    let stdin_only = [PathBuf::from("-")];
    let sources = if settings.sources.is_empty() {
        &stdin_only[..]
    } else {
        &settings.sources[..]
    };
    for source in sources {
        let (name, input): (Option<String>, Box<dyn BufRead>) = if source.as_os_str() == "-" {
            (None, Box::new(io::stdin().lock()))
        } else {
            let file =
                File::open(source).with_context(|| format!("{}: cannot open", source.display()))?;
            (
                Some(source.display().to_string()),
                Box::new(BufReader::new(file)),
            )
        };
        let ran = mapper.run(name.as_deref(), input, &mut output)?;
        if ran == Status::Errors {
            status = Status::Errors;
            if settings.fail_fast {
                break;
            }
        }
    }
    if settings.stats {
        mapper
            .totals
            .print("records", started.elapsed().as_secs_f64());
    }
    Ok(status)
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

impl Mapper<'_> {
    /// Maps one source; `name` is its file name (`None` for stdin).
    fn run(
        &mut self,
        name: Option<&str>,
        mut input: impl BufRead,
        mut output: impl Write,
    ) -> Result<Status> {
        let what = name.unwrap_or("stdin");
        let mut status = Status::Clean;
        let mut buf = Vec::new();
        let mut n = 0;
        loop {
            buf.clear();
            if input
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("{what}: read failed"))?
                == 0
            {
                break;
            }
            n += 1;
            let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.totals.files += 1;
            let object = match self.map_line(line) {
                Ok(mapped) => {
                    self.totals.bytes_in += mapped.bytes_in;
                    self.totals.bytes_out += mapped.bytes_out;
                    self.totals.report += mapped.report;
                    mapped.record
                }
                Err(bad) => {
                    status = Status::Errors;
                    self.totals.errors += 1;
                    let mut error = Map::new();
                    error.insert("id".into(), bad.id);
                    if let Some(name) = name {
                        error.insert("source".into(), Value::from(name));
                    }
                    error.insert("line".into(), Value::from(n));
                    error.insert("error".into(), Value::from(bad.message));
                    error
                }
            };
            serde_json::to_writer(&mut output, &Value::Object(object))
                .context("stdout: write failed")?;
            output.write_all(b"\n").context("stdout: write failed")?;
            output.flush().context("stdout: write failed")?;
            if status == Status::Errors && self.settings.fail_fast {
                break;
            }
        }
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
        let status = mapper.run(None, input.as_bytes(), &mut out).expect("runs");
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
