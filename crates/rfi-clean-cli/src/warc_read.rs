//! Reading WARC files (ISO 28500, WARC/1.0 and 1.1) one record at a time: plain, one gzip member
//! per record (as Common Crawl and warcio write them), or gzip as a whole. Only the block of a
//! record the caller wants is held in memory, never a file; other blocks stream past.
//!
//! A damaged record (a header that is not one, a block shorter or longer than its
//! Content-Length, a truncated or corrupt gzip member) is reported with its offset and, when its
//! header was read, its record id; reading goes on at the next gzip member, or at the next line
//! that starts a record.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::{Context, Result};
use flate2::bufread::GzDecoder;

/// The first bytes of a gzip member (RFC 1952: ID1, ID2, CM = deflate).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
/// Bounds on a record's header: its lines and the whole (real headers are a few hundred bytes).
const MAX_HEADER_LINE: usize = 64 * 1024;
const MAX_HEADER: usize = 1024 * 1024;
/// The file's read buffer; tiny in tests, so that records and gzip members fall across its
/// ends (a member starting at the buffer's last byte once lost a record).
const READ_BUFFER: usize = if cfg!(test) { 7 } else { 256 * 1024 };

/// Where a record starts: a byte offset in a plain file, or the offset of its gzip member in a
/// compressed one, plus where it starts inside the member's data (0 with a member per record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offset {
    pub(crate) member: Option<u64>,
    pub(crate) within: u64,
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.member {
            None => write!(f, "offset {}", self.within),
            Some(member) if self.within == 0 => write!(f, "offset {member}"),
            Some(member) => write!(
                f,
                "offset {member} (gzip member), {} bytes into it",
                self.within
            ),
        }
    }
}

/// A record's named fields, in order (names compare without case, as the standard says).
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) fields: Vec<(String, String)>,
}

impl Header {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn id(&self) -> Option<String> {
        self.get("WARC-Record-ID").map(str::to_owned)
    }
}

/// What the caller wants of a record, told its header.
pub(crate) enum Choice {
    /// Its block, if it is at most this many bytes.
    Read(u64),
    /// Nothing: it is counted under this reason.
    Skip(&'static str),
}

/// What the reader found.
pub(crate) enum Item {
    Record {
        at: Offset,
        header: Header,
        block: Vec<u8>,
    },
    Skipped {
        reason: &'static str,
    },
    Damaged {
        at: Offset,
        id: Option<String>,
        cause: String,
    },
}

/// Reads every record of the file at `path`, asking `choose` which blocks to read and handing
/// each finding to `emit` (whose error stops the reading). Errors are the file's own: it cannot
/// be opened or read.
pub(crate) fn read_file(
    path: &Path,
    choose: &mut dyn FnMut(&Header) -> Choice,
    emit: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).context("cannot open")?;
    let mut file = Tracked::new(BufReader::with_capacity(READ_BUFFER, file));
    if file
        .fill_buf()
        .context("read failed")?
        .starts_with(&GZIP_MAGIC[..2])
    {
        read_members(&mut file, choose, emit)
    } else {
        match read_segment(&mut file, None, choose, emit) {
            Ok(_) => Ok(()),
            Err(Broken::Emit(err)) => Err(err),
            Err(Broken::Stream { err, .. }) => Err(err).context("read failed"),
        }
    }
}

/// How reading a segment (a gzip member, or a plain file) ended early.
enum Broken {
    /// The caller's `emit` failed.
    Emit(anyhow::Error),
    /// The stream failed: for a gzip member, it is damaged.
    Stream {
        err: io::Error,
        within: u64,
        id: Option<String>,
    },
}

