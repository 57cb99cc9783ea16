//! The terminal: colours (`--color`, `NO_COLOR`), error lines, the progress bar.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colours when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub(crate) fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

pub(crate) const RED: &str = "\x1b[31m";
pub(crate) const GREEN: &str = "\x1b[32m";
pub(crate) const CYAN: &str = "\x1b[36m";
pub(crate) const BOLD: &str = "\x1b[1m";
pub(crate) const RESET: &str = "\x1b[0m";

/// Prints `rfi-clean: <message>` on stderr, the prefix in red where colours are on.
pub(crate) fn report_error(color: ColorChoice, message: &str) {
    let mut stderr = io::stderr().lock();
    let result = if color.enabled(io::stderr().is_terminal()) {
        writeln!(stderr, "{BOLD}{RED}rfi-clean:{RESET} {message}")
    } else {
        writeln!(stderr, "rfi-clean: {message}")
    };
    // Nothing sensible is left to do if stderr itself is gone.
    drop(result);
}

pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// A progress bar on stderr for `total` files: shown only on a terminal, for batches, unless quiet.
pub(crate) fn progress(total: usize, quiet: bool) -> ProgressBar {
    if quiet || total < 2 || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{bar:30} {pos}/{len} files  {per_sec}  ETA {eta}  {wide_msg}",
    )
    .expect("the progress template is valid");
    bar.set_style(style);
    bar
}
