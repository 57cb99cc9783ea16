//! Web archives in: every `response` record of an HTML page fetched with status 200 (and every
//! `resource` record of HTML) is cleaned with its `WARC-Target-URI` as base URL and its
//! `WARC-Date` as `published`. Records are read one at a time (on a reader thread with `-j N`),
//! cleaned in parallel, a bounded number and size at a time (see `ordered`), and written in the
//! archive's order: memory per record, never per file.
//! Other records are counted; damaged ones are reported, and the file goes on.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use encoding_rs::Encoding;
use rfi_clean::{CleanOptions, Cleaned, Cleaner};
use serde_json::{Map, Value};

use crate::inputs::{self, Input, WalkOptions};
use crate::term::{self, ColorChoice};
use crate::warc_http::{self, Response};
use crate::warc_read::{self, Choice, Header, Item, Offset};
use crate::warc_write::{self, Source};
use crate::{Format, Status, ordered, render};

/// The files a folder gives in WARC mode when no `--glob` is given.
const WARC_GLOBS: &[&str] = &["*.warc", "*.warc.gz"];
/// Room for the HTTP head around a body of `--max-size` bytes.
const HTTP_HEAD_ROOM: u64 = 1 << 20;

pub(crate) struct Settings {
    pub(crate) format: Format,
    pub(crate) out_warc: Option<PathBuf>,
    pub(crate) jobs: usize,
    pub(crate) max_size: usize,
    pub(crate) stats: bool,
    pub(crate) color: ColorChoice,
}

fn is_warc_name(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".warc") || name.ends_with(".warc.gz")
}

/// The WARC files to read, if the inputs are web archives: files named `*.warc` or `*.warc.gz`,
/// folders holding such files and nothing the HTML globs take, or anything with `--out-warc`.
pub(crate) fn detect(
    paths: &[PathBuf],
    walk: &WalkOptions,
    out_warc: bool,
) -> Result<Option<Vec<PathBuf>>> {
    let warc_walk = || WalkOptions {
        globs: if walk.globs.is_empty() {
            WARC_GLOBS.iter().map(|g| (*g).to_owned()).collect()
        } else {
            walk.globs.clone()
        },
        excludes: walk.excludes.clone(),
        hidden: walk.hidden,
        follow: walk.follow,
        skip: walk.skip.clone(),
        quiet: true, // the batch walk that may follow says what it skips
    };
    let named = paths.iter().any(|p| p.is_file() && is_warc_name(p));
    let folders = !named
        && !out_warc
        && walk.globs.is_empty()
        && paths.iter().any(|p| p.is_dir())
        && holds_only_warcs(paths);
    if !(named || folders || out_warc) {
        return Ok(None);
    }
    let found = inputs::collect(paths, &warc_walk())?;
    let mut files = Vec::new();
    for input in found.inputs {
        match input {
            Input::Stdin => bail!("WARC input is read from files, not stdin"),
            Input::File { path, .. } => files.push(path),
        }
    }
    if files.is_empty() {
        bail!("no WARC files (*.warc, *.warc.gz) to read");
    }
    Ok(Some(files))
}

/// Whether the folders among `paths` hold WARC files and no file the HTML globs take. A silent
/// look (the walk that follows reports what cannot be read, once).
fn holds_only_warcs(paths: &[PathBuf]) -> bool {
    let (mut warcs, mut pages) = (false, false);
    for dir in paths.iter().filter(|p| p.is_dir()) {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
            warcs |= is_warc_name(Path::new(&name));
            pages |= [".txt", ".html", ".htm"]
                .iter()
                .any(|ext| name.ends_with(ext));
        }
    }
    warcs && !pages
}

/// One record to clean.
struct Job {
    file: Arc<str>,
    at: Offset,
    id: Option<String>,
    uri: Option<String>,
    date: Option<String>,
    block: Vec<u8>,
    /// A `resource` record's block is the document; a `response` record's is an HTTP response.
    http: bool,
    /// A `resource` record's Content-Type charset.
    charset: Option<&'static Encoding>,
}