fn read_members(
    file: &mut Tracked<BufReader<File>>,
    choose: &mut dyn FnMut(&Header) -> Choice,
    emit: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<()> {
    // After a damaged member, the next one is found by its magic bytes, which compressed data
    // may also hold by chance: a candidate that gives no record is passed over in silence.
    let mut resyncing = false;
    loop {
        let start = file.pos;
        let head = file.fill_buf().context("read failed")?;
        if head.is_empty() {
            return Ok(());
        }
        // No look at the magic bytes here: the buffer may end after the first of them. What is
        // not a gzip member fails in the decoder's header, as damage.
        // A damaged member decodes to garbage before its decoder fails: what looks like damaged
        // records since the last good one is held, and dropped if the member turns out broken.
        let mut held: Vec<Item> = Vec::new();
        let mut member = Tracked::new(BufReader::new(GzDecoder::new(&mut *file)));
        let read = read_segment(&mut member, Some(start), choose, &mut |item| match item {
            Item::Damaged { .. } => {
                held.push(item);
                Ok(())
            }
            item => {
                for damaged in held.drain(..) {
                    emit(damaged)?;
                }
                emit(item)
            }
        });
        drop(member);
        let first_id = held.iter().find_map(|item| match item {
            Item::Damaged { id, .. } => id.clone(),
            _ => None,
        });
        match read {
            Ok(_) => {
                resyncing = false;
                for damaged in held {
                    emit(damaged)?;
                }
            }
            Err(Broken::Emit(err)) => return Err(err),
            Err(Broken::Stream { err, within, id }) => {
                let id = id.or(first_id);
                if !resyncing || within > 0 {
                    emit(Item::Damaged {
                        at: Offset {
                            member: Some(start),
                            within,
                        },
                        id,
                        cause: format!("damaged gzip member: {err}"),
                    })?;
                }
                if !seek_to_magic(file, start + 1)? {
                    return Ok(());
                }
                resyncing = true;
            }
        }
    }
}

/// Moves `file` to the first gzip magic at or after `from`; false if there is none.
fn seek_to_magic(file: &mut Tracked<BufReader<File>>, from: u64) -> Result<bool> {
    let mut pos = from;
    let mut buf = vec![0; 256 * 1024];
    let found = loop {
        file.inner
            .seek(SeekFrom::Start(pos))
            .context("seek failed")?;
        let mut filled = 0;
        while filled < buf.len() {
            match file.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e).context("read failed"),
            }
        }
        if let Some(i) = memchr::memmem::find(&buf[..filled], &GZIP_MAGIC) {
            break Some(pos + i as u64);
        }
        if filled < buf.len() {
            break None;
        }
        // Overlap by the magic's length less one, for a magic across two reads.
        pos += (filled - (GZIP_MAGIC.len() - 1)) as u64;
    };
    let Some(at) = found else {
        return Ok(false);
    };
    file.inner
        .seek(SeekFrom::Start(at))
        .context("seek failed")?;
    file.pos = at;
    Ok(true)
}

