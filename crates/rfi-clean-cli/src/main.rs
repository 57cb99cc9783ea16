//! `rfi-clean`: clean scraped news-article HTML, one page, a folder of thousands, or a stream.

mod batch;
mod fsutil;
mod inputs;
mod jsonl;
mod ordered;
mod render;
mod settings;
mod term;
mod warc;
mod warc_http;
mod warc_read;
mod warc_write;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{CommandFactory, Parser, ValueEnum};

use settings::Run;

/// Clean scraped news-article HTML: share widgets, promo placeholders, tracking redirects,
/// short links and tracking parameters go; percent-encoded links become readable; the result is
/// sanitized so that nothing in it can run.
///
/// Inputs are detected: the scraper's envelope (`<!--epoch-ms-->`, `[title](url)`, `------`,
/// then HTML) keeps its envelope, a whole page stays a page, a fragment stays a fragment.
#[derive(Debug, Parser)]
#[command(
    name = "rfi-clean",
    version,
    after_help = "\
Examples:
  rfi-clean article.txt                        print the cleaned article
  curl -s URL | rfi-clean > clean.html         clean stdin
  rfi-clean pages/ --out-dir clean/            clean a folder into another, mirroring it
  rfi-clean -i pages/                          clean a folder in place (atomically)
  rfi-clean --check pages/                     CI: list files that would change, exit 1 if any
  rfi-clean --format json pages/ > pages.jsonl one JSON object per page
  producer | rfi-clean --jsonl | consumer      a streaming mapper for {\"url\", \"html\", …} lines
  rfi-clean --jsonl crawl-*.jsonl > clean.jsonl the same mapper over files
  rfi-clean --format json crawl.warc.gz        a web archive's HTML pages as JSON Lines
  rfi-clean crawls/ --out-warc clean.warc.gz   web archives to a WARC of cleaned pages

Exit status: 0 success, 1 --check or --diff found changes, 2 usage or input errors,
130 interrupted (Ctrl-C: files in flight finish, no file is left half-written)."
)]
struct Args {
    /// Files or folders to clean (folders are walked recursively); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write the cleaned document to this file (one input only; replaced atomically).
    #[arg(short, long, value_name = "FILE", conflicts_with_all = ["out_dir", "in_place", "check", "diff"])]
    output: Option<PathBuf>,

    /// Write each cleaned file under this folder, mirroring the input tree.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["in_place", "check", "diff"])]
    out_dir: Option<PathBuf>,

    /// Replace each file with its cleaned version, atomically; unchanged files are not touched.
    #[arg(short, long, conflicts_with_all = ["check", "diff"])]
    in_place: bool,

    /// Write nothing; list the files that cleaning would change, and exit 1 if there are any.
    #[arg(long)]
    check: bool,

    /// Write nothing; print a unified diff of what cleaning would change (exit 1 if anything).
    #[arg(long)]
    diff: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,

    /// Map JSON Lines (stdin, or the files given): each record comes back with its HTML field
    /// cleaned, every other field untouched, and what the clean found under one key
    /// (--jsonl-key); its URL field is its base URL. Blank lines are skipped; a bad line gives
    /// {"id", "line", "error"} and the stream goes on.
    #[arg(long, conflicts_with_all = ["output", "out_dir", "in_place", "check", "diff"])]
    jsonl: bool,

    /// With --jsonl: the record field that holds the HTML, replaced by the cleaned document.
    #[arg(long, value_name = "FIELD", default_value = "html", requires = "jsonl")]
    jsonl_html: String,

    /// With --jsonl: the record field that holds the document's URL (its base URL).
    #[arg(long, value_name = "FIELD", default_value = "url", requires = "jsonl")]
    jsonl_url: String,

