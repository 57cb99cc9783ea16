//! Cleaned documents in the output formats.

use rfi_clean::{Cleaned, DocumentKind};
use serde_json::{Map, Value};

use crate::Format;

/// The bytes to write for one cleaned document (`source` names it in JSON).
pub(crate) fn render(cleaned: &Cleaned, format: Format, source: &str) -> String {
    let mut out = match format {
        Format::Html => cleaned.document().to_owned(),
        Format::Text => with_title(cleaned.title(), cleaned.text(), false),
        Format::Markdown => with_title(cleaned.title(), cleaned.markdown(), true),
        Format::Json => {
            let mut object = Map::new();
            object.insert("source".into(), Value::from(source));
            object.extend(json_fields(cleaned));
            Value::Object(object).to_string()
        }
    };
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
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

/// The JSON fields of a cleaned document (the schema in the README), in order.
pub(crate) fn json_fields(cleaned: &Cleaned) -> Map<String, Value> {
    let article = cleaned.article();
    let kind = match cleaned.kind() {
        DocumentKind::Envelope => "envelope",
        DocumentKind::Page => "page",
        _ => "fragment",
    };
    let mut fields = Map::new();
    fields.insert("kind".into(), Value::from(kind));
    if let Ok(Value::Object(article)) = serde_json::to_value(&article) {
        fields.extend(article);
    }
    fields.insert("html".into(), Value::from(cleaned.html()));
    fields.insert("text".into(), Value::from(cleaned.text()));
    fields.insert(
        "report".into(),
        serde_json::to_value(cleaned.report()).unwrap_or(Value::Null),
    );
    fields
}
