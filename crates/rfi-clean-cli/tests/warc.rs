//! Web archives with an independent implementation on both sides: Python's warcio writes the
//! WARC files (tests/warc/make_warc.py) and checks the one rfi-clean writes (`warcio check`,
//! `warcio index`). warcio is installed from PyPI, at the version in tests/warc/requirements.txt,
//! into a virtualenv under target/ the first time; without python3 the tests are skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_rfi-clean");
const DATE: &str = "2024-01-13T10:45:01Z";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The virtualenv's bin folder, set up once per run; `None` without python3.
fn venv() -> Option<&'static Path> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(|| {
        if Command::new("python3").arg("--version").output().is_err() {
            eprintln!("SKIPPED: python3 is not installed, so warcio cannot write the test WARCs");
            return None;
        }
        let venv = root().join("target/warc-venv");
        let bin = venv.join("bin");
        let requirements = root().join("tests/warc/requirements.txt");
        let ready = |bin: &Path| {
            Command::new(bin.join("python"))
                .args(["-c", "import warcio"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !ready(&bin) {
            check(
                Command::new("python3").arg("-m").arg("venv").arg(&venv),
                "python3 -m venv",
            );
            check(
                Command::new(bin.join("pip"))
                    .args(["install", "-q", "-r"])
                    .arg(&requirements),
                "pip install warcio",
            );
        }
        Some(bin)
    })
    .as_deref()
}

fn check(command: &mut Command, what: &str) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes the test WARCs into a temporary folder; returns it and expected.json.
fn make_warcs(bin: &Path) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    check(
        Command::new(bin.join("python"))
            .arg(root().join("tests/warc/make_warc.py"))
            .arg(dir.path()),
        "make_warc.py",
    );
    let expected = std::fs::read_to_string(dir.path().join("expected.json")).expect("expected");
    (dir, serde_json::from_str(&expected).expect("JSON"))
}

fn rfi_clean(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rfi-clean runs")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Checks the JSON lines against what make_warc.py expects (offsets only where `offsets`).
fn check_lines(got: &[Value], expected: &Value, offsets: bool) {
    let cleaned = expected["cleaned"].as_array().expect("cleaned");
    assert_eq!(got.len(), cleaned.len(), "{got:#?}");
    for (line, want) in got.iter().zip(cleaned) {
        assert_eq!(line["record_id"], want["record_id"]);
        assert_eq!(line["target_uri"], want["uri"]);
        assert_eq!(line["warc_date"], DATE);
        assert_eq!(line["published"], DATE);
        if offsets {
            assert_eq!(line["offset"], want["offset"]);
        }
        let html = line["html"].as_str().expect("html");
        for needle in want["contains"].as_array().expect("contains") {
            let needle = needle.as_str().expect("string");
            assert!(html.contains(needle), "{needle:?} not in {html:?}");
        }
        for needle in want["absent"].as_array().expect("absent") {
            let needle = needle.as_str().expect("string");
            assert!(!html.contains(needle), "{needle:?} in {html:?}");
        }
    }
}

#[test]
fn warcio_archives_become_json_lines_and_damage_is_reported() {
    let Some(bin) = venv() else { return };
    let (dir, expected) = make_warcs(bin);
    let out = rfi_clean(
        &["--format", "json", "--stats", "crawl.warc.gz"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Damaged records make the run fail, after everything else was written.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    check_lines(&lines(&out), &expected, true);
    for damaged in expected["damaged"].as_array().expect("damaged") {
        let at = format!("crawl.warc.gz: offset {}, record ", damaged["offset"]);
        assert!(stderr.contains(&at), "{at:?} not in {stderr}");
    }
    let wrong_length = &expected["damaged"][1]["record_id"];
    assert!(
        stderr.contains(&format!(
            "{}: wrong length",
            wrong_length.as_str().expect("id")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{} records: 5 cleaned, 5 skipped, 2 damaged, 0 errors",
            expected["records"]
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "skipped: 1 HTTP status not 200, 1 not HTML, 1 request record, 1 revisit record, 1 warcinfo record"
        ),
        "{stderr}"
    );

    // The same records, plain and gzipped whole, clean alike and without complaint.
    for file in ["crawl.warc", "whole.warc.gz"] {
        let out = rfi_clean(&["--format", "json", file], dir.path());
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_lines(&lines(&out), &expected, false);
    }
    // With three jobs, the same lines and the same reports, in the same order.
    let one = rfi_clean(&["--format", "json", "-j", "1", "."], dir.path());
    let three = rfi_clean(&["--format", "json", "-j", "3", "."], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&three.stdout),
        String::from_utf8_lossy(&one.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&three.stderr),
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(three.status.code(), one.status.code());
    // A folder of archives is one run over all of them, in name order.
    assert_eq!(lines(&one).len(), 15);
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert_eq!(
        stderr.matches("crawl.warc.gz: offset").count(),
        2,
        "{stderr}"
    );
}

#[test]
fn out_warc_passes_warcio_check_and_indexes() {
    let Some(bin) = venv() else { return };
    let (dir, expected) = make_warcs(bin);
    let out = rfi_clean(
        &["-q", "--out-warc", "out/clean.warc.gz", "crawl.warc.gz"],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "the damaged records are reported"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout without --format json"
    );
    let warc = dir.path().join("out/clean.warc.gz");
    check(
        Command::new(bin.join("warcio")).arg("check").arg(&warc),
        "warcio check",
    );
    let index = check(
        Command::new(bin.join("warcio"))
            .args([
                "index",
                "-f",
                "warc-type,warc-target-uri,warc-refers-to,warc-date,offset",
            ])
            .arg(&warc),
        "warcio index",
    );
    let index: Vec<Value> = String::from_utf8(index.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let cleaned = expected["cleaned"].as_array().expect("cleaned");
    assert_eq!(index.len(), cleaned.len() + 1, "{index:#?}");
    assert_eq!(index[0]["warc-type"], "warcinfo");
    for (entry, want) in index[1..].iter().zip(cleaned) {
        assert_eq!(entry["warc-type"], "conversion");
        assert_eq!(entry["warc-target-uri"], want["uri"]);
        assert_eq!(entry["warc-refers-to"], want["record_id"]);
        assert_eq!(entry["warc-date"], DATE);
    }
    // The first page's cleaned HTML, as warcio reads it back.
    let offset = index[1]["offset"].as_str().expect("offset");
    let payload = check(
        Command::new(bin.join("warcio"))
            .args(["extract", "--payload"])
            .arg(&warc)
            .arg(offset),
        "warcio extract",
    );
    let payload = String::from_utf8(payload.stdout).expect("UTF-8");
    assert!(
        payload.contains(r#"<a href="/world/x?id=2" rel="noopener noreferrer">world</a>"#),
        "{payload}"
    );
    assert!(!payload.contains("alert"), "{payload}");

    // Same input, same bytes (record ids derive from the source and the content), but for the
    // warcinfo record's date.
    let again = rfi_clean(
        &["-q", "--out-warc", "out/again.warc.gz", "crawl.warc.gz"],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
    let records = |name: &str| {
        let out = check(
            Command::new(bin.join("warcio"))
                .args(["index", "-f", "warc-record-id,warc-block-digest"])
                .arg(dir.path().join("out").join(name)),
            "warcio index",
        );
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(records("clean.warc.gz"), records("again.warc.gz"));
}

#[test]
fn html_output_of_an_archive_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.warc"), "").expect("written");
    let out = rfi_clean(&["a.warc"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--format json"), "{stderr}");
    assert!(stderr.contains("--out-warc"), "{stderr}");
}
