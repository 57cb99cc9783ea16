//! Cleaning many documents: in parallel, with output in input order whatever the number of
//! jobs, each file's failure reported on one line and never harming the file.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use rayon::prelude::*;
use rfi_clean::{Cleaner, Report};

use crate::fsutil::{self, Durability};
use crate::inputs::Input;
use crate::ordered::{Limits, Room};
use crate::term::{self, ColorChoice};
use crate::{Format, Status, render};

/// Where cleaned documents go.
#[derive(Debug, Clone)]
pub(crate) enum Mode {
    Stdout,
    OutputFile(PathBuf),
    OutDir(PathBuf),
    InPlace,
    Check { diff: bool },
}

pub(crate) struct Settings {
    pub(crate) mode: Mode,
    pub(crate) format: Format,
    pub(crate) no_sanitize: bool,
    pub(crate) jobs: usize,
    pub(crate) fail_fast: bool,
    pub(crate) max_size: usize,
    pub(crate) quiet: bool,
    pub(crate) stats: bool,
    pub(crate) color: ColorChoice,
}

/// What happened to one input.
enum Done {
    /// The output, for stdout.
    Printed(String),
    Written,
    Unchanged,
    /// `--check`: the output differs; with `--diff`, the diff.
    WouldChange(Option<String>),
}

struct Outcome {
    result: Result<Done, String>,
    bytes_in: usize,
    bytes_out: usize,
    report: Report,
}

/// Set by Ctrl-C: start no more files.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Files handed to the pool at a time: enough to keep every thread busy, few enough that
/// outputs waiting for their turn stay small.
fn chunk_size(jobs: usize) -> usize {
    (jobs * 16).max(16)
}

pub(crate) fn run(cleaner: &Cleaner, inputs: &[Input], settings: &Settings) -> Result<Status> {
    let targets = targets(inputs, settings)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .context("cannot start worker threads")?;
    let progress = term::progress(inputs.len(), settings.quiet);
    let stop = AtomicBool::new(false);
    // Ctrl-C: finish the files in flight (each is written whole or not at all), start no more.
    // A second Ctrl-C exits at once; atomic writes still leave no partial file.
    let handler = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    drop(handler); // without a handler (already set, or unsupported), Ctrl-C just ends the process
    let started = Instant::now();
    let mut totals = Totals::default();
    let stdout_color = settings.color.enabled(io::stdout().is_terminal());
    let jobs: Vec<(usize, &Input)> = inputs.iter().enumerate().collect();
    // A full clean peaks at up to 8 times its input: the files being cleaned at once total at
    // most --max-size (one larger than what is left waits; one alone always goes), so the
    // batch's peak stays that of one file at the limit, whatever -j.
    let room = Room::new(Limits {
        items: settings.jobs,
        bytes: settings.max_size,
    });
    for chunk in jobs.chunks(chunk_size(settings.jobs)) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|&(i, input)| {
                    if stop.load(Ordering::Relaxed) || INTERRUPTED.load(Ordering::SeqCst) {
                        return None;
                    }
                    let bytes = in_flight_size(input, settings);
                    room.take(bytes);
                    let outcome =
                        process(cleaner, input, targets.get(i).cloned().flatten(), settings);
                    room.give_back(bytes);
                    if outcome.result.is_err() && settings.fail_fast {
                        stop.store(true, Ordering::Relaxed);
                    }
                    progress.inc(1);
                    Some(outcome)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .flatten()
                .collect()
        });
        // Locked per chunk, not for the run: a --no-sanitize worker streams to stdout itself.
        let mut stdout = io::stdout().lock();
        for (outcome, &(_, input)) in outcomes.iter().zip(chunk) {
            totals.add(outcome);
            match &outcome.result {
                Ok(Done::Printed(text)) => stdout.write_all(text.as_bytes())?,
                Ok(Done::WouldChange(diff)) => {
                    totals.changed += 1;
                    match diff {
                        Some(diff) => write_diff(&mut stdout, diff, stdout_color)?,
                        None => writeln!(stdout, "{}", input.name())?,
                    }
                }
                Ok(Done::Written | Done::Unchanged) => {}
                Err(message) => progress.suspend(|| term::report_error(settings.color, message)),
            }
        }
        stdout.flush()?;
        if stop.load(Ordering::Relaxed) || INTERRUPTED.load(Ordering::SeqCst) {
            break;
        }
    }
    progress.finish_and_clear();
    if let Mode::OutDir(dir) = &settings.mode
        && durability(&settings.mode) == Durability::AtEnd
        && dir.is_dir()
        && let Err(err) = fsutil::sync_filesystem(dir)
    {
        totals.errors += 1;
        term::report_error(
            settings.color,
            &format!("{}: cannot sync to disk: {err}", dir.display()),
        );
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        term::report_error(
            settings.color,
            "interrupted: files not yet started were left as they were",
        );
        return Ok(Status::Interrupted);
    }
    if settings.stats {
        totals.print("files", started.elapsed().as_secs_f64());
    }
    Ok(if totals.errors > 0 {
        Status::Errors
    } else if totals.changed > 0 {
        Status::Changes
    } else {
        Status::Clean
    })
}

