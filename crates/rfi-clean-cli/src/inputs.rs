//! Which documents to clean: stdin, files, and files found by walking folders.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};

/// Files taken from folders when no `--glob` is given.
const DEFAULT_GLOBS: &[&str] = &["*.txt", "*.html", "*.htm"];

pub(crate) struct WalkOptions {
    pub(crate) globs: Vec<String>,
    pub(crate) excludes: Vec<String>,
    pub(crate) hidden: bool,
    pub(crate) follow: bool,
    /// A folder never walked (the `--out-dir`, when it lies inside an input folder: its files
    /// are outputs, and cleaning them again would make a second run collide with the first).
    pub(crate) skip: Option<PathBuf>,
    /// No note when the skipped folder is met.
    pub(crate) quiet: bool,
}

/// One document to clean.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Where it goes under `--out-dir`: its path below the folder it was found in, or its
        /// file name if it was named directly.
        rel: PathBuf,
    },
}

impl Input {
    /// How messages and `source` fields name the input.
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }
}

pub(crate) struct Found {
    pub(crate) inputs: Vec<Input>,
    /// Some input came from walking a folder (so the output is a batch even if it found one file).
    pub(crate) from_folders: bool,
    /// Entries that could not be walked (reported already).
    pub(crate) walk_errors: usize,
}

fn glob_set(patterns: &[String], defaults: &[&str]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    let patterns: Vec<&str> = if patterns.is_empty() {
        defaults.to_vec()
    } else {
        patterns.iter().map(String::as_str).collect()
    };
    for pattern in patterns {
        builder.add(Glob::new(pattern).with_context(|| format!("invalid glob `{pattern}`"))?);
    }
    Ok(builder.build()?)
}

/// Matches a glob set against a path below a walked folder, or against its last component.
fn matches(set: &GlobSet, rel: &Path) -> bool {
    set.is_match(rel) || rel.file_name().is_some_and(|name| set.is_match(name))
}

/// Lists the inputs, in the order given, folders sorted by name.
pub(crate) fn collect(paths: &[PathBuf], options: &WalkOptions) -> Result<Found> {
    let globs = glob_set(&options.globs, DEFAULT_GLOBS)?;
    let excludes = glob_set(&options.excludes, &[])?;
    let mut found = Found {
        inputs: Vec::new(),
        from_folders: false,
        walk_errors: 0,
    };
    if paths.is_empty() {
        found.inputs.push(Input::Stdin);
        return Ok(found);
    }
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if stdin_seen {
                bail!("stdin (-) can be read only once");
            }
            stdin_seen = true;
            found.inputs.push(Input::Stdin);
        } else if path.is_dir() {
            found.from_folders = true;
            walk(path, options, &globs, &excludes, &mut found);
        } else {
            let rel = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
            found.inputs.push(Input::File {
                path: path.clone(),
                rel,
            });
        }
    }
    Ok(found)
}

fn walk(
    root: &Path,
    options: &WalkOptions,
    globs: &GlobSet,
    excludes: &GlobSet,
    found: &mut Found,
) {
    let skip = options
        .skip
        .as_deref()
        .and_then(|dir| Some((dir, dir.canonicalize().ok()?)));
    let walker = walkdir::WalkDir::new(root)
        .follow_links(options.follow)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            // The root itself as --out-dir is refused later: its files are inputs.
            if let Some((dir, canonical)) = &skip
                && entry.depth() > 0
                && entry.file_type().is_dir()
                && entry.path().canonicalize().is_ok_and(|p| p == *canonical)
            {
                if !options.quiet {
                    eprintln!(
                        "rfi-clean: {}: skipped, it is the --out-dir {}",
                        entry.path().display(),
                        dir.display()
                    );
                }
                return false;
            }
            if entry.depth() == 0 {
                return true;
            }
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            (options.hidden || !hidden) && !matches(excludes, rel)
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap_or(entry.path())
                    .to_path_buf();
                if matches(globs, &rel) {
                    found.inputs.push(Input::File {
                        path: entry.path().to_path_buf(),
                        rel,
                    });
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                let cause = if err.loop_ancestor().is_some() {
                    "symbolic link loop, skipped".to_owned()
                } else {
                    err.io_error()
                        .map_or_else(|| err.to_string(), ToString::to_string)
                };
                eprintln!("rfi-clean: {path}: {cause}");
                found.walk_errors += 1;
            }
        }
    }
}
