//! The HTTP response inside a WARC `response` record: status, content type and charset, and the
//! body as the server meant it (chunked transfer coding and gzip or deflate content coding
//! undone, as a browser would before parsing).

use std::io::Read;

use encoding_rs::Encoding;
use flate2::read::{MultiGzDecoder, ZlibDecoder};

/// Header fields a response may carry; more is not a real server's response.
const MAX_HEADERS: usize = 256;

/// What a response is to the cleaner.
pub(crate) enum Response {
    /// An HTML document: its body, and the encoding its Content-Type names, if any.
    Html {
        body: Vec<u8>,
        charset: Option<&'static Encoding>,
    },
    /// Not one to clean (a redirect, an image…): counted under this reason.
    Skip(&'static str),
}

/// Reads an HTTP response from a record's block; the error says how it is broken.
pub(crate) fn parse(block: &[u8], max_body: usize) -> Result<Response, String> {
    let mut headers = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    // Archived servers are not all polite: accept what browsers accept.
    let mut config = httparse::ParserConfig::default();
    config
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .ignore_invalid_headers_in_responses(true);
    let head = match config.parse_response(&mut response, block) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("bad HTTP response: its head is cut".into()),
        Err(err) => return Err(format!("bad HTTP response: {err}")),
    };
    if response.code != Some(200) {
        return Ok(Response::Skip("HTTP status not 200"));
    }
    let field = |name: &str| {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
            .next_back()
    };
    let Some((html, charset)) = field("content-type").map(|v| media_type(&v)) else {
        return Ok(Response::Skip("not HTML"));
    };
    if !html {
        return Ok(Response::Skip("not HTML"));
    }
    let mut body = block[head..].to_vec();
    if field("transfer-encoding").is_some_and(|v| v.split(',').any(|c| c.trim() == "chunked")) {
        body = dechunk(&body)?;
    }
    match field("content-encoding").as_deref() {
        None | Some("" | "identity") => {}
        Some("gzip" | "x-gzip") => body = inflate(MultiGzDecoder::new(&body[..]), max_body)?,
        // "deflate" is zlib by the standard, raw deflate from some servers.
        Some("deflate") => {
            body = inflate(ZlibDecoder::new(&body[..]), max_body)
                .or_else(|_| inflate(flate2::read::DeflateDecoder::new(&body[..]), max_body))?;
        }
        Some(other) => return Err(format!("unsupported Content-Encoding `{other}`")),
    }
    Ok(Response::Html { body, charset })
}

/// Whether a Content-Type is HTML, and the encoding its charset parameter names.
pub(crate) fn media_type(value: &str) -> (bool, Option<&'static Encoding>) {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let html = matches!(essence.as_str(), "text/html" | "application/xhtml+xml");
    let charset = parts
        .filter_map(|p| p.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .and_then(|(_, value)| {
            Encoding::for_label(
                value
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .as_bytes(),
            )
        })
        .filter(|&e| e != encoding_rs::REPLACEMENT);
    (html, charset)
}

/// Undoes chunked transfer coding (RFC 9112 §7.1): sizes in hex, extensions and trailers ignored.
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let Some(eol) = memchr::memchr(b'\n', data) else {
            return Err("bad chunked body: a chunk size line is cut".into());
        };
        let line = String::from_utf8_lossy(&data[..eol]);
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| format!("bad chunked body: `{size}` is not a chunk size"))?;
        data = &data[eol + 1..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err("bad chunked body: a chunk is cut".into());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size..];
        data = data
            .strip_prefix(b"\r\n")
            .or_else(|| data.strip_prefix(b"\n"))
            .ok_or("bad chunked body: no line end after a chunk")?;
    }
}

/// Decompresses a body, refusing more than `max` bytes (a small body can inflate enormously).
fn inflate(decoder: impl Read, max: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    decoder
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad compressed body: {e}"))?;
    if out.len() > max {
        return Err(format!("the body inflates past --max-size ({max} bytes)"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn html(block: &[u8]) -> (String, Option<&'static str>) {
        match parse(block, 1 << 20).expect("parses") {
            Response::Html { body, charset } => (
                String::from_utf8(body).expect("UTF-8"),
                charset.map(|e| e.name()),
            ),
            Response::Skip(reason) => panic!("skipped: {reason}"),
        }
    }

    #[test]
    fn chunked_and_gzip_bodies_are_undone() {
        let chunked = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n<p>a\r\n5\r\n</p>\n\r\n0\r\nX-Trailer: 1\r\n\r\n";
        assert_eq!(html(chunked), ("<p>a</p>\n".into(), Some("windows-1252")));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<p>z</p>").expect("gzip");
        let mut block =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/xhtml+xml\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend(gz.finish().expect("gzip"));
        assert_eq!(html(&block), ("<p>z</p>".into(), None));
    }

    #[test]
    fn other_responses_are_skipped_or_refused() {
        let skip = |block: &[u8]| match parse(block, 1 << 20) {
            Ok(Response::Skip(reason)) => reason,
            _ => panic!("not skipped"),
        };
        assert_eq!(
            skip(b"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Type: text/html\r\n\r\n"),
            "HTTP status not 200"
        );
        assert_eq!(
            skip(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"),
            "not HTML"
        );
        assert!(parse(b"garbage\r\n\r\n", 100).is_err());
        assert!(
            parse(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                100
            )
            .is_err()
        );
    }
}
