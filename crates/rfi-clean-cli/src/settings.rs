//! Parsed arguments into validated settings: what to run, with which cleaner, in one function
//! (`from_args`). Every combination of flags either means something or is refused here with a
//! message that says why: no flag is silently ignored.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rfi_clean::{Cleaner, Rules};

use crate::inputs::WalkOptions;
use crate::{Args, Embeds, Format, batch, jsonl};

/// What a run does.
pub(crate) enum Run {
    /// Print a shell completion script.
    Completions(clap_complete::Shell),
    /// Print the man page.
    Man,
    /// Print the built-in rules.
    PrintConfig,
    /// `--jsonl`: map JSON Lines records.
    Jsonl {
        cleaner: Cleaner,
        settings: jsonl::Settings,
    },
    /// Clean files, folders or stdin.
    Batch(BatchRun),
}

/// Cleaning files, folders or stdin.
pub(crate) struct BatchRun {
    pub(crate) cleaner: Cleaner,
    pub(crate) paths: Vec<PathBuf>,
    pub(crate) walk: WalkOptions,
    /// Checked against the inputs once they are known (one input or several).
    pub(crate) destination: Destination,
    /// `mode` is set from `destination` once the inputs are known.
    pub(crate) settings: batch::Settings,
    /// Web archives in: write their cleaned pages as a WARC.
    pub(crate) out_warc: Option<PathBuf>,
}

/// Where the documents of a batch go, before the inputs are counted.
pub(crate) enum Destination {
    Stdout,
    OutputFile(PathBuf),
    OutDir(PathBuf),
    InPlace,
    Check { diff: bool },
}

impl Destination {
    /// The batch mode for the inputs found, or why they cannot go there.
    pub(crate) fn mode(&self, several: bool, format: Format) -> Result<batch::Mode> {
        Ok(match self {
            Destination::Stdout => {
                if several && format != Format::Json {
                    bail!(
                        "several inputs: choose where they go with --out-dir DIR or --in-place, \
                         or print them as JSON Lines with --format json"
                    );
                }
                batch::Mode::Stdout
            }
            Destination::OutputFile(file) => {
                if several {
                    bail!("-o takes one input; use --out-dir for several");
                }
                batch::Mode::OutputFile(file.clone())
            }
            Destination::OutDir(dir) => batch::Mode::OutDir(dir.clone()),
            Destination::InPlace => batch::Mode::InPlace,
            Destination::Check { diff } => batch::Mode::Check { diff: *diff },
        })
    }
}

/// Turns parsed arguments into what to run. Reads the `--config` file; touches nothing else.
pub(crate) fn from_args(args: Args) -> Result<Run> {
    // clap makes these exclusive: they print and exit, whatever else is given.
    if let Some(shell) = args.generate_completions {
        return Ok(Run::Completions(shell));
    }
    if args.generate_man {
        return Ok(Run::Man);
    }
    if args.print_config {
        return Ok(Run::PrintConfig);
    }
    if args.no_sanitize && args.max_tree_nodes.is_some() {
        bail!("--max-tree-nodes limits the full clean; --no-sanitize builds no tree");
    }
    if args.no_sanitize && args.max_size.is_some() {
        bail!(
            "--max-size limits the full clean; --no-sanitize streams in constant memory, without a limit"
        );
    }
    if args.encoding.is_some() && (args.no_sanitize || args.jsonl) {
        bail!(
            "--encoding applies to the full clean of files and stdin, not to --no-sanitize or --jsonl"
        );
    }
    let walking = !args.glob.is_empty() || !args.exclude.is_empty() || args.hidden || args.follow;
    let cleaner = build_cleaner(&args)?;
    if args.jsonl {
        return jsonl_run(args, cleaner, walking);
    }
    if walking && !args.paths.iter().any(|p| p.is_dir()) {
        bail!(
            "--glob, --exclude, --hidden and --follow choose files in folders, and no folder was given"
        );
    }
    let jobs = match args.jobs {
        Some(0) => bail!("--jobs must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let stdin_only = args.paths.is_empty() || args.paths.iter().all(|p| p.as_os_str() == "-");
    if args.in_place && stdin_only {
        bail!("--in-place needs files or folders, not stdin");
    }
    if args.in_place && args.format != Format::Html {
        bail!(
            "--in-place writes HTML only; use --out-dir for --format {}",
            format_name(args.format)
        );
    }
    if (args.check || args.diff) && args.format != Format::Html {
        bail!(
            "--check and --diff compare each file with its cleaned HTML; --format {} does not apply",
            format_name(args.format)
        );
    }
    if args.no_sanitize && args.format != Format::Html {
        bail!("--no-sanitize writes HTML only");
    }
    let writes_elsewhere =
        args.check || args.diff || args.in_place || args.out_dir.is_some() || args.output.is_some();
    if args.out_warc.is_some() && (writes_elsewhere || args.no_sanitize) {
        bail!(
            "--out-warc writes the cleaned pages of web archives to one WARC: -o, --out-dir, -i, \
             --check, --diff and --no-sanitize do not apply"
        );
    }
    let destination = if args.check || args.diff {
        Destination::Check { diff: args.diff }
    } else if args.in_place {
        Destination::InPlace
    } else if let Some(dir) = &args.out_dir {
        Destination::OutDir(dir.clone())
    } else if let Some(file) = &args.output {
        Destination::OutputFile(file.clone())
    } else {
        Destination::Stdout
    };
    let walk = WalkOptions {
        globs: args.glob.clone(),
        excludes: args.exclude.clone(),
        hidden: args.hidden,
        follow: args.follow,
        skip: args.out_dir.clone(),
        quiet: args.quiet,
    };
    Ok(Run::Batch(BatchRun {
        cleaner,
        walk,
        destination,
        settings: batch::Settings {
            mode: batch::Mode::Stdout, // set once the inputs are known
            format: args.format,
            no_sanitize: args.no_sanitize,
            jobs,
            fail_fast: args.fail_fast,
            max_size: max_size(&args)?,
            quiet: args.quiet,
            stats: args.stats,
            color: args.color,
        },
        out_warc: args.out_warc.clone(),
        paths: args.paths,
    }))
}

fn jsonl_run(args: Args, cleaner: Cleaner, walking: bool) -> Result<Run> {
    if walking {
        bail!(
            "--jsonl reads the files it is given, it does not walk folders: \
             --glob, --exclude, --hidden and --follow do not apply"
        );
    }
    // One line at a time unless asked: under Spark's RDD.pipe each executor core runs its own
    // mapper already.
    let jobs = match args.jobs {
        Some(0) => bail!("--jobs must be at least 1"),
        Some(n) => n,
        None => 1,
    };
    if let Some(dir) = args.paths.iter().find(|p| p.is_dir()) {
        bail!(
            "{}: --jsonl reads JSON Lines files, not folders",
            dir.display()
        );
    }
    if args.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("stdin (-) can be read only once");
    }
    if args.format == Format::Json {
        bail!(
            "--jsonl writes JSON already (the derived fields go under `{}`); --format json does not apply",
            args.jsonl_key
        );
    }
    if args.no_sanitize && args.format != Format::Html {
        bail!("--no-sanitize writes HTML only");
    }
    if args.out_warc.is_some() {
        bail!("--out-warc takes web archives, not --jsonl records");
    }
    let names = [&args.jsonl_html, &args.jsonl_key, &args.jsonl_url];
    if names.iter().any(|n| n.is_empty()) {
        bail!("--jsonl-html, --jsonl-key and --jsonl-url need a field name");
    }
    if args.jsonl_key == args.jsonl_html || args.jsonl_key == args.jsonl_url {
        bail!(
            "--jsonl-key `{}` is also the HTML or URL field: the derived fields would overwrite it",
            args.jsonl_key
        );
    }
    let max_line = max_line(&args)?;
    let max_in_flight = max_size(&args)?.saturating_add(1 << 20);
    Ok(Run::Jsonl {
        cleaner,
        settings: jsonl::Settings {
            sources: args.paths,
            html_field: args.jsonl_html,
            url_field: args.jsonl_url,
            key: args.jsonl_key,
            format: args.format,
            no_sanitize: args.no_sanitize,
            fail_fast: args.fail_fast,
            stats: args.stats,
            jobs,
            max_line,
            max_in_flight,
        },
    })
}

/// The longest `--jsonl` line: JSON may spell a character of the HTML in up to three times its
/// UTF-8 bytes (`\u0430` for `а`), and the record's other fields get 1 MiB.
fn max_line(args: &Args) -> Result<usize> {
    Ok(max_size(args)?.saturating_mul(3).saturating_add(1 << 20))
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Html => "html",
        Format::Text => "text",
        Format::Markdown => "markdown",
        Format::Json => "json",
    }
}

