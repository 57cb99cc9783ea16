//! Helpers shared by the integration tests: the corpora, and the check that cleaned output
//! holds nothing a browser would execute.

#![allow(dead_code)] // each test file uses a part

use std::path::Path;

use scraper::{ElementRef, Html};

/// The payloads of one corpus file in `tests/security/`.
pub fn payloads(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/security")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("corpus is JSON");
    entries
        .iter()
        .map(|e| {
            e["payload"]
                .as_str()
                .expect("payload is a string")
                .to_owned()
        })
        .collect()
}

/// The four corpora and their sizes: 2,183 payloads in all.
pub const CORPORA: [(&str, usize); 4] = [
    ("dompurify-vectors.json", 223),
    ("h5sc-vectors.json", 149),
    ("h5sc-attachments.json", 15),
    ("html5lib-inputs.json", 1796),
];

/// Elements that can run script, load active content, navigate, or change how the rest of a page
/// is parsed.
const FORBIDDEN_ELEMENTS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "style",
    "template",
    "noscript",
    "svg",
    "math",
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "use",
    "annotation-xml",
    "input",
    "button",
    "textarea",
    "select",
    "portal",
    "xmp",
    "plaintext",
];

/// Attributes whose value is a URL (srcset holds several).
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "ping",
    "cite",
    "srcset",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "manifest",
    "codebase",
    "archive",
];

const DANGEROUS_SCHEMES: &[&str] = &["javascript", "vbscript", "data", "file"];

/// The scheme of a URL as a browser reads it: whitespace and controls removed, lowercased.
fn scheme_of(value: &str) -> Option<String> {
    let cleaned: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_owned())
}

/// The URLs of a srcset value (the HTML standard's candidate split).
fn srcset_urls(value: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(',');
        let ended_with_comma = url.len() < end;
        urls.push(url);
        rest = &rest[end..];
        if !ended_with_comma {
            rest = rest.find(',').map_or("", |i| &rest[i + 1..]);
        }
    }
}

/// Everything executable in `html`, re-parsed as a browser would; empty if nothing.
pub fn executable_parts(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let page = html
        .trim_start()
        .get(..9)
        .is_some_and(|s| s.eq_ignore_ascii_case("<!doctype"));
    let dom = if page {
        Html::parse_document(html)
    } else {
        Html::parse_fragment(html)
    };
    for node in dom.tree.nodes() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let name = el.value().name().to_ascii_lowercase();
        let attrs: Vec<(String, &str)> = el
            .value()
            .attrs()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .collect();
        let is_head_meta = name == "meta" && attrs.iter().all(|(n, _)| n == "charset");
        let is_canonical = name == "link"
            && attrs
                .iter()
                .any(|(n, v)| n == "rel" && v.eq_ignore_ascii_case("canonical"))
            && attrs.iter().all(|(n, _)| n == "rel" || n == "href");
        if FORBIDDEN_ELEMENTS.contains(&name.as_str())
            || (name == "meta" && !is_head_meta)
            || (name == "link" && !is_canonical)
        {
            problems.push(format!("element <{name}>"));
        }
        for (attr, value) in &attrs {
            if attr.starts_with("on") || attr == "srcdoc" {
                problems.push(format!("attribute {attr} on <{name}>"));
            }
            if attr == "style" {
                let v = value.to_ascii_lowercase();
                for bad in [
                    "expression(",
                    "javascript:",
                    "behavior:",
                    "-moz-binding",
                    "@import",
                    "url(",
                ] {
                    if v.contains(bad) {
                        problems.push(format!("style with {bad} on <{name}>"));
                    }
                }
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let urls = if attr == "srcset" {
                    srcset_urls(value)
                } else {
                    vec![*value]
                };
                for url in urls {
                    if let Some(scheme) = scheme_of(url) {
                        if DANGEROUS_SCHEMES.contains(&scheme.as_str()) {
                            problems.push(format!("{scheme}: URL in {attr} on <{name}>"));
                        }
                    }
                }
            }
        }
        if name == "a" && attrs.iter().any(|(n, _)| n == "href") {
            let rel = attrs
                .iter()
                .find(|(n, _)| n == "rel")
                .map_or("", |(_, v)| *v);
            if !rel.split_ascii_whitespace().any(|r| r == "noopener") {
                problems.push("link without rel=noopener".to_owned());
            }
        }
    }
    // DOMPurify's fuzz invariants, on the markup only (not on text, where they are just words).
    for tag in tags(html) {
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("<script") || lower.starts_with("</script") {
            problems.push(format!("script tag {tag}"));
        }
        if on_attribute(&lower) {
            problems.push(format!("event handler in {tag}"));
        }
        for scheme in ["javascript:", "vbscript:", "data:text/html"] {
            if assigns(&lower, scheme) {
                problems.push(format!("{scheme} in {tag}"));
            }
        }
    }
    problems
}

/// The tags of serialised HTML (text between them is skipped).
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') {
            rest = after;
            continue;
        }
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        found.push(&rest[lt..lt + 1 + end]);
        rest = &after[end..];
    }
    found
}

/// `=\s*["']?\s*SCHEME` where the `=` is an attribute's own (outside quoted values: a value may
/// hold any text, such as a URL whose query spells `href='javascript:...'`; found by fuzzing).
fn assigns(tag: &str, scheme: &str) -> bool {
    let mut quote = None;
    for (i, b) in tag.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'=' => {
                let value = tag[i + 1..].trim_start();
                let value = value
                    .strip_prefix(['"', '\''])
                    .unwrap_or(value)
                    .trim_start();
                if value.starts_with(scheme) {
                    return true;
                }
            }
            None => {}
        }
    }
    false
}

/// `\son[a-z]+\s*=` outside quoted attribute values.
fn on_attribute(tag: &str) -> bool {
    let mut quote = None;
    let bytes = tag.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b.is_ascii_whitespace() && tag[i + 1..].starts_with("on") => {
                let name: String = tag[i + 3..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase())
                    .collect();
                let after = tag[i + 3 + name.len()..].trim_start();
                if !name.is_empty() && after.starts_with('=') {
                    return true;
                }
            }
            None => {}
        }
    }
    false
}

/// Checks a whole cleaned document: the HTML, and for an envelope the Markdown title URL.
pub fn assert_nothing_executable(document: &str, context: &str) {
    // An envelope: the header is Markdown, checked on its own; the body is HTML.
    let (header, body) = match document.strip_prefix("<!--") {
        Some(_) => match document.split_once("\n------\n") {
            Some((header, body)) => (Some(header), body),
            None => (None, document),
        },
        None => (None, document),
    };
    let mut problems = executable_parts(body);
    if let Some(header) = header {
        if let Some(title_line) = header.lines().nth(1) {
            if title_line.contains('<') {
                problems.push(format!("markup in the envelope title {title_line}"));
            }
            if let Some(url) = title_line
                .rsplit_once("](")
                .map(|(_, u)| u.trim_end_matches(')'))
            {
                if scheme_of(url).is_some_and(|s| DANGEROUS_SCHEMES.contains(&s.as_str())) {
                    problems.push(format!("dangerous envelope URL {url}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{context}: {problems:?}\nin: {document}"
    );
}
