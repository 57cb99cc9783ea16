//! Cleaned documents in the output formats.

use rfi_clean::Cleaned;
use serde_json::{Map, Value};

use crate::Format;

/// The bytes to write for one cleaned document (`source` names it in JSON).
pub(crate) fn render(cleaned: &Cleaned, format: Format, source: &str) -> String {
    let mut out = match format {
        Format::Json => {
            let mut object = Map::new();
            object.insert("source".into(), Value::from(source));
            object.extend(json_fields(cleaned));
            Value::Object(object).to_string()
        }
        other => body(cleaned, other),
    };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The document in an HTML, text or Markdown format, without a final newline added (JSON is
/// written as HTML: the JSON object is `render`'s).
pub(crate) fn body(cleaned: &Cleaned, format: Format) -> String {
    match format {
        Format::Html | Format::Json => cleaned.document().to_owned(),
        Format::Text => with_title(cleaned.title(), cleaned.text(), false),
        Format::Markdown => with_title(cleaned.title(), cleaned.markdown(), true),
    }
}

fn with_title(title: Option<&str>, body: String, markdown: bool) -> String {
    match title {
        // `<` would let a title carry HTML through a Markdown renderer.
        Some(title) if !title.is_empty() && markdown => {
            format!("# {}\n\n{body}", title.replace('<', "&lt;"))
        }
        Some(title) if !title.is_empty() => format!("{title}\n\n{body}"),
        _ => body,
    }
}

/// The JSON fields of a cleaned document: the library's own serialization of [`Cleaned`] (the
/// schema in the README), so the CLI and the library cannot drift.
pub(crate) fn json_fields(cleaned: &Cleaned) -> Map<String, Value> {
    match serde_json::to_value(cleaned) {
        Ok(Value::Object(fields)) => fields,
        // `Cleaned` serializes as a struct of strings, numbers and lists: always an object.
        _ => Map::new(),
    }
}
