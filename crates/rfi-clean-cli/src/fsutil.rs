//! Writing users' files safely.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then renamed
/// over `path` (keeping its permissions), so `path` holds either its old content or the new,
/// never a part: a crash, a full disk or Ctrl-C cannot truncate it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
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
    // The data is on disk before the rename, so after a crash the path holds the old content or
    // the new one. (Syncing the folder too would make the rename itself durable, at the cost of a
    // second flush per file; atomicity does not need it.)
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