    /// With --jsonl: the key the derived fields go under (kind, title, url, text, report…);
    /// a record that already has it is refused, never overwritten.
    #[arg(
        long,
        value_name = "KEY",
        default_value = "rfi_clean",
        requires = "jsonl"
    )]
    jsonl_key: String,

    /// From folders, take only files matching this glob (repeatable) [default: *.txt, *.html, *.htm].
    #[arg(long, value_name = "GLOB")]
    glob: Vec<String>,

    /// Skip files and folders matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,

    /// Also walk hidden files and folders.
    #[arg(long)]
    hidden: bool,

    /// Follow symbolic links when walking folders (loops are detected and reported).
    #[arg(long)]
    follow: bool,

    /// Files processed in parallel [default: the available parallelism]; with --jsonl, records
    /// mapped in parallel and written in input order [default: 1].
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,

    /// Stop at the first file that fails.
    #[arg(long)]
    fail_fast: bool,

    /// Refuse inputs larger than this (the full clean holds the whole document): bytes, or a
    /// number with K, M or G (powers of 1024) [default: 64M].
    #[arg(long, value_name = "SIZE")]
    max_size: Option<String>,

    /// Refuse inputs whose tree would cost the sanitizer more than this many nodes (elements
    /// and attributes; a link counts 2 more): about 500 bytes of memory each [default: one per
    /// 96 bytes of input, at least 50000].
    #[arg(long, value_name = "N")]
    max_tree_nodes: Option<usize>,

    /// The encoding of inputs that are not UTF-8 and declare none (no BOM, no <meta charset>):
    /// a WHATWG label such as windows-1252, shift_jis, gbk. A page's own declaration wins.
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,

    /// What embeds (YouTube, Spotify, Datawrapper… iframes) become: links to what they embed,
    /// or nothing.
    #[arg(long, value_enum, default_value_t = Embeds::Links, value_name = "WHAT")]
    embeds: Embeds,

    /// The inputs' URL, the first of their base URLs (before <base href>, the envelope URL,
    /// <link rel=canonical> and og:url): relative links get that site's rules. An absolute
    /// http(s) URL. With --jsonl, a record's own URL field wins.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,

    /// Write every link resolved against the document's base URL (WHATWG rules), as a browser
    /// would follow it; without a base URL, relative links stay relative.
    #[arg(long)]
    absolute_links: bool,

    /// Run the rewrite rules only, without the sanitizer. For trusted input only: the output is
    /// not sanitized.
    #[arg(long)]
    no_sanitize: bool,

    /// A rules file (TOML, the format of --print-config) adding to or replacing the built-in rules.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Print the built-in rules as a starting rules file, and exit (takes no other option).
    #[arg(long, exclusive = true)]
    print_config: bool,

    /// No progress bar and no notes (errors are still reported).
    #[arg(short, long)]
    quiet: bool,

    /// Print a summary on stderr: files (or records), bytes, what was removed and rewritten,
    /// errors, time.
    #[arg(long)]
    stats: bool,

    /// Web archives in (`*.warc`, `*.warc.gz`, folders of them): write the cleaned pages as a
    /// WARC/1.1 file of conversion records (gzip per record, replaced atomically).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "out_dir", "in_place", "check", "diff", "no_sanitize"])]
    out_warc: Option<PathBuf>,

    /// When to use colours on the terminal (NO_COLOR is respected).
    #[arg(long, value_enum, default_value_t = term::ColorChoice::Auto, value_name = "WHEN")]
    color: term::ColorChoice,

    /// Print a shell completion script, and exit.
    #[arg(long, value_enum, value_name = "SHELL", hide = true, exclusive = true)]
    generate_completions: Option<clap_complete::Shell>,

    /// Print the man page (roff), and exit.
    #[arg(long, hide = true, exclusive = true)]
    generate_man: bool,
}

/// How cleaned documents are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The document kind that came in: envelope, page or fragment.
    Html,
    /// Readable plain text: paragraphs separated by blank lines, links as text.
    Text,
    /// Markdown: headings, emphasis, links, images, lists.
    Markdown,
    /// One JSON object per document (JSON Lines); see the README for the schema.
    Json,
}

/// What embeds become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Embeds {
    /// A link to the public page of what is embedded.
    Links,
    /// Nothing.
    Drop,
}

/// What a run ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Clean,
    Changes,
    Errors,
    /// Ctrl-C stopped a batch.
    Interrupted,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let color = args.color;
    match run(args) {
        Ok(Status::Clean) => ExitCode::SUCCESS,
        Ok(Status::Changes) => ExitCode::from(1),
        Ok(Status::Errors) => ExitCode::from(2),
        Ok(Status::Interrupted) => ExitCode::from(130),
        Err(err) if term::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            term::report_error(color, &format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

/// Runs what the arguments say: the settings come from `settings::from_args`, and this is the
/// I/O around them.
fn run(args: Args) -> Result<Status> {
    let run = match settings::from_args(args)? {
        Run::Completions(shell) => {
            let mut command = Args::command();
            clap_complete::generate(shell, &mut command, "rfi-clean", &mut io::stdout());
            return Ok(Status::Clean);
        }
        Run::Man => {
            clap_mangen::Man::new(Args::command()).render(&mut io::stdout())?;
            return Ok(Status::Clean);
        }
        Run::PrintConfig => {
            io::stdout().write_all(rfi_clean::DEFAULT_RULES_TOML.as_bytes())?;
            return Ok(Status::Clean);
        }
        Run::Jsonl { cleaner, settings } => {
            return jsonl::run_sources(&cleaner, &settings, io::stdout().lock());
        }
        Run::Batch(run) => run,
    };
    let settings::BatchRun {
        cleaner,
        paths,
        walk,
        destination,
        mut settings,
        out_warc,
    } = run;
    if paths.is_empty() && io::stdin().is_terminal() {
        bail!("no input: give files or folders, or pipe a document to stdin (see --help)");
    }
    if let Some(files) = warc::detect(&paths, &walk, out_warc.is_some())? {
        if !matches!(destination, settings::Destination::Stdout) {
            bail!(
                "web archives are written as JSON Lines to stdout (--format json) or as a WARC \
                 (--out-warc FILE); -o, --out-dir, -i, --check and --diff do not apply"
            );
        }
        let warc_settings = warc::Settings {
            format: settings.format,
            out_warc,
            jobs: settings.jobs,
            max_size: settings.max_size,
            stats: settings.stats,
            color: settings.color,
        };
        return warc::run(&cleaner, &files, &warc_settings);
    }
    let found = inputs::collect(&paths, &walk)?;
    if found.inputs.is_empty() {
        bail!(
            "no files to clean: folders give *.txt, *.html and *.htm files (see --glob, --hidden)"
        );
    }
    let several = found.inputs.len() > 1 || found.from_folders;
    settings.mode = destination.mode(several, settings.format)?;
    let mut status = batch::run(&cleaner, &found.inputs, &settings)?;
    if found.walk_errors > 0 {
        status = Status::Errors;
    }
    Ok(status)
}
