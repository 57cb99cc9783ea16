//! `rfi-clean`: clean scraped news-article HTML, one page, a folder of thousands, or a stream.

mod batch;
mod fsutil;
mod inputs;
mod jsonl;
mod render;
mod term;
mod warc;
mod warc_http;
mod warc_read;
mod warc_write;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, ValueEnum};
use rfi_clean::{Cleaner, Rules};

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
  producer | rfi-clean --jsonl | consumer      a streaming mapper for {\"id\", \"html\"} lines
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

    /// Read JSON Lines on stdin (`{"id": …, "html": …}`, other fields passed through) and write
    /// one cleaned JSON object per line, in order.
    #[arg(long, conflicts_with_all = ["paths", "output", "out_dir", "in_place", "check", "diff"])]
    jsonl: bool,

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

    /// Files processed in parallel [default: the available parallelism].
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,

    /// Stop at the first file that fails.
    #[arg(long)]
    fail_fast: bool,

    /// Refuse inputs larger than this many bytes (the full clean holds the whole document).
    #[arg(long, value_name = "BYTES", default_value_t = rfi_clean::DEFAULT_MAX_INPUT_SIZE)]
    max_size: usize,

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
    /// http(s) URL. With --jsonl, a record's own "url" field wins.
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

    /// Print the built-in rules as a starting rules file, and exit.
    #[arg(long)]
    print_config: bool,

    /// No progress bar and no per-file messages (errors are still reported).
    #[arg(short, long)]
    quiet: bool,

    /// Print a summary on stderr: files, bytes, what was removed and rewritten, errors, time.
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
    #[arg(long, value_enum, value_name = "SHELL", hide = true)]
    generate_completions: Option<clap_complete::Shell>,

    /// Print the man page (roff), and exit.
    #[arg(long, hide = true)]
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
enum Embeds {
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

fn run(args: Args) -> Result<Status> {
    if let Some(shell) = args.generate_completions {
        let mut command = Args::command();
        clap_complete::generate(shell, &mut command, "rfi-clean", &mut io::stdout());
        return Ok(Status::Clean);
    }
    if args.generate_man {
        clap_mangen::Man::new(Args::command()).render(&mut io::stdout())?;
        return Ok(Status::Clean);
    }
    if args.print_config {
        io::stdout().write_all(rfi_clean::DEFAULT_RULES_TOML.as_bytes())?;
        return Ok(Status::Clean);
    }
    let cleaner = build_cleaner(&args)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    if args.encoding.is_some() && (args.no_sanitize || args.jsonl) {
        bail!(
            "--encoding applies to the full clean of files and stdin, not to --no-sanitize or --jsonl"
        );
    }
    if args.jsonl {
        return jsonl::run(
            &cleaner,
            args.no_sanitize,
            io::stdin().lock(),
            io::stdout().lock(),
        );
    }
    let stdin_only = args.paths.is_empty() || args.paths.iter().all(|p| p.as_os_str() == "-");
    if args.paths.is_empty() && io::stdin().is_terminal() {
        bail!("no input: give files or folders, or pipe a document to stdin (see --help)");
    }
    if args.in_place && stdin_only {
        bail!("--in-place needs files or folders, not stdin");
    }
    if args.in_place && args.format != Format::Html {
        bail!(
            "--in-place writes HTML only; use --out-dir for --format {:?}",
            args.format
        );
    }
    let walk = inputs::WalkOptions {
        globs: args.glob.clone(),
        excludes: args.exclude.clone(),
        hidden: args.hidden,
        follow: args.follow,
    };
    if let Some(files) = warc::detect(&args.paths, &walk, args.out_warc.is_some())? {
        return warc::run(&cleaner, &files, &warc_settings(&args, jobs));
    }
    let found = inputs::collect(&args.paths, &walk)?;
    if found.inputs.is_empty() {
        bail!(
            "no files to clean: folders give *.txt, *.html and *.htm files (see --glob, --hidden)"
        );
    }
    let several = found.inputs.len() > 1 || found.from_folders;
    let mode = if args.check || args.diff {
        batch::Mode::Check { diff: args.diff }
    } else if args.in_place {
        batch::Mode::InPlace
    } else if let Some(dir) = &args.out_dir {
        batch::Mode::OutDir(dir.clone())
    } else if let Some(file) = &args.output {
        if several {
            bail!("-o takes one input; use --out-dir for several");
        }
        batch::Mode::OutputFile(file.clone())
    } else {
        if several && args.format != Format::Json {
            bail!(
                "several inputs: choose where they go with --out-dir DIR or --in-place, \
                 or print them as JSON Lines with --format json"
            );
        }
        batch::Mode::Stdout
    };
    let settings = batch::Settings {
        mode,
        format: args.format,
        no_sanitize: args.no_sanitize,
        jobs,
        fail_fast: args.fail_fast,
        max_size: args.max_size,
        quiet: args.quiet,
        stats: args.stats,
        color: args.color,
    };
    let mut status = batch::run(&cleaner, &found.inputs, &settings)?;
    if found.walk_errors > 0 {
        status = Status::Errors;
    }
    Ok(status)
}

fn warc_settings(args: &Args, jobs: usize) -> warc::Settings {
    warc::Settings {
        format: args.format,
        out_warc: args.out_warc.clone(),
        jobs,
        max_size: args.max_size,
        stats: args.stats,
        color: args.color,
    }
}

fn build_cleaner(args: &Args) -> Result<Cleaner> {
    let mut builder = Cleaner::builder()
        .max_input_size(args.max_size)
        .embeds(match args.embeds {
            Embeds::Links => rfi_clean::EmbedMode::Links,
            Embeds::Drop => rfi_clean::EmbedMode::Drop,
        })
        .absolute_links(args.absolute_links);
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    if let Some(label) = &args.encoding {
        builder = builder.encoding(label);
    }
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read rules file", path.display()))?;
        let rules = Rules::from_toml(&text).with_context(|| path.display().to_string())?;
        builder = builder.apply_rules(rules);
    }
    builder.build().context("invalid settings")
}
