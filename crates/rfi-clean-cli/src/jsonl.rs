//! `--jsonl`: a streaming mapper. Each input line is a JSON object with an `html` string (and
//! any other fields, passed through); each output line is that object with `html` cleaned and
//! the document's fields added, in input order, flushed per line. A bad line gives
//! `{"id": …, "line": N, "error": "…"}` and the stream goes on.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use rfi_clean::{CleanOptions, Cleaner};
use serde_json::{Map, Value};

use crate::{Status, render};

pub(crate) fn run(
    cleaner: &Cleaner,
    no_sanitize: bool,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<Status> {
    let mut status = Status::Clean;
    for (n, line) in input.lines().enumerate() {
        let line = line.context("stdin: read failed")?;
        let object = match map_line(cleaner, no_sanitize, &line) {
            Ok(object) => object,
            Err((id, message)) => {
                status = Status::Errors;
                let mut error = Map::new();
                error.insert("id".into(), id);
                error.insert("line".into(), Value::from(n + 1));
                error.insert("error".into(), Value::from(message));
                error
            }
        };
        serde_json::to_writer(&mut output, &Value::Object(object))
            .context("stdout: write failed")?;
        output.write_all(b"\n").context("stdout: write failed")?;
        output.flush().context("stdout: write failed")?;
    }
    Ok(status)
}

/// Cleans one line; on failure, the line's `id` (or null) and the cause.
fn map_line(
    cleaner: &Cleaner,
    no_sanitize: bool,
    line: &str,
) -> Result<Map<String, Value>, (Value, String)> {
    let mut object = match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err((Value::Null, "not a JSON object".into())),
        Err(err) => return Err((Value::Null, format!("not JSON: {err}"))),
    };
    let id = object.get("id").cloned().unwrap_or(Value::Null);
    let Some(Value::String(html)) = object.get("html") else {
        return Err((id, "no \"html\" string".into()));
    };
    if no_sanitize {
        let (rewritten, report) = cleaner
            .rewrite_str(html)
            .map_err(|e| (id.clone(), e.to_string()))?;
        object.insert("html".into(), Value::from(rewritten));
        object.insert(
            "report".into(),
            serde_json::to_value(report).unwrap_or(Value::Null),
        );
    } else {
        // The record's URL is its base URL; one that is not an absolute http(s) URL is ignored.
        let options = match object.get("url") {
            Some(Value::String(url)) => CleanOptions::default().with_base_url(url),
            _ => CleanOptions::default(),
        };
        let cleaned = match cleaner.clean_with(html, &options) {
            Err(rfi_clean::Error::InvalidSettings(_)) => cleaner.clean(html),
            other => other,
        }
        .map_err(|e| (id.clone(), e.to_string()))?;
        for (key, value) in render::json_fields(&cleaned) {
            if key == "html" {
                object.insert(key, Value::from(cleaned.document()));
            } else {
                object.insert(key, value);
            }
        }
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(input: &str) -> (Vec<Value>, Status) {
        let mut out = Vec::new();
        let status = run(&Cleaner::default(), false, input.as_bytes(), &mut out).expect("runs");
        let lines = String::from_utf8(out).expect("UTF-8");
        (
            lines
                .lines()
                .map(|l| serde_json::from_str(l).expect("JSON line"))
                .collect(),
            status,
        )
    }

    #[test]
    fn a_records_url_is_its_base_url() {
        let (lines, status) = map(concat!(
            "{\"id\": 1, \"url\": \"https://www.theguardian.com/uk\", \"html\": \"<a href='/w?CMP=x&amp;p=2'>a</a>\"}\n",
            "{\"id\": 2, \"url\": \"not a url\", \"html\": \"<a href='/w?CMP=x&amp;p=2'>a</a>\"}\n",
        ));
        assert_eq!(status, Status::Clean);
        assert!(
            lines[0]["html"]
                .as_str()
                .is_some_and(|h| h.contains("href=\"/w?p=2\"")),
            "{}",
            lines[0]
        );
        assert!(
            lines[1]["html"]
                .as_str()
                .is_some_and(|h| h.contains("CMP=x")),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn good_and_bad_lines_keep_their_order() {
        let (lines, status) = map(concat!(
            "{\"id\": 1, \"html\": \"<p> a <script>x</script></p>\", \"lang\": \"fr\"}\n",
            "not json\n",
            "{\"id\": \"b\"}\n",
            "[1]\n",
            "{\"id\": 5, \"html\": \"<p>b</p>\"}\n",
        ));
        assert_eq!(status, Status::Errors);
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[0]["html"], "<p>a</p>");
        assert_eq!(lines[0]["lang"], "fr");
        assert_eq!(lines[0]["text"], "a");
        assert_eq!(lines[1]["id"], Value::Null);
        assert_eq!(lines[1]["line"], 2);
        assert!(
            lines[1]["error"]
                .as_str()
                .expect("error")
                .starts_with("not JSON")
        );
        assert_eq!(lines[2]["id"], "b");
        assert_eq!(lines[2]["error"], "no \"html\" string");
        assert_eq!(lines[3]["error"], "not a JSON object");
        assert_eq!(lines[4]["html"], "<p>b</p>");
    }
}
