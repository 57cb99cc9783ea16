//! Whole-pipeline tests over `fixtures/`: one reviewed snapshot per fixture in `snapshots/`,
//! and the properties every fixture must have (idempotence, no lost paragraph, chunking
//! independence).

use std::fs;
use std::path::{Path, PathBuf};

use rfi_clean::{Cleaned, Cleaner, Error};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("fixtures/ is readable")
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 13,
        "expected the seed and at least 12 fixtures of our own"
    );
    paths
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The snapshot view: the cleaned document, then what the report counted.
fn render(result: Result<Cleaned, Error>) -> String {
    match result {
        Ok(cleaned) => format!(
            "{}\n--- kind: {:?}\n--- report: {:#?}\n",
            cleaned.document(),
            cleaned.kind(),
            cleaned.report()
        ),
        Err(err) => {
            let mut out = format!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                out.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            out
        }
    }
}

#[test]
fn clean() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../fixtures", "*.txt", |path| {
            insta::assert_snapshot!(render(rfi_clean::clean(&read(path))));
        });
    });
}

#[test]
fn every_snapshot_has_its_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(root.join("snapshots")).expect("snapshots/ is readable") {
        let name = entry
            .expect("snapshot entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            continue; // awaiting review; CI has none
        }
        let Some(fixture) = name
            .strip_suffix(".snap")
            .and_then(|n| n.split_once('@'))
            .map(|(_, f)| f)
        else {
            panic!("unexpected file in snapshots/: {name}");
        };
        assert!(
            root.join("fixtures").join(fixture).is_file(),
            "orphaned snapshot {name}"
        );
    }
}

#[test]
fn cleaning_is_idempotent() {
    for path in fixtures() {
        let once = rfi_clean::clean(&read(&path)).expect("fixture cleans");
        let twice = rfi_clean::clean(once.document()).expect("output cleans");
        assert_eq!(twice.document(), once.document(), "{}", path.display());
        assert_eq!(twice.kind(), once.kind(), "{}", path.display());
    }
}

/// The text of some HTML as a reader sees it: tags gone, script and style content gone,
/// entities decoded, URLs (which cleaning rewrites on purpose) left out, whitespace collapsed.
/// Block tags count as word breaks, so a URL at the end of a paragraph never swallows the
/// first word of the next.
fn reader_text(html: &str) -> String {
    let mut spaced = html.to_owned();
    for tag in [
        "<p",
        "</p",
        "<div",
        "</div",
        "<li",
        "</li",
        "<br",
        "<h",
        "</h",
        "<blockquote",
    ] {
        spaced = spaced.replace(tag, &format!(" {tag}"));
    }
    let text = ammonia::Builder::empty().clean(&spaced).to_string();
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.split_whitespace()
        .filter(|word| !word.contains("://") && !word.contains("rfi.my/"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `<p>` elements of a fixture (fixtures do not nest paragraphs).
fn paragraphs(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<p") {
        let after = &rest[start + 2..];
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(end) = after.find("</p>") else { break };
        found.push(&rest[start..start + 2 + end + 4]);
        rest = &after[end + 4..];
    }
    found
}

#[test]
fn every_paragraph_survives() {
    let mut checked = 0;
    for path in fixtures() {
        let input = read(&path);
        let output = reader_text(rfi_clean::clean(&input).expect("fixture cleans").html());
        for paragraph in paragraphs(&input) {
            let text = reader_text(paragraph);
            if text.is_empty() {
                continue;
            }
            assert!(
                output.contains(&text),
                "{}: paragraph lost or changed:\n{text}\nin:\n{output}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} paragraphs checked");
}

#[test]
fn link_text_that_spells_the_old_url_shows_the_new_one_however_cut() {
    let cleaner = Cleaner::default();
    let old = "https://a.com/p?utm_source=x";
    let cases = [
        // (link text, text after cleaning)
        (old.to_owned(), "https://a.com/p".to_owned()),
        (format!("  {old}\n"), "  https://a.com/p\n".to_owned()),
        (
            "https://a.com/p?utm_source=x&amp;".to_owned(),
            "https://a.com/p?utm_source=x&amp;".to_owned(),
        ),
        (
            "https://a.com/p?utm_source=x&amp;y".to_owned(),
            "https://a.com/p?utm_source=x&amp;y".to_owned(),
        ),
        ("https://a.com/".to_owned(), "https://a.com/".to_owned()),
        ("Read more".to_owned(), "Read more".to_owned()),
        (format!("{old} and more"), format!("{old} and more")),
        (
            "<b>https://a.com/p?utm_source=x</b>".to_owned(),
            "<b>https://a.com/p</b>".to_owned(),
        ),
    ];
    for (text, expected) in cases {
        let input = format!(r#"<p><a href="{old}">{text}</a></p>"#);
        let (whole, _) = cleaner.rewrite_str(&input).expect("rewrites");
        let want = format!(r#"<p><a href="https://a.com/p">{expected}</a></p>"#);
        assert_eq!(whole, want, "{text:?}");
        for size in [1, 3, 7] {
            let mut out = Vec::new();
            let mut stream = cleaner.rewrite_stream(&mut out);
            for chunk in input.as_bytes().chunks(size) {
                stream.write(chunk).expect("chunk rewritten");
            }
            stream.end().expect("stream ends");
            assert_eq!(
                String::from_utf8(out).expect("UTF-8"),
                want,
                "{text:?} in chunks of {size}"
            );
        }
    }
}

#[test]
fn streaming_equals_one_shot() {
    let cleaner = Cleaner::default();
    for path in fixtures() {
        let input = read(&path);
        let one_shot = cleaner.clean(&input).expect("fixture cleans");
        let (rewritten, rewrite_report) = cleaner.rewrite_str(&input).expect("fixture rewrites");
        for size in [1, 7, 64] {
            let mut stream = cleaner.clean_stream();
            for chunk in input.as_bytes().chunks(size) {
                stream.write(chunk).expect("chunk accepted");
            }
            let streamed = stream.finish().expect("stream cleans");
            assert_eq!(streamed, one_shot, "{} in chunks of {size}", path.display());

            let mut out = Vec::new();
            let mut stream = cleaner.rewrite_stream(&mut out);
            for chunk in input.as_bytes().chunks(size) {
                stream.write(chunk).expect("chunk rewritten");
            }
            let report = stream.end().expect("stream ends");
            assert_eq!(
                String::from_utf8(out).expect("UTF-8 output"),
                rewritten,
                "{} rewritten in chunks of {size}",
                path.display()
            );
            assert_eq!(report, rewrite_report, "{}", path.display());
        }
    }
}