/// What became of one record.
enum Outcome {
    Cleaned {
        json: Option<String>,
        warc: Option<Vec<u8>>,
        bytes_in: usize,
        bytes_out: usize,
    },
    Skipped(&'static str),
    Damaged(String),
    Failed(String),
}

#[derive(Default)]
struct Totals {
    files: usize,
    records: usize,
    cleaned: usize,
    skipped: BTreeMap<&'static str, usize>,
    damaged: usize,
    errors: usize,
    bytes_in: usize,
    bytes_out: usize,
}

/// What the reader hands on, in the archives' order: `Found<Job>` to the workers, who hand
/// `Found<Done>` on to the writer.
enum Found<R> {
    Record(R),
    Damaged {
        file: Arc<str>,
        at: Offset,
        id: Option<String>,
        cause: String,
    },
    /// A file was read through, or failed (it cannot be opened or read).
    FileEnd {
        file: Arc<str>,
        failed: Option<anyhow::Error>,
    },
}

/// A record's outcome, and where it was.
struct Done {
    file: Arc<str>,
    at: Offset,
    id: Option<String>,
    outcome: Outcome,
}

/// The reader stops: the writer wants no more.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for Stopped {}

pub(crate) fn run(cleaner: &Cleaner, files: &[PathBuf], settings: &Settings) -> Result<Status> {
    if settings.format != Format::Json && settings.out_warc.is_none() {
        bail!(
            "a web archive holds many pages: write them as JSON Lines (--format json) or as a \
             WARC of conversion records (--out-warc FILE.warc.gz)"
        );
    }
    let mut out_warc = match &settings.out_warc {
        Some(path) => Some(warc_write::Writer::create(path)?),
        None => None,
    };
    let started = Instant::now();
    let mut totals = Totals::default();
    let max_block = settings.max_size as u64 + HTTP_HEAD_ROOM;
    let limits = ordered::Limits::per_job(
        settings.jobs,
        usize::try_from(max_block).unwrap_or(usize::MAX),
    );
    // Records the reader skips by their header, by reason.
    let mut skipped = BTreeMap::<&'static str, usize>::new();
    let read = |feed: &mut ordered::Feed<'_, Found<Job>>| -> Result<()> {
        for path in files {
            let file: Arc<str> = Arc::from(path.display().to_string());
            let mut push = |found: Found<Job>, bytes: usize| {
                if feed.push(found, bytes) {
                    Ok(())
                } else {
                    Err(anyhow::Error::new(Stopped))
                }
            };
            let read =
                warc_read::read_file(path, &mut |header| choose(header, max_block), &mut |item| {
                    match item {
                        Item::Record { at, header, block } => {
                            let kind = header.get("WARC-Type").unwrap_or("");
                            let http = kind.eq_ignore_ascii_case("response");
                            let charset = if http {
                                None
                            } else {
                                header
                                    .get("Content-Type")
                                    .and_then(|v| warc_http::media_type(v).1)
                            };
                            let bytes = block.len();
                            let job = Job {
                                file: Arc::clone(&file),
                                at,
                                id: header.id(),
                                uri: header.get("WARC-Target-URI").map(target_uri),
                                date: header.get("WARC-Date").map(str::to_owned),
                                block,
                                http,
                                charset,
                            };
                            push(Found::Record(job), bytes)
                        }
                        // Only counted: they need neither a worker nor a place in the order.
                        Item::Skipped { reason } => {
                            *skipped.entry(reason).or_default() += 1;
                            Ok(())
                        }
                        Item::Damaged { at, id, cause } => push(
                            Found::Damaged {
                                file: Arc::clone(&file),
                                at,
                                id,
                                cause,
                            },
                            0,
                        ),
                    }
                });
            let failed = match read {
                Err(err) if err.is::<Stopped>() => return Ok(()),
                Err(err) => Some(err),
                Ok(()) => None,
            };
            // What was read before a failure is still written.
            if push(Found::FileEnd { file, failed }, 0).is_err() {
                return Ok(());
            }
        }
        Ok(())
    };
    let clean = |found: Found<Job>| match found {
        Found::Record(job) => Found::Record(Done {
            outcome: clean_record(cleaner, &job, settings),
            file: job.file,
            at: job.at,
            id: job.id,
        }),
        Found::Damaged {
            file,
            at,
            id,
            cause,
        } => Found::Damaged {
            file,
            at,
            id,
            cause,
        },
        Found::FileEnd { file, failed } => Found::FileEnd { file, failed },
    };
    let mut stdout = io::stdout().lock();
    let write = |done: Found<Done>| -> Result<ordered::Flow> {
        match done {
            Found::Record(Done {
                file,
                at,
                id,
                outcome,
            }) => {
                totals.records += 1;
                match outcome {
                    Outcome::Cleaned {
                        json,
                        warc,
                        bytes_in,
                        bytes_out,
                    } => {
                        totals.cleaned += 1;
                        totals.bytes_in += bytes_in;
                        totals.bytes_out += bytes_out;
                        if let Some(line) = json {
                            stdout.write_all(line.as_bytes())?;
                        }
                        if let (Some(writer), Some(member)) = (out_warc.as_mut(), warc) {
                            writer.write_member(&member)?;
                        }
                    }
                    Outcome::Skipped(reason) => *totals.skipped.entry(reason).or_default() += 1,
                    Outcome::Damaged(cause) => {
                        totals.damaged += 1;
                        report(settings.color, &file, at, id.as_deref(), &cause);
                    }
                    Outcome::Failed(cause) => {
                        totals.errors += 1;
                        report(settings.color, &file, at, id.as_deref(), &cause);
                    }
                }
            }
            Found::Damaged {
                file,
                at,
                id,
                cause,
            } => {
                totals.records += 1;
                totals.damaged += 1;
                report(settings.color, &file, at, id.as_deref(), &cause);
            }
            Found::FileEnd { file, failed } => {
                totals.files += 1;
                stdout.flush()?;
                if let Some(err) = failed {
                    totals.errors += 1;
                    term::report_error(settings.color, &format!("{file}: {err:#}"));
                }
            }
        }
        Ok(ordered::Flow::Continue)
    };
    ordered::map(settings.jobs, limits, read, clean, write)?;
    for (reason, n) in skipped {
        totals.records += n;
        *totals.skipped.entry(reason).or_default() += n;
    }
    if let Some(writer) = out_warc {
        writer.finish()?;
    }
    if settings.stats {
        totals.print(started.elapsed().as_secs_f64());
    }
    Ok(if totals.errors + totals.damaged > 0 {
        Status::Errors
    } else {
        Status::Clean
    })
}

