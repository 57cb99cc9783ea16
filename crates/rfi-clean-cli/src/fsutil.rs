//! Writing users' files safely.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// When a written file's data reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Synced before it is renamed into place, so that even after a power cut the path holds
    /// its old content or the new. For files the user had: in place, `-o`.
    PerFile,
    /// Not synced file by file: a sync waits for the disk (about 2 ms here, three times the
    /// cleaning of a page), so the batch syncs the file system once, at its end
    /// ([`sync_filesystem`]). For the new files of `--out-dir`. The rename still makes each
    /// file whole or absent after a crash of the process; only a power cut during the batch
    /// can leave an output empty.
    AtEnd,
}

impl Durability {
    /// For `--out-dir`: at the end where the file system can be synced in one call.
    pub(crate) fn for_out_dir() -> Durability {
        if cfg!(target_os = "linux") {
            Durability::AtEnd
        } else {
            Durability::PerFile
        }
    }
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates the folder `path` goes in, if it is missing.
pub(crate) fn create_folder_for(path: &Path) -> io::Result<()> {
    fs::create_dir_all(folder_of(path))
}

/// A temporary file in `path`'s folder, to be renamed over `path` by [`persist`]. It is created
/// as any new file is (0666 less the umask, on Unix), not private as temporary files are, since
/// a new `path` keeps these permissions.
pub(crate) fn temp_file_for(path: &Path) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".rfi-clean-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(folder_of(path))
}

/// Renames a finished temporary file over `path`, keeping `path`'s permissions, so that `path`
/// holds either its old content or the new, never a part: a crash, a full disk or Ctrl-C cannot
/// truncate it. (Syncing the folder too would make the rename itself durable, at the cost of a
/// second flush per file; atomicity does not need it.)
pub(crate) fn persist(tmp: NamedTempFile, path: &Path, durability: Durability) -> io::Result<()> {
    if let Ok(meta) = fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    if durability == Durability::PerFile {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed over `path`.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> io::Result<()> {
    let mut tmp = temp_file_for(path)?;
    tmp.write_all(bytes)?;
    persist(tmp, path, durability)
}

/// Flushes the file system that holds `dir` to disk (the end of a [`Durability::AtEnd`] batch).
#[cfg(target_os = "linux")]
pub(crate) fn sync_filesystem(dir: &Path) -> io::Result<()> {
    let dir = fs::File::open(dir)?;
    rustix::fs::syncfs(&dir)?;
    Ok(())
}

/// Elsewhere, files were synced one by one ([`Durability::for_out_dir`]).
#[cfg(not(target_os = "linux"))]
pub(crate) fn sync_filesystem(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_either_way() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, durability) in [
            ("a.html", Durability::PerFile),
            ("b.html", Durability::AtEnd),
        ] {
            let path = dir.path().join(name);
            write_atomically(&path, b"old", durability).expect("first write");
            write_atomically(&path, b"new", durability).expect("second write");
            assert_eq!(fs::read(&path).expect("written"), b"new");
        }
        sync_filesystem(dir.path()).expect("file system synced");
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("folder")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
    }
}
