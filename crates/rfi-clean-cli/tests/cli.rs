//! The real `rfi-clean` binary, run on temporary files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::{BIN, run_in};

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rfi-cn-20240113-trade.txt")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run_in(None, args, stdin, &[])
}

fn stdout(out: &Output) -> &str {
    std::str::from_utf8(&out.stdout).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> &str {
    std::str::from_utf8(&out.stderr).expect("UTF-8 stderr")
}

/// A failure: exit 2, nothing on stdout, one line on stderr that contains `needle`.
fn assert_fails(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(out));
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(
        err.starts_with("rfi-clean: ") && err.contains(needle),
        "{err}"
    );
}

#[test]
fn cleans_the_seed_to_stdout() {
    let out = run(&[seed().to_str().expect("path")], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = rfi_clean::clean(&fs::read_to_string(seed()).expect("seed")).expect("cleans");
    assert_eq!(stdout(&out), expected.document());
    assert!(stdout(&out).starts_with(
        "<!--1705142701000-->\n[外贸：中国2023年加强与俄罗斯的联系，重新与美国保持距离](https://www.rfi.fr/cn/中国/20240113-"
    ));
    assert!(!stdout(&out).contains("rfi.my"));
    assert!(!stdout(&out).contains("分享"));
    assert!(stderr(&out).is_empty());
}

#[test]
fn output_is_a_fixed_point() {
    let first = run(&[seed().to_str().expect("path")], None);
    let second = run(&["-"], Some(&first.stdout));
    assert!(second.status.success());
    assert_eq!(second.stdout, first.stdout);
}

#[test]
fn reads_stdin_with_dash_or_without_argument() {
    let input = b"<p> a <a href=\"https://a.com/?utm_source=x\">b</a></p>";
    for args in [&["-"][..], &[][..]] {
        let out = run(args, Some(input));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "<p>a <a href=\"https://a.com/\" rel=\"noopener noreferrer\">b</a></p>\n"
        );
    }
}

#[test]
fn writes_a_file_with_o_and_replaces_it_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out.html");
    fs::write(
        &target,
        "old content that is longer than the new one ".repeat(100),
    )
    .expect("old file");
    let out = run(
        &["-o", target.to_str().expect("path"), "-"],
        Some(b"<p>new</p>"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(
        fs::read_to_string(&target).expect("written"),
        "<p>new</p>\n"
    );
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
}

#[cfg(unix)]
#[test]
fn o_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out.html");
    fs::write(&target, "old").expect("old file");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = run(
        &["-o", target.to_str().expect("path"), "-"],
        Some(b"<p>x</p>"),
    );
    assert!(out.status.success());
    let mode = fs::metadata(&target).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[cfg(unix)]
#[test]
fn new_files_get_the_umask_permissions_not_a_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("in.html"), "<p>x</p>").expect("input");
    let warc = "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\n\
                WARC-Target-URI: https://example.com/\r\nContent-Type: text/html\r\n\
                Content-Length: 8\r\n\r\n<p>x</p>\r\n\r\n";
    fs::write(dir.path().join("in.warc"), warc).expect("warc");
    for (umask, expected) in [("022", 0o644), ("027", 0o640)] {
        let script = format!(
            "umask {umask} && \"$0\" -o one.html in.html && \"$0\" --out-dir out in.html \
             && \"$0\" --out-warc out.warc.gz in.warc"
        );
        let out = Command::new("sh")
            .args(["-c", &script, BIN])
            .current_dir(dir.path())
            .output()
            .expect("sh");
        assert!(out.status.success(), "{}", stderr(&out));
        for file in ["one.html", "out/in.html", "out.warc.gz"] {
            let path = dir.path().join(file);
            let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, expected, "{file} with umask {umask}");
            fs::remove_file(&path).expect("remove");
        }
    }
}

#[test]
fn a_failed_input_leaves_the_output_file_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out.html");
    fs::write(&target, "precious").expect("old file");
    let out = run(
        &["-o", target.to_str().expect("path"), "-"],
        Some(b"<p>\xff\xfe</p>"),
    );
    assert_fails(&out, "not valid UTF-8");
    assert_eq!(fs::read_to_string(&target).expect("kept"), "precious");
}

#[test]
fn missing_file() {
    let out = run(&["/nonexistent/page.html"], None);
    assert_fails(&out, "/nonexistent/page.html: cannot open");
}

#[test]
fn an_empty_folder_has_nothing_to_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(&[dir.path().to_str().expect("path")], None);
    assert_fails(&out, "no files to clean");
}

#[test]
fn invalid_utf8_names_the_input_and_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("latin1.html");
    fs::write(&file, b"<p>caf\xe9</p>").expect("file");
    let out = run(&[file.to_str().expect("path")], None);
    assert_fails(
        &out,
        "latin1.html: input is not valid UTF-8 (first invalid byte at offset 6)",
    );
}

#[test]
fn binary_garbage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("image.png");
    fs::write(&file, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("file");
    let out = run(&[file.to_str().expect("path")], None);
    assert_fails(&out, "image.png: looks like a binary file");
}