/// How the files a mode writes reach the disk: the user's own files (in place, `-o`) one by one,
/// the new files of `--out-dir` at the end of the batch.
fn durability(mode: &Mode) -> Durability {
    match mode {
        Mode::OutDir(_) => Durability::for_out_dir(),
        _ => Durability::PerFile,
    }
}

/// Each input's output file, checked up front: no two inputs may share one, and no output may
/// be an input (unless in place).
fn targets(inputs: &[Input], settings: &Settings) -> Result<Vec<Option<PathBuf>>> {
    let dir = match &settings.mode {
        Mode::OutDir(dir) => dir,
        Mode::OutputFile(file) => return Ok(vec![Some(file.clone())]),
        _ => return Ok(vec![None; inputs.len()]),
    };
    let sources: HashSet<PathBuf> = inputs
        .iter()
        .filter_map(|input| match input {
            Input::File { path, .. } => fs::canonicalize(path).ok(),
            Input::Stdin => None,
        })
        .collect();
    let mut seen: HashMap<PathBuf, String> = HashMap::new();
    let mut targets = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Input::File { rel, .. } = input else {
            bail!("--out-dir needs files or folders, not stdin (use -o FILE for stdin)");
        };
        let mut target = dir.join(rel);
        match settings.format {
            Format::Html => {}
            Format::Text => {
                target.set_extension("txt");
            }
            Format::Markdown => {
                target.set_extension("md");
            }
            Format::Json => {
                target.set_extension("json");
            }
        }
        if let Some(first) = seen.insert(target.clone(), input.name()) {
            bail!(
                "{first} and {} would both be written to {}",
                input.name(),
                target.display()
            );
        }
        if fs::canonicalize(&target).is_ok_and(|t| sources.contains(&t)) {
            bail!(
                "{} is an input: --out-dir would overwrite it (use --in-place to clean files where they are)",
                target.display()
            );
        }
        targets.push(Some(target));
    }
    Ok(targets)
}