/// Which records are read: HTML responses and resources; the rest pass by, counted by type.
fn choose(header: &Header, max_block: u64) -> Choice {
    let kind = header.get("WARC-Type").unwrap_or("").to_ascii_lowercase();
    match kind.as_str() {
        // A segmented record's first part alone is not the page.
        _ if header.get("WARC-Segment-Number").is_some() => Choice::Skip("segmented record"),
        "response" => Choice::Read(max_block),
        "resource" => {
            let html = header
                .get("Content-Type")
                .is_some_and(|v| warc_http::media_type(v).0);
            if html {
                Choice::Read(max_block)
            } else {
                Choice::Skip("not HTML")
            }
        }
        "request" => Choice::Skip("request record"),
        "revisit" => Choice::Skip("revisit record"),
        "warcinfo" => Choice::Skip("warcinfo record"),
        "metadata" => Choice::Skip("metadata record"),
        "conversion" => Choice::Skip("conversion record"),
        _ => Choice::Skip("other record type"),
    }
}

/// WARC/1.0 wrote the target URI in angle brackets (a mistake of its grammar that 1.1 fixed);
/// some writers still do.
fn target_uri(value: &str) -> String {
    let value = value.trim();
    value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value)
        .to_owned()
}

fn report(color: ColorChoice, file: &str, at: Offset, id: Option<&str>, cause: &str) {
    let id = id.unwrap_or("(no record id)");
    term::report_error(color, &format!("{file}: {at}, record {id}: {cause}"));
}

fn clean_record(cleaner: &Cleaner, job: &Job, settings: &Settings) -> Outcome {
    let (body, charset) = if job.http {
        match warc_http::parse(&job.block, settings.max_size) {
            Ok(Response::Html { body, charset }) => (body, charset),
            Ok(Response::Skip(reason)) => return Outcome::Skipped(reason),
            Err(cause) => return Outcome::Damaged(cause),
        }
    } else {
        (job.block.clone(), job.charset)
    };
    let cleaned = match clean_body(cleaner, &body, charset, job.uri.as_deref()) {
        Ok(cleaned) => cleaned,
        Err(err) => return Outcome::Failed(format!("{err:#}")),
    };
    let json = (settings.format == Format::Json).then(|| json_line(job, &cleaned));
    let warc = settings.out_warc.as_ref().map(|_| {
        warc_write::conversion(
            &Source {
                id: job.id.as_deref(),
                uri: job.uri.as_deref(),
                date: job.date.as_deref(),
            },
            cleaned.document(),
        )
    });
    Outcome::Cleaned {
        bytes_in: body.len(),
        bytes_out: cleaned.document().len(),
        json,
        warc,
    }
}