/// Reads the records of one segment; returns how many it found.
fn read_segment<R: BufRead>(
    seg: &mut Tracked<R>,
    member: Option<u64>,
    choose: &mut dyn FnMut(&Header) -> Choice,
    emit: &mut dyn FnMut(Item) -> Result<()>,
) -> Result<usize, Broken> {
    let mut found = 0;
    // The version line of the next record when a resync has already read it.
    let mut first: Option<Vec<u8>> = None;
    loop {
        let within = seg.pos;
        let at = |within| Offset { member, within };
        let stream = |err, id| Broken::Stream { err, within, id };
        let header = match read_header(seg, first.take()) {
            Ok(None) => return Ok(found),
            Ok(Some(Ok(header))) => header,
            Ok(Some(Err(cause))) => {
                found += 1;
                emit(Item::Damaged {
                    at: at(within),
                    id: None,
                    cause,
                })
                .map_err(Broken::Emit)?;
                first = resync(seg).map_err(|e| stream(e, None))?;
                continue;
            }
            Err(e) => return Err(stream(e, None)),
        };
        found += 1;
        let id = header.id();
        let length = match header
            .get("Content-Length")
            .map(|v| v.trim().parse::<u64>())
        {
            Some(Ok(length)) => length,
            _ => {
                emit(Item::Damaged {
                    at: at(within),
                    id,
                    cause: "bad header: no Content-Length".into(),
                })
                .map_err(Broken::Emit)?;
                first = resync(seg).map_err(|e| stream(e, None))?;
                continue;
            }
        };
        let choice = choose(&header);
        let (block, skipped) = match choice {
            Choice::Read(max) if length <= max => {
                let mut block = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
                (&mut *seg)
                    .take(length)
                    .read_to_end(&mut block)
                    .map_err(|e| stream(e, id.clone()))?;
                let read = block.len() as u64;
                (Some(block), read)
            }
            Choice::Read(_) | Choice::Skip(_) => {
                let read = io::copy(&mut (&mut *seg).take(length), &mut io::sink())
                    .map_err(|e| stream(e, id.clone()))?;
                (None, read)
            }
        };
        let read = block.as_ref().map_or(skipped, |b| b.len() as u64);
        if read < length {
            emit(Item::Damaged {
                at: at(within),
                id,
                cause: format!(
                    "wrong length: the data ends {} bytes into a block of {length} (Content-Length)",
                    read
                ),
            })
            .map_err(Broken::Emit)?;
            continue;
        }
        let mut trailer = Vec::with_capacity(4);
        (&mut *seg)
            .take(4)
            .read_to_end(&mut trailer)
            .map_err(|e| stream(e, id.clone()))?;
        if trailer != b"\r\n\r\n" {
            emit(Item::Damaged {
                at: at(within),
                id,
                cause: "wrong length: the block is not followed by CRLF CRLF where its \
                        Content-Length ends"
                    .into(),
            })
            .map_err(Broken::Emit)?;
            first = resync(seg).map_err(|e| stream(e, None))?;
            continue;
        }
        let item = match (choice, block) {
            (Choice::Read(_), Some(block)) => Item::Record {
                at: at(within),
                header,
                block,
            },
            (Choice::Read(_), None) => Item::Skipped {
                reason: "larger than --max-size",
            },
            (Choice::Skip(reason), _) => Item::Skipped { reason },
        };
        emit(item).map_err(Broken::Emit)?;
    }
}

/// Reads a record's header: `None` at the end of the segment, a cause if it is not a header.
fn read_header<R: BufRead>(
    seg: &mut Tracked<R>,
    first: Option<Vec<u8>>,
) -> io::Result<Option<Result<Header, String>>> {
    // Blank lines between records are tolerated (some writers add them).
    let version = match first {
        Some(line) => line,
        None => loop {
            match read_line(seg, MAX_HEADER_LINE)? {
                None => return Ok(None),
                Some(line) if trim_eol(&line).is_empty() => {}
                Some(line) => break line,
            }
        },
    };
    if !version.starts_with(b"WARC/") {
        return Ok(Some(Err("bad header: no WARC/ version line".into())));
    }
    let mut header = Header::default();
    let mut size = version.len();
    loop {
        let Some(line) = read_line(seg, MAX_HEADER_LINE)? else {
            return Ok(Some(
                Err("bad header: it ends before its blank line".into()),
            ));
        };
        size += line.len();
        if size > MAX_HEADER || !line.ends_with(b"\n") {
            return Ok(Some(Err("bad header: too long".into())));
        }
        let line = trim_eol(&line);
        if line.is_empty() {
            return Ok(Some(Ok(header)));
        }
        let text = String::from_utf8_lossy(line);
        if line[0] == b' ' || line[0] == b'\t' {
            // A continuation line (the standard allows folding, like HTTP/1.0's).
            match header.fields.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(text.trim());
                }
                None => return Ok(Some(Err("bad header: a continuation line first".into()))),
            }
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Ok(Some(Err(format!(
                "bad header: `{}` is not a named field",
                text.chars().take(40).collect::<String>()
            ))));
        };
        header
            .fields
            .push((name.trim().to_owned(), value.trim().to_owned()));
    }
}

/// Skips to the next line that starts a record, and returns it (`None` at the segment's end).
fn resync<R: BufRead>(seg: &mut Tracked<R>) -> io::Result<Option<Vec<u8>>> {
    while let Some(line) = read_line(seg, 64)? {
        if line.starts_with(b"WARC/1.") && line.ends_with(b"\n") {
            return Ok(Some(line));
        }
    }
    Ok(None)
}