fn process(
    cleaner: &Cleaner,
    input: &Input,
    target: Option<PathBuf>,
    settings: &Settings,
) -> Outcome {
    let name = input.name();
    if settings.no_sanitize && !matches!(settings.mode, Mode::Check { .. }) {
        return match stream(cleaner, input, target, &settings.mode) {
            Ok((done, streamed)) => Outcome {
                result: Ok(done),
                bytes_in: streamed.read,
                bytes_out: streamed.written,
                report: streamed.report,
            },
            Err(err) => Outcome {
                result: Err(format!("{name}: {err:#}")),
                bytes_in: 0,
                bytes_out: 0,
                report: Report::default(),
            },
        };
    }
    let mut outcome = Outcome {
        result: Err(String::new()),
        bytes_in: 0,
        bytes_out: 0,
        report: Report::default(),
    };
    let bytes = match read(input, settings.max_size) {
        Ok(bytes) => bytes,
        Err(err) => {
            outcome.result = Err(format!("{name}: {err:#}"));
            return outcome;
        }
    };
    outcome.bytes_in = bytes.len();
    let output = if settings.no_sanitize {
        simdutf8::compat::from_utf8(&bytes)
            .map_err(|e| {
                anyhow!(
                    "not valid UTF-8 (first invalid byte at offset {})",
                    e.valid_up_to()
                )
            })
            .and_then(|text| Ok(cleaner.rewrite_str(text)?))
            .map(|(mut text, report)| {
                outcome.report = report;
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text
            })
    } else {
        cleaner
            .clean_bytes(&bytes)
            .map_err(|err| match err {
                rfi_clean::Error::InvalidUtf8 { .. } => {
                    anyhow!("{err} (if it is in a legacy encoding, name it with --encoding LABEL)")
                }
                rfi_clean::Error::TreeTooLarge { .. } => anyhow!(
                    "{err}; raise the limit with --max-tree-nodes N (a node takes about 500 bytes of memory)"
                ),
                err => err.into(),
            })
            .map(|cleaned| {
                outcome.report = *cleaned.report();
                render::render(&cleaned, settings.format, &name)
            })
    };
    let output = match output {
        Ok(output) => output,
        Err(err) => {
            outcome.result = Err(format!("{name}: {err:#}"));
            return outcome;
        }
    };
    outcome.bytes_out = output.len();
    outcome.result = deliver(input, &bytes, output, target, &settings.mode)
        .map_err(|err| format!("{name}: {err:#}"));
    outcome
}

fn deliver(
    input: &Input,
    old: &[u8],
    new: String,
    target: Option<PathBuf>,
    mode: &Mode,
) -> Result<Done> {
    match mode {
        Mode::Stdout => Ok(Done::Printed(new)),
        Mode::Check { diff } => {
            if old == new.as_bytes() {
                return Ok(Done::Unchanged);
            }
            let diff = diff.then(|| {
                let name = input.name();
                // git's a/ and b/ prefixes, for relative paths only.
                let (a, b) = if name.starts_with('/') || name == "-" {
                    (name.clone(), name.clone())
                } else {
                    (format!("a/{name}"), format!("b/{name}"))
                };
                similar::TextDiff::from_lines(String::from_utf8_lossy(old).as_ref(), new.as_str())
                    .unified_diff()
                    .header(&a, &b)
                    .to_string()
            });
            Ok(Done::WouldChange(diff))
        }
        Mode::InPlace => {
            let Input::File { path, .. } = input else {
                bail!("--in-place needs a file");
            };
            if old == new.as_bytes() {
                return Ok(Done::Unchanged);
            }
            fsutil::write_atomically(path, new.as_bytes(), Durability::PerFile)
                .context("write failed, file left as it was")?;
            Ok(Done::Written)
        }
        Mode::OutDir(_) | Mode::OutputFile(_) => {
            let target = target.context("no output path")?;
            fsutil::create_folder_for(&target)
                .with_context(|| format!("cannot create the folder of {}", target.display()))?;
            fsutil::write_atomically(&target, new.as_bytes(), durability(mode))
                .with_context(|| format!("{}: write failed", target.display()))?;
            Ok(Done::Written)
        }
    }
}

