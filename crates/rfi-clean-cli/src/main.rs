//! `rfi-clean`: clean scraped news-article HTML from a file or stdin.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use rfi_clean::Cleaner;

/// Clean scraped news-article HTML: share widgets, promo placeholders, tracking redirects,
/// short links and tracking parameters go; percent-encoded links become readable; the result is
/// sanitized so that nothing in it can run.
///
/// The input is detected: the scraper's envelope (`<!--epoch-ms-->`, `[title](url)`, `------`,
/// then HTML) keeps its envelope; a whole page stays a page; a fragment stays a fragment.
#[derive(Debug, Parser)]
#[command(
    name = "rfi-clean",
    version,
    after_help = "Examples:\n  \
        rfi-clean fixtures/rfi-cn-20240113-trade.txt     print the cleaned article\n  \
        curl -s URL | rfi-clean > clean.html              clean stdin\n  \
        rfi-clean page.html -o clean.html                 write a file (atomically)\n\n\
        Exit status: 0 on success, 2 on a usage or input error."
)]
struct Args {
    /// The document to clean; `-` or nothing reads stdin.
    input: Option<PathBuf>,

    /// Write the cleaned document to this file instead of stdout (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Run the rewrite rules only, without the sanitizer, streaming in constant memory.
    /// For trusted input only: the output is not sanitized.
    #[arg(long)]
    no_sanitize: bool,

    /// Refuse inputs larger than this many bytes (the full clean holds the whole document).
    #[arg(long, value_name = "BYTES", default_value_t = rfi_clean::DEFAULT_MAX_INPUT_SIZE)]
    max_size: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rfi-clean: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(args: Args) -> Result<()> {
    let cleaner = Cleaner::builder().max_input_size(args.max_size).build()?;
    let (name, input) = read_input(args.input.as_deref(), args.max_size)?;
    let text = std::str::from_utf8(&input).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not valid UTF-8 (first invalid byte at offset {})",
            e.valid_up_to()
        )
    })?;
    let mut document = if args.no_sanitize {
        cleaner.rewrite_str(text).with_context(|| name.clone())?.0
    } else {
        cleaner
            .clean(text)
            .with_context(|| name.clone())?
            .into_document()
    };
    if !document.is_empty() && !document.ends_with('\n') {
        document.push('\n');
    }
    match &args.output {
        Some(path) => write_atomically(path, document.as_bytes())
            .with_context(|| format!("{}: write failed", path.display())),
        None => {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(document.as_bytes())
                .and_then(|()| stdout.flush())
                .context("stdout: write failed")
        }
    }
}

/// Reads the whole input, refusing directories, binary files and inputs over `max` bytes.
fn read_input(path: Option<&Path>, max: usize) -> Result<(String, Vec<u8>)> {
    let (name, mut reader): (String, Box<dyn Read>) = match path.filter(|p| p.as_os_str() != "-") {
        None => {
            if io::stdin().is_terminal() {
                bail!("no input: give a FILE, or pipe a document to stdin (see --help)");
            }
            ("<stdin>".to_owned(), Box::new(io::stdin().lock()))
        }
        Some(path) => {
            let name = path.display().to_string();
            if path.is_dir() {
                bail!("{name}: is a directory");
            }
            let file = fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
            (name, Box::new(file))
        }
    };
    let mut input = Vec::new();
    (&mut reader)
        .take(max as u64 + 1)
        .read_to_end(&mut input)
        .with_context(|| format!("{name}: read failed"))?;
    if input.len() > max {
        bail!("{name}: larger than --max-size ({max} bytes)");
    }
    // Text never holds NUL bytes; binary files almost always do, early.
    if input[..input.len().min(8192)].contains(&0) {
        bail!("{name}: looks like a binary file (NUL bytes), not HTML");
    }
    Ok((name, input))
}

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed
/// over `path`, so `path` holds either its old content or the new, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".rfi-clean-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Ok(meta) = fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