fn max_size(args: &Args) -> Result<usize> {
    match &args.max_size {
        None => Ok(rfi_clean::DEFAULT_MAX_INPUT_SIZE),
        Some(text) => parse_size(text),
    }
}

/// A size in bytes: digits with an optional `K`, `M` or `G` (powers of 1024, any case, an
/// optional `B` or `iB` after it): `1G`, `64M`, `512KiB`, `100000`.
pub(crate) fn parse_size(text: &str) -> Result<usize> {
    let invalid = || {
        format!("--max-size `{text}`: expected bytes, or a number with K, M or G (e.g. 64M, 1G)")
    };
    let lower = text.trim().to_ascii_lowercase();
    let unit_start = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(unit_start);
    let shift = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" if unit.is_empty() || unit == "b" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        _ => bail!(invalid()),
    };
    let number: usize = digits.parse().with_context(invalid)?;
    let bytes = number
        .checked_mul(1 << shift)
        .with_context(|| format!("--max-size `{text}` is too large"))?;
    if bytes == 0 {
        bail!("--max-size must be more than 0");
    }
    Ok(bytes)
}

fn build_cleaner(args: &Args) -> Result<Cleaner> {
    let mut builder = Cleaner::builder()
        .max_input_size(max_size(args)?)
        .embeds(match args.embeds {
            Embeds::Links => rfi_clean::EmbedMode::Links,
            Embeds::Drop => rfi_clean::EmbedMode::Drop,
        })
        .absolute_links(args.absolute_links);
    if let Some(nodes) = args.max_tree_nodes {
        builder = builder.max_tree_nodes(nodes);
    }
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    if let Some(label) = &args.encoding {
        builder = builder.encoding(label);
    }
    if let Some(path) = &args.config {
        builder = builder.apply_rules(read_rules(path)?);
    }
    builder.build().context("invalid settings")
}

fn read_rules(path: &Path) -> Result<Rules> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read rules file", path.display()))?;
    Rules::from_toml(&text).with_context(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_suffixes() {
        for (text, bytes) in [
            ("100", 100),
            ("1K", 1024),
            ("1k", 1024),
            ("2KiB", 2048),
            ("64M", 64 << 20),
            ("64MB", 64 << 20),
            ("1G", 1 << 30),
            ("1gib", 1 << 30),
            ("10b", 10),
        ] {
            assert_eq!(parse_size(text).expect(text), bytes, "{text}");
        }
        for bad in ["", "G", "1T", "1.5G", "-1", "0", "1 G x", "1bk"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
