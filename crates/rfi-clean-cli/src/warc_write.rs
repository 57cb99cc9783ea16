//! `--out-warc`: cleaned pages as a WARC/1.1 file of `conversion` records, one gzip member per
//! record (so that an index can point into it), after a `warcinfo` record naming the software.
//! Each refers to its source (`WARC-Refers-To`, `WARC-Target-URI`, and the source's
//! `WARC-Date`, as Common Crawl's text extracts do, so that a wayback finds the page at the
//! capture's time). The file is written through a temporary file renamed at the end.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use tempfile::NamedTempFile;

use crate::fsutil::{self, Durability};

/// The namespace of the record ids we derive (UUID v5 of the source id and the block's digest,
/// so that the same input gives the same file).
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::NAMESPACE_URL;

/// The source record a conversion refers to.
pub(crate) struct Source<'a> {
    pub(crate) id: Option<&'a str>,
    pub(crate) uri: Option<&'a str>,
    pub(crate) date: Option<&'a str>,
}

pub(crate) struct Writer {
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl Writer {
    /// Starts the file (beside `path`, renamed over it by [`Writer::finish`]) with its warcinfo.
    pub(crate) fn create(path: &Path) -> Result<Writer> {
        let context = || format!("{}: cannot write", path.display());
        fsutil::create_folder_for(path).with_context(context)?;
        let tmp = fsutil::temp_file_for(path).with_context(context)?;
        let mut writer = Writer {
            out: BufWriter::with_capacity(256 * 1024, tmp),
            path: path.to_owned(),
        };
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_string();
        let block = format!(
            "software: rfi-clean/{}\r\nformat: WARC File Format 1.1\r\n\
             description: pages cleaned by rfi-clean, as conversion records of their sources\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let id = record_id(&format!("warcinfo {name} {now}"));
        let member = member(
            &[
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", &id),
                ("WARC-Date", &now),
                ("WARC-Filename", &name),
                ("Content-Type", "application/warc-fields"),
            ],
            block.as_bytes(),
        );
        writer.write_member(&member)?;
        Ok(writer)
    }

    pub(crate) fn write_member(&mut self, member: &[u8]) -> Result<()> {
        self.out
            .write_all(member)
            .with_context(|| format!("{}: write failed", self.path.display()))
    }

    /// Flushes the file and renames it into place.
    pub(crate) fn finish(self) -> Result<()> {
        let path = self.path.clone();
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("{}: write failed", path.display()))?;
        fsutil::persist(tmp, &path, Durability::PerFile)
            .with_context(|| format!("{}: write failed", path.display()))
    }
}

/// The gzip member of a `conversion` record holding `html` (UTF-8) for `source`.
pub(crate) fn conversion(source: &Source<'_>, html: &str) -> Vec<u8> {
    let digest = block_digest(html.as_bytes());
    let id = record_id(&format!(
        "conversion {} {digest}",
        source.id.unwrap_or_default()
    ));
    let now;
    let date = match source.date {
        Some(date) => date,
        None => {
            now = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                .to_string();
            &now
        }
    };
    let mut fields = vec![
        ("WARC-Type", "conversion"),
        ("WARC-Record-ID", id.as_str()),
        ("WARC-Date", date),
    ];
    if let Some(uri) = source.uri {
        fields.push(("WARC-Target-URI", uri));
    }
    if let Some(refers) = source.id {
        fields.push(("WARC-Refers-To", refers));
    }
    fields.push(("WARC-Block-Digest", &digest));
    fields.push(("Content-Type", "text/html; charset=utf-8"));
    member(&fields, html.as_bytes())
}

/// One record as a gzip member: version line, fields, Content-Length, block, CRLF CRLF.
fn member(fields: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut record = Vec::with_capacity(block.len() + 512);
    record.extend_from_slice(b"WARC/1.1\r\n");
    for (name, value) in fields {
        // A field value is one line: a source's stray line break must not end the header.
        let value = value.replace(['\r', '\n'], " ");
        record.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    record.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    let mut gzip = GzEncoder::new(Vec::with_capacity(record.len() / 3), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = gzip.write_all(&record);
    gzip.finish().unwrap_or_default()
}

/// `sha1:` and the base32 of the SHA-1 of `block`, the form warcio and Heritrix write and check.
fn block_digest(block: &[u8]) -> String {
    let digest = sha1_smol::Sha1::from(block).digest().bytes();
    format!("sha1:{}", data_encoding::BASE32.encode(&digest))
}

fn record_id(name: &str) -> String {
    format!(
        "<urn:uuid:{}>",
        uuid::Uuid::new_v5(&ID_NAMESPACE, name.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_base32_sha1() {
        // sha1("abc") = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d
        assert_eq!(
            block_digest(b"abc"),
            "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"
        );
    }

    #[test]
    fn a_conversion_record_refers_to_its_source() {
        let member = conversion(
            &Source {
                id: Some("<urn:uuid:1>"),
                uri: Some("https://a.com/x"),
                date: Some("2024-01-13T10:45:01Z"),
            },
            "<p>é</p>",
        );
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&member[..]), &mut text)
            .expect("gzip");
        assert!(
            text.starts_with("WARC/1.1\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:")
        );
        assert!(text.contains("\r\nWARC-Refers-To: <urn:uuid:1>\r\n"));
        assert!(text.contains("\r\nWARC-Date: 2024-01-13T10:45:01Z\r\n"));
        assert!(text.ends_with("\r\nContent-Length: 9\r\n\r\n<p>é</p>\r\n\r\n"));
    }
}