/// Reads one line, keeping at most `keep` bytes of it (the rest is consumed); `None` at the end.
fn read_line<R: BufRead>(seg: &mut Tracked<R>, keep: usize) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut any = false;
    loop {
        let buf = match seg.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        // A line cut by `keep` keeps its end, so that callers still see where it ended.
        if done && take > room {
            line.push(b'\n');
        }
        seg.consume(take);
        if done {
            return Ok(Some(line));
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A reader that counts the bytes taken from it.
struct Tracked<R> {
    inner: R,
    pos: u64,
}

impl<R> Tracked<R> {
    fn new(inner: R) -> Self {
        Tracked { inner, pos: 0 }
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.pos += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(id: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <{id}>\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).expect("gzip");
        enc.finish().expect("gzip")
    }

    /// Reads `bytes` as a file: blocks read, and damage as `offset: cause`.
    fn read(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.warc");
        std::fs::write(&path, bytes).expect("written");
        let (mut blocks, mut damage) = (Vec::new(), Vec::new());
        read_file(&path, &mut |_| Choice::Read(1 << 20), &mut |item| {
            match item {
                Item::Record { block, .. } => blocks.push(String::from_utf8(block)?),
                Item::Damaged { at, id, cause } => {
                    damage.push(format!("{at} {}: {cause}", id.unwrap_or_default()));
                }
                Item::Skipped { .. } => {}
            }
            Ok(())
        })
        .expect("read");
        (blocks, damage)
    }

    #[test]
    fn plain_member_per_record_and_whole_file_gzip_read_alike() {
        let (a, b) = (record("a", b"<p>a</p>"), record("b", b"<p>b</p>"));
        let plain = [a.clone(), b.clone()].concat();
        let members = [gzip(&a), gzip(&b)].concat();
        let whole = gzip(&plain);
        for bytes in [plain, members, whole] {
            assert_eq!(
                read(&bytes),
                (vec!["<p>a</p>".into(), "<p>b</p>".into()], vec![])
            );
        }
    }

    #[test]
    fn a_wrong_length_loses_that_record_only() {
        let (a, c) = (record("a", b"<p>a</p>"), record("c", b"<p>c</p>"));
        let mut b = record("b", b"<p>b</p>");
        let at = b.windows(3).position(|w| w == b"8\r\n").expect("length");
        b[at] = b'5';
        let (blocks, damage) = read(&[a.clone(), b.clone(), c.clone()].concat());
        assert_eq!(blocks, ["<p>a</p>", "<p>c</p>"]);
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert!(damage[0].starts_with(&format!("offset {} <b>: wrong length", a.len())));
        let (blocks, damage) = read(&[gzip(&a), gzip(&b), gzip(&c)].concat());
        assert_eq!(blocks, ["<p>a</p>", "<p>c</p>"]);
        assert_eq!(damage.len(), 1, "{damage:?}");
    }

    #[test]
    fn a_truncated_member_loses_that_record_only() {
        let members: Vec<Vec<u8>> = ["a", "b", "c"]
            .iter()
            .map(|id| gzip(&record(id, format!("<p>{id}</p>").as_bytes())))
            .collect();
        let cut = &members[1][..members[1].len() - 12];
        let (blocks, damage) = read(&[&members[0][..], cut, &members[2][..]].concat());
        assert_eq!(blocks, ["<p>a</p>", "<p>c</p>"]);
        assert_eq!(damage.len(), 1, "{damage:?}");
        assert!(
            damage[0].starts_with(&format!("offset {}", members[0].len())),
            "{damage:?}"
        );
        // Cut at the end of the file.
        let (blocks, damage) = read(&[&members[0][..], cut].concat());
        assert_eq!(blocks, ["<p>a</p>"]);
        assert_eq!(damage.len(), 1, "{damage:?}");
    }

    #[test]
    fn a_bad_header_is_reported_and_skipped() {
        let bad = b"WARC/1.1\r\nno colon here\r\n\r\n".to_vec();
        let (blocks, damage) = read(&[bad, record("c", b"<p>c</p>")].concat());
        assert_eq!(blocks, ["<p>c</p>"]);
        assert_eq!(
            damage,
            ["offset 0 : bad header: `no colon here` is not a named field"]
        );
    }
}