/// `--no-sanitize`: the rewrite stream from the input to its destination, chunk by chunk, in
/// constant memory whatever the input's size (`--max-size` does not apply). A file destination
/// is written through a temporary file and renamed, as every write is.
fn stream(
    cleaner: &Cleaner,
    input: &Input,
    target: Option<PathBuf>,
    mode: &Mode,
) -> Result<(Done, Streamed)> {
    let mut reader: Box<dyn Read> = match input {
        Input::Stdin => Box::new(io::stdin().lock()),
        Input::File { path, .. } => {
            if path.is_dir() {
                bail!("is a directory");
            }
            Box::new(fs::File::open(path).context("cannot open")?)
        }
    };
    let target = match (mode, input) {
        (Mode::Stdout, _) => {
            let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
            return Ok((Done::Written, rewrite_into(cleaner, &mut reader, &mut out)?));
        }
        (Mode::InPlace, Input::File { path, .. }) => path.clone(),
        _ => target.context("no output path")?,
    };
    fsutil::create_folder_for(&target)
        .with_context(|| format!("cannot create the folder of {}", target.display()))?;
    let mut tmp = fsutil::temp_file_for(&target)?;
    let streamed = {
        let mut out = io::BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
        rewrite_into(cleaner, &mut reader, &mut out)?
    };
    if matches!(mode, Mode::InPlace) && same_content(&target, tmp.path())? {
        return Ok((Done::Unchanged, streamed));
    }
    fsutil::persist(tmp, &target, durability(mode))
        .with_context(|| format!("{}: write failed", target.display()))?;
    Ok((Done::Written, streamed))
}

/// What went through one rewrite stream.
struct Streamed {
    read: usize,
    written: usize,
    report: Report,
}

/// A writer that counts what it passes on and remembers the last byte.
struct Counting<'a> {
    out: &'a mut dyn Write,
    written: usize,
    last: Option<u8>,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Runs the rewrite stream from `reader` into `out`.
fn rewrite_into(cleaner: &Cleaner, reader: &mut dyn Read, out: &mut dyn Write) -> Result<Streamed> {
    let mut counting = Counting {
        out,
        written: 0,
        last: None,
    };
    let mut stream = cleaner.rewrite_stream(&mut counting);
    let mut buf = vec![0; 64 * 1024];
    let mut read = 0usize;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("read failed"),
        };
        if read == 0 && buf[..n.min(8192)].contains(&0) {
            bail!("looks like a binary file (NUL bytes), not HTML");
        }
        read += n;
        stream.write(&buf[..n])?;
    }
    let report = stream.end()?;
    if counting.written > 0 && counting.last != Some(b'\n') {
        counting.write_all(b"\n").context("write failed")?;
    }
    counting.flush().context("write failed")?;
    Ok(Streamed {
        read,
        written: counting.written,
        report,
    })
}

/// Do two files hold the same bytes?
fn same_content(a: &std::path::Path, b: &std::path::Path) -> Result<bool> {
    let (Ok(ma), Ok(mb)) = (fs::metadata(a), fs::metadata(b)) else {
        return Ok(false);
    };
    if ma.len() != mb.len() {
        return Ok(false);
    }
    let mut fa = io::BufReader::new(fs::File::open(a)?);
    let mut fb = io::BufReader::new(fs::File::open(b)?);
    let (mut ba, mut bb) = (vec![0; 64 * 1024], vec![0; 64 * 1024]);
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(true);
        }
        fb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// What a file takes of the batch's room while it is cleaned: its size (the clean's memory
/// grows with it), at most --max-size; stdin's size is unknown, so --max-size. A
/// --no-sanitize stream runs in constant memory and takes none.
fn in_flight_size(input: &Input, settings: &Settings) -> usize {
    if settings.no_sanitize {
        return 0;
    }
    match input {
        Input::File { path, .. } => fs::metadata(path).map_or(settings.max_size, |meta| {
            usize::try_from(meta.len()).map_or(settings.max_size, |len| len.min(settings.max_size))
        }),
        Input::Stdin => settings.max_size,
    }
}