/// Cleans a body with its URL as base URL. The HTTP charset is the transport layer's encoding,
/// which the HTML standard puts after a BOM and before `<meta charset>`; the library takes
/// only a user's fallback (`CleanerBuilder::encoding`), so a body that is neither UTF-8 nor
/// BOM-marked is decoded here, with encoding_rs, when its response names a charset. Valid UTF-8
/// stays UTF-8 whatever the header says, as the library does for `<meta>`: a header that
/// misnames UTF-8 is far more common than Latin-1 text that happens to be valid UTF-8.
fn clean_body(
    cleaner: &Cleaner,
    body: &[u8],
    charset: Option<&'static Encoding>,
    uri: Option<&str>,
) -> Result<Cleaned> {
    let decoded = match charset {
        Some(encoding)
            if encoding != encoding_rs::UTF_8
                && Encoding::for_bom(body).is_none()
                && simdutf8::basic::from_utf8(body).is_err() =>
        {
            Some(
                encoding
                    .decode_without_bom_handling_and_without_replacement(body)
                    .with_context(|| {
                        format!(
                            "not valid {} (the charset of its Content-Type)",
                            encoding.name()
                        )
                    })?,
            )
        }
        _ => None,
    };
    let clean = |options: &CleanOptions| match &decoded {
        Some(text) => cleaner.clean_with(text, options),
        None => cleaner.clean_bytes_with(body, options),
    };
    // A target URI that is not an absolute http(s) URL (a `dns:` record, say) is no base URL.
    let options = uri.map_or_else(CleanOptions::default, |uri| {
        CleanOptions::default().with_base_url(uri)
    });
    let cleaned = match clean(&options) {
        Err(rfi_clean::Error::InvalidSettings(_)) => clean(&CleanOptions::default()),
        other => other,
    };
    Ok(cleaned?)
}

/// The JSON line of a cleaned record: where it came from, then the usual fields, with
/// `published` the record's `WARC-Date`.
fn json_line(job: &Job, cleaned: &Cleaned) -> String {
    let mut object = Map::new();
    object.insert("source".into(), Value::from(&*job.file));
    object.insert("offset".into(), Value::from(offset_value(job.at)));
    object.insert("record_id".into(), Value::from(job.id.clone()));
    object.insert("target_uri".into(), Value::from(job.uri.clone()));
    object.insert("warc_date".into(), Value::from(job.date.clone()));
    object.extend(render::json_fields(cleaned));
    if let Some(date) = &job.date {
        match date.trim().parse::<jiff::Timestamp>() {
            Ok(t) => {
                object.insert("published".into(), Value::from(t.to_string()));
                object.insert("published_ms".into(), Value::from(t.as_millisecond()));
            }
            Err(_) => {
                object.insert("published".into(), Value::from(date.as_str()));
            }
        }
    }
    let mut line = Value::Object(object).to_string();
    line.push('\n');
    line
}

/// The offset a CDX index gives: the record's gzip member, or its byte in a plain file.
fn offset_value(at: Offset) -> u64 {
    at.member.unwrap_or(at.within)
}

impl Totals {
    fn print(&self, seconds: f64) {
        let skipped: usize = self.skipped.values().sum();
        let reasons: Vec<String> = self
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        let mb = |b: usize| b as f64 / 1e6;
        eprintln!(
            "rfi-clean: {} WARC files, {} records: {} cleaned, {} skipped, {} damaged, {} errors; {:.1} s\n  \
             skipped: {}\n  \
             {:.1} MB of pages in, {:.1} MB out",
            self.files,
            self.records,
            self.cleaned,
            skipped,
            self.damaged,
            self.errors,
            seconds,
            if reasons.is_empty() {
                "none".to_owned()
            } else {
                reasons.join(", ")
            },
            mb(self.bytes_in),
            mb(self.bytes_out),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_uris_lose_warc_1_0_brackets() {
        assert_eq!(target_uri("<https://a.com/>"), "https://a.com/");
        assert_eq!(target_uri("https://a.com/"), "https://a.com/");
    }

    #[test]
    fn the_http_charset_decodes_what_is_not_utf8() {
        let cleaner = Cleaner::default();
        let latin1 = Some(encoding_rs::WINDOWS_1252);
        let cleaned = clean_body(&cleaner, b"<p>caf\xe9</p>", latin1, None).expect("cleaned");
        assert_eq!(cleaned.html(), "<p>café</p>");
        let cleaned = clean_body(&cleaner, "<p>café</p>".as_bytes(), latin1, None).expect("UTF-8");
        assert_eq!(cleaned.html(), "<p>café</p>");
        assert!(clean_body(&cleaner, b"<p>caf\xe9</p>", None, None).is_err());
        let cleaned = clean_body(
            &cleaner,
            b"<a href='/x?utm_source=y'>x</a>",
            None,
            Some("dns:example.com"),
        )
        .expect("no base URL");
        assert!(cleaned.html().contains("href=\"/x\""), "{}", cleaned.html());
    }
}