#[test]
fn too_large() {
    let out = run(
        &["--max-size", "10", "-"],
        Some(b"<p>more than ten bytes</p>"),
    );
    assert_fails(&out, "larger than --max-size (10 bytes)");
}

#[test]
fn a_page_of_little_but_tags_is_refused_with_the_flag_that_allows_it() {
    // 600 KB, 100,000 elements: past the default minimum of 50,000 tree nodes.
    let tags = "<b>x</b><i>y</i>".repeat(50_000);
    let out = run(&["-"], Some(tags.as_bytes()));
    assert_fails(
        &out,
        "-: input too complex: more than 50000 tree nodes (elements and attributes); raise the limit with --max-tree-nodes N",
    );
    let out = run(&["--max-tree-nodes", "100000", "-"], Some(tags.as_bytes()));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        &["--no-sanitize", "--max-tree-nodes", "10", "-"],
        Some(b"<p>x</p>"),
    );
    assert_fails(&out, "--max-tree-nodes limits the full clean");
}

#[test]
fn a_file_too_large_is_refused_by_its_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("huge.html");
    let huge = fs::File::create(&file).expect("file");
    huge.set_len(1 << 30).expect("sparse 1 GiB file");
    let out = run(&[file.to_str().expect("path")], None);
    assert_fails(&out, "huge.html: larger than --max-size (67108864 bytes)");
}

#[test]
fn base_url_and_absolute_links() {
    let input = b"<p><a href=\"/world/x?CMP=share_btn_tw&amp;utm_source=y&amp;p=2\">a</a></p>";
    let out = run(&["-"], Some(input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("href=\"/world/x?CMP=share_btn_tw&amp;p=2\""),
        "{}",
        stdout(&out)
    );
    let out = run(
        &["--base-url", "https://www.theguardian.com/uk", "-"],
        Some(input),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("href=\"/world/x?p=2\""),
        "{}",
        stdout(&out)
    );
    let out = run(
        &[
            "--base-url",
            "https://www.theguardian.com/uk",
            "--absolute-links",
            "-",
        ],
        Some(input),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("href=\"https://www.theguardian.com/world/x?p=2\""),
        "{}",
        stdout(&out)
    );
    assert_fails(
        &run(&["--base-url", "/relative", "-"], Some(input)),
        "base URL",
    );
}

#[test]
fn no_sanitize_runs_the_rewrite_rules_only() {
    let input = b"<p onclick=\"x\">a<a href=\"https://a.com/?fbclid=1\">b</a></p><div data-selfpromo-app></div>";
    let out = run(&["--no-sanitize", "-"], Some(input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "<p onclick=\"x\">a<a href=\"https://a.com/\">b</a></p>\n"
    );
}

#[test]
fn help_and_version() {
    let out = run(&["--help"], None);
    assert!(out.status.success());
    assert!(stdout(&out).contains("Examples:"));
    assert!(stdout(&out).contains("--output"));
    let out = run(&["--version"], None);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        format!("rfi-clean {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["--no-such-flag"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // About 4 MB of output: far more than a pipe buffer, so the writes meet the closed pipe.
    // (Paragraphs of 127 bytes, 35,000 tree nodes: within the default tree budget's minimum.)
    let input = format!("<p>{}</p>", "paragraph ".repeat(12)).repeat(35_000);
    let mut child = Command::new(BIN)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    drop(child.stdout.take());
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("stdin written");
    let out = child.wait_with_output().expect("exits");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn encodings_declared_by_bom_or_meta_or_named_by_the_user() {
    // UTF-16 with a BOM holds NUL bytes but is text, not a binary file.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "<p>Ça marche</p>".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let out = run(&["-"], Some(&utf16));
    assert_eq!(stdout(&out), "<p>Ça marche</p>\n", "{}", stderr(&out));
    // An unquoted WHATWG label in <meta charset>.
    let page = b"<!DOCTYPE html><html><head><meta charset=Windows-1250><title>t</title></head><body><p>\x8Akoda</p>";
    let out = run(&["-"], Some(page));
    assert!(stdout(&out).contains("<p>Škoda</p>"), "{}", stderr(&out));
    // Undeclared legacy bytes: refused with a hint, decoded with --encoding.
    let legacy = b"<p>caf\xe9</p>";
    assert_fails(&run(&["-"], Some(legacy)), "--encoding LABEL");
    let out = run(&["--encoding", "latin1", "-"], Some(legacy));
    assert_eq!(stdout(&out), "<p>café</p>\n", "{}", stderr(&out));
    assert_fails(
        &run(&["--encoding", "klingon", "-"], Some(legacy)),
        "unknown encoding `klingon`",
    );
    assert_fails(
        &run(
            &["--encoding", "latin1", "--no-sanitize", "-"],
            Some(legacy),
        ),
        "--encoding applies",
    );
    // A NUL without a BOM is still a binary file.
    assert_fails(&run(&["-"], Some(b"<p>a\0b</p>")), "binary");
}