/// Reads a whole input, refusing folders, binary files and inputs over `max` bytes.
fn read(input: &Input, max: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = max as u64 + 1;
    match input {
        Input::Stdin => {
            io::stdin()
                .lock()
                .take(limit)
                .read_to_end(&mut bytes)
                .context("read failed")?;
        }
        Input::File { path, .. } => {
            if path.is_dir() {
                bail!("is a directory");
            }
            let file = fs::File::open(path).context("cannot open")?;
            // A regular file's size is known: refuse it before reading (and holding) any of it.
            let meta = file.metadata().context("cannot read metadata")?;
            if meta.is_file() && meta.len() > max as u64 {
                bail!("larger than --max-size ({max} bytes)");
            }
            file.take(limit)
                .read_to_end(&mut bytes)
                .context("read failed")?;
        }
    }
    if bytes.len() > max {
        bail!("larger than --max-size ({max} bytes)");
    }
    if looks_binary(&bytes) {
        bail!("looks like a binary file (NUL bytes), not HTML");
    }
    Ok(bytes)
}

/// Text never holds NUL bytes early on, binary files almost always do; UTF-16 text does, but
/// starts with its byte order mark (which the library decodes).
fn looks_binary(bytes: &[u8]) -> bool {
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    !utf16 && bytes[..bytes.len().min(8192)].contains(&0)
}

fn write_diff(out: &mut impl Write, diff: &str, color: bool) -> io::Result<()> {
    if !color {
        return out.write_all(diff.as_bytes());
    }
    for line in diff.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            term::BOLD
        } else if line.starts_with('+') {
            term::GREEN
        } else if line.starts_with('-') {
            term::RED
        } else if line.starts_with("@@") {
            term::CYAN
        } else {
            ""
        };
        if style.is_empty() {
            out.write_all(line.as_bytes())?;
        } else {
            let (text, newline) = line.strip_suffix('\n').map_or((line, ""), |t| (t, "\n"));
            write!(out, "{style}{text}{}{newline}", term::RESET)?;
        }
    }
    Ok(())
}

/// What a run did, summed for `--stats`.
#[derive(Default)]
pub(crate) struct Totals {
    pub(crate) files: usize,
    pub(crate) errors: usize,
    pub(crate) changed: usize,
    pub(crate) bytes_in: usize,
    pub(crate) bytes_out: usize,
    pub(crate) report: Report,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        self.files += 1;
        self.errors += usize::from(outcome.result.is_err());
        self.bytes_in += outcome.bytes_in;
        self.bytes_out += outcome.bytes_out;
        self.report += outcome.report;
    }

    /// The summary on stderr; `unit` names what was counted (files, records).
    pub(crate) fn print(&self, unit: &str, seconds: f64) {
        let r = &self.report;
        let mb = |b: usize| b as f64 / 1e6;
        eprintln!(
            "rfi-clean: {} {unit}, {} errors, {:.1} s; {:.1} MB in, {:.1} MB out, {:.1} MB/s\n  \
             removed: {} share widgets, {} promos, {} labels, {} empty elements\n  \
             links: {} decoded, {} redirects unwrapped, {} short links resolved, {} parameters stripped, {} unwraps refused",
            self.files,
            self.errors,
            seconds,
            mb(self.bytes_in),
            mb(self.bytes_out),
            mb(self.bytes_in) / seconds.max(1e-9),
            r.share_widgets_removed,
            r.promos_removed,
            r.labels_removed,
            r.empty_elements_removed,
            r.links_decoded,
            r.redirects_unwrapped,
            r.short_links_resolved,
            r.params_stripped,
            r.unwraps_refused,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_every_thread_busy() {
        assert_eq!(chunk_size(1), 16);
        assert_eq!(chunk_size(8), 128);
    }

    #[test]
    fn diffs_are_coloured_line_by_line() {
        let mut out = Vec::new();
        write_diff(
            &mut out,
            "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n",
            true,
        )
        .expect("written");
        let out = String::from_utf8(out).expect("UTF-8");
        assert!(out.contains("\x1b[31m-old\x1b[0m\n"), "{out:?}");
        assert!(out.contains("\x1b[32m+new\x1b[0m\n"), "{out:?}");
    }
}
