//! The batch side of the real `rfi-clean` binary: folders, --out-dir, --in-place, --check,
//! --diff, formats, --jsonl, jobs, rules files, and what the user sees.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

mod common;

use common::{BIN, run_in};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

const SEED: &str = "rfi-cn-20240113-trade.txt";

fn run(args: &[&str]) -> Output {
    run_in(None, args, None, &[])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A folder of pages: two fixtures at the top, one below, plus files that are not pages.
fn pages() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir_all(root.join("2024/01")).expect("mkdir");
    fs::create_dir_all(root.join(".cache")).expect("mkdir");
    fs::copy(fixture(SEED), root.join("seed.txt")).expect("copy");
    fs::copy(fixture("edge-fragment.txt"), root.join("fragment.html")).expect("copy");
    fs::copy(
        fixture("rfi-fr-20240215-partager-list.txt"),
        root.join("2024/01/fr.txt"),
    )
    .expect("copy");
    fs::copy(fixture(SEED), root.join(".cache/hidden.txt")).expect("copy");
    fs::copy(fixture(SEED), root.join(".hidden.txt")).expect("copy");
    fs::write(root.join("notes.json"), "{}").expect("write");
    dir
}

fn clean(path: &Path) -> String {
    rfi_clean::clean(&fs::read_to_string(path).expect("read"))
        .expect("cleans")
        .into_document()
}

fn listing(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(root)
                        .expect("below root")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    found.sort();
    found
}

#[test]
fn out_dir_mirrors_the_tree_and_skips_hidden_and_other_files() {
    let src = pages();
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&[p(src.path()), "--out-dir", p(out.path())]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(
        listing(out.path()),
        ["2024/01/fr.txt", "fragment.html", "seed.txt"]
    );
    assert_eq!(
        fs::read_to_string(out.path().join("seed.txt")).expect("out"),
        clean(&src.path().join("seed.txt"))
    );
    // Inputs are untouched.
    assert_eq!(
        fs::read(src.path().join("seed.txt")).expect("in"),
        fs::read(fixture(SEED)).expect("seed")
    );
}

#[test]
fn hidden_glob_and_exclude() {
    let src = pages();
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&[
        p(src.path()),
        "--out-dir",
        p(out.path()),
        "--hidden",
        "--glob",
        "*.txt",
        "--exclude",
        "2024",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(
        listing(out.path()),
        [".cache/hidden.txt", ".hidden.txt", "seed.txt"]
    );
}

#[test]
fn several_inputs_need_a_destination() {
    let src = pages();
    let result = run(&[p(src.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("--out-dir"),
        "{}",
        text(&result.stderr)
    );
    assert!(result.stdout.is_empty());
}

#[test]
fn out_dir_never_overwrites_an_input() {
    let src = pages();
    let before = fs::read(src.path().join("seed.txt")).expect("read");
    let result = run(&[p(src.path()), "--out-dir", p(src.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("is an input"),
        "{}",
        text(&result.stderr)
    );
    assert_eq!(fs::read(src.path().join("seed.txt")).expect("read"), before);
}

#[test]
fn in_place_rewrites_changed_files_only_and_keeps_a_failing_one() {
    let src = pages();
    let root = src.path();
    // Already clean: must keep its modification time.
    fs::write(root.join("clean.html"), "<p>already clean</p>\n").expect("write");
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(root.join("clean.html"))
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    // Fails (not UTF-8, no declared charset): must stay byte for byte.
    fs::write(root.join("broken.html"), b"<p>caf\xe9</p>").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(root.join("seed.txt"), fs::Permissions::from_mode(0o600))
            .expect("chmod");
    }
    let expected_seed = clean(&root.join("seed.txt"));
    let result = run(&["-i", p(root)]);
    assert_eq!(
        result.status.code(),
        Some(2),
        "a failing file makes the exit status 2"
    );
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("broken.html: input is not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        fs::read_to_string(root.join("seed.txt")).expect("read"),
        expected_seed
    );
    assert_eq!(
        fs::read(root.join("broken.html")).expect("read"),
        b"<p>caf\xe9</p>"
    );
    let mtime = fs::metadata(root.join("clean.html"))
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(mtime, old, "an unchanged file is not rewritten");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(root.join("seed.txt"))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    // No temporary file is left behind.
    assert!(
        listing(root).iter().all(|f| !f.contains(".rfi-clean-")),
        "{:?}",
        listing(root)
    );
}

#[test]
fn check_lists_changes_and_writes_nothing() {
    let src = pages();
    let before = listing(src.path());
    let seed_before = fs::read(src.path().join("seed.txt")).expect("read");
    let result = run_in(Some(src.path()), &["--check", "."], None, &[]);
    assert_eq!(result.status.code(), Some(1), "{}", text(&result.stderr));
    assert_eq!(
        text(&result.stdout),
        "./2024/01/fr.txt\n./fragment.html\n./seed.txt\n"
    );
    assert_eq!(listing(src.path()), before);
    assert_eq!(
        fs::read(src.path().join("seed.txt")).expect("read"),
        seed_before
    );
    // After cleaning in place, the check passes.
    assert_eq!(
        run_in(Some(src.path()), &["-i", "."], None, &[])
            .status
            .code(),
        Some(0)
    );
    let result = run_in(Some(src.path()), &["--check", "."], None, &[]);
    assert_eq!(result.status.code(), Some(0));
    assert!(result.stdout.is_empty());
}

#[test]
fn diff_prints_a_unified_diff() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("a.html"),
        "<p>x</p>\n<p> y <script>z</script></p>\n",
    )
    .expect("write");
    let result = run_in(Some(dir.path()), &["--diff", "a.html"], None, &[]);
    assert_eq!(result.status.code(), Some(1));
    let diff = text(&result.stdout);
    assert!(
        diff.starts_with("--- a/a.html\n+++ b/a.html\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("\n-<p>x</p>\n-<p> y <script>z</script></p>\n+<p>x</p><p>y</p>\n"),
        "{diff}"
    );
    assert!(!diff.contains('\x1b'), "no colours into a pipe");
    let coloured = run_in(
        Some(dir.path()),
        &["--diff", "--color", "always", "a.html"],
        None,
        &[],
    );
    assert!(text(&coloured.stdout).contains("\x1b[32m+<p>x</p><p>y</p>\x1b[0m"));
}

fn format_snapshot(format: &str, fixture_name: &str) -> String {
    let result = run(&["--format", format, p(&fixture(fixture_name))]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    text(&result.stdout)
}

#[test]
fn formats() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for name in [SEED, "rfi-fa-20240301-rtl.txt", "edge-page-whole.txt"] {
            for format in ["text", "markdown", "json"] {
                let mut out = format_snapshot(format, name);
                if format == "json" {
                    // The source is this machine's path: keep the file name only.
                    let mut value: serde_json::Value = serde_json::from_str(&out).expect("JSON");
                    value["source"] = serde_json::Value::from(name);
                    out = serde_json::to_string_pretty(&value).expect("JSON");
                }
                insta::assert_snapshot!(format!("{format}@{name}"), out);
            }
        }
    });
}

#[test]
fn json_for_a_batch_is_one_line_per_document_in_order() {
    let src = pages();
    let result = run(&["--format", "json", p(src.path())]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let lines: Vec<serde_json::Value> = text(&result.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let sources: Vec<&str> = lines
        .iter()
        .map(|l| l["source"].as_str().expect("source"))
        .collect();
    assert_eq!(sources.len(), 3);
    assert!(
        sources[0].ends_with("2024/01/fr.txt") && sources[2].ends_with("seed.txt"),
        "{sources:?}"
    );
    assert_eq!(
        lines[2]["title"],
        "外贸：中国2023年加强与俄罗斯的联系，重新与美国保持距离"
    );
    assert_eq!(lines[2]["published"], "2024-01-13T10:45:01Z");
    assert_eq!(lines[2]["dateline"], "2024-01-13T11:36:00+01:00");
    assert_eq!(lines[2]["report"]["share_widgets_removed"], 5);
}

#[test]
fn the_cli_json_is_the_library_s_serialization_for_every_fixture() {
    let fixtures = repo().join("fixtures");
    let mut names: Vec<_> = fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 17);
    let cleaner = rfi_clean::Cleaner::default();
    for path in names {
        let result = run(&["--format", "json", p(&path)]);
        let bytes = fs::read(&path).expect("fixture");
        let Ok(cleaned) = cleaner.clean_bytes(&bytes) else {
            assert_eq!(result.status.code(), Some(2), "{}", path.display());
            continue;
        };
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
        let mut line: serde_json::Value =
            serde_json::from_str(text(&result.stdout).trim_end()).expect("one JSON line");
        let object = line.as_object_mut().expect("an object");
        assert_eq!(object.shift_remove("source"), Some(p(&path).into()));
        let library = serde_json::to_value(&cleaned).expect("serializes");
        assert_eq!(line, library, "{}", path.display());
        // the same keys in the same order
        let keys =
            |v: &serde_json::Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
        assert_eq!(keys(&line), keys(&library), "{}", path.display());
    }
}

#[test]
fn output_is_the_same_with_any_number_of_jobs() {
    let fixtures = repo().join("fixtures");
    let one = run(&["--format", "json", "-j1", p(&fixtures)]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(text(&one.stdout).lines().count() >= 17);
    for jobs in ["2", "4"] {
        let many = run(&["--format", "json", "-j", jobs, p(&fixtures)]);
        assert_eq!(many.stdout, one.stdout, "-j{jobs}");
    }
}

#[test]
fn files_wait_for_room_under_max_size_and_give_the_same_output() {
    // --max-size at the largest fixture: two large ones never fit at once, so files wait for
    // room (-j4 runs fewer at a time), and one alone always goes.
    let fixtures = repo().join("fixtures");
    let largest = fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").metadata().expect("metadata").len())
        .max()
        .expect("a fixture")
        .to_string();
    let one = run(&["--format", "json", "-j1", p(&fixtures)]);
    let four = run(&[
        "--format",
        "json",
        "-j4",
        "--max-size",
        &largest,
        p(&fixtures),
    ]);
    assert_eq!(four.status.code(), Some(0), "{}", text(&four.stderr));
    assert_eq!(four.stdout, one.stdout);
}

#[test]
fn jsonl_maps_good_and_bad_lines_in_order() {
    let input = concat!(
        "{\"id\": 1, \"html\": \"<p>a <a href=\\\"https://a.com/?utm_source=x\\\">b</a></p>\", \"crawl\": \"c1\"}\n",
        "{\"id\": 2}\n",
        "garbage\n",
        "{\"id\": 3, \"html\": \"<p>c</p>\"}\n",
    );
    let result = run_in(None, &["--jsonl"], Some(input.as_bytes()), &[]);
    assert_eq!(
        result.status.code(),
        Some(2),
        "bad lines make the exit status 2"
    );
    let lines: Vec<serde_json::Value> = text(&result.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0]["html"],
        "<p>a <a href=\"https://a.com/\" rel=\"noopener noreferrer\">b</a></p>"
    );
    assert_eq!(lines[0]["crawl"], "c1");
    assert_eq!(lines[0]["rfi_clean"]["report"]["params_stripped"], 1);
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(lines[1]["error"], "no \"html\" string");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[3]["html"], "<p>c</p>");
}

/// `--jsonl -j N` writes the same bytes as `-j1`, in input order, on a long stream with bad and
/// blank lines, and from several sources.
#[test]
fn jsonl_in_parallel_gives_the_same_bytes_in_order() {
    let mut input = String::new();
    for i in 0..10_000 {
        match i % 997 {
            13 => input.push_str("not json\n"),
            14 => input.push('\n'),
            15 => input.push_str(&format!("{{\"id\": {i}}}\n")),
            _ => input.push_str(&format!(
                "{{\"id\": {i}, \"url\": \"https://www.rfi.fr/fr/{i}\", \"html\": \"<p>{i} <a href='/a?utm_source=x&amp;n={i}'>x</a><script>s</script></p>\"}}\n"
            )),
        }
    }
    let one = run_in(None, &["--jsonl", "-j1"], Some(input.as_bytes()), &[]);
    assert_eq!(one.status.code(), Some(2), "{}", text(&one.stderr));
    assert_eq!(text(&one.stdout).lines().count(), 9_989);
    let two = run_in(None, &["--jsonl", "-j2"], Some(input.as_bytes()), &[]);
    assert_eq!(two.status.code(), Some(2), "{}", text(&two.stderr));
    assert!(two.stdout == one.stdout, "-j2 differs from -j1");
    // Several files, and stdin among them: lines are numbered per source, in order.
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    fs::write(&a, "{\"html\": \"<p>a</p>\"}\nbad\n").expect("write");
    fs::write(&b, "\n{\"html\": \"<p>b</p>\"}\n[2]\n").expect("write");
    let args = |jobs| ["--jsonl", "-j", jobs, p(&a), "-", p(&b)];
    let one = run_in(None, &args("1"), Some(b"{\"html\": \"<i>s</i>\"}\n"), &[]);
    let two = run_in(None, &args("2"), Some(b"{\"html\": \"<i>s</i>\"}\n"), &[]);
    assert_eq!(text(&two.stdout), text(&one.stdout));
    assert_eq!(text(&one.stdout).lines().count(), 5);
    assert!(
        text(&one.stdout).contains("\"line\":3,"),
        "{}",
        text(&one.stdout)
    );
}

/// A large line among small ones finishes last but is written in its place; the small lines
/// after it wait for it (the bound on lines in flight), and `--fail-fast` stops at the same line.
#[test]
fn jsonl_in_parallel_keeps_order_with_uneven_lines() {
    let big = "<p>word <a href='https://a.com/?fbclid=1'>l</a></p>".repeat(2_000);
    let mut input = String::new();
    for i in 0..400 {
        let html = if i % 50 == 7 {
            big.as_str()
        } else {
            "<p>s</p>"
        };
        input.push_str(&format!("{{\"id\": {i}, \"html\": \"{html}\"}}\n"));
    }
    let one = run_in(None, &["--jsonl"], Some(input.as_bytes()), &[]);
    let two = run_in(None, &["--jsonl", "-j2"], Some(input.as_bytes()), &[]);
    assert_eq!(two.status.code(), Some(0), "{}", text(&two.stderr));
    assert!(two.stdout == one.stdout, "-j2 differs from -j1");
    let ids: Vec<u64> = text(&two.stdout)
        .lines()
        .map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            line["id"].as_u64().expect("id")
        })
        .collect();
    assert_eq!(ids, (0..400).collect::<Vec<_>>());

    let input = input.replacen("{\"id\": 120,", "not json {", 1);
    let one = run_in(
        None,
        &["--jsonl", "--fail-fast"],
        Some(input.as_bytes()),
        &[],
    );
    let two = run_in(
        None,
        &["--jsonl", "--fail-fast", "-j2"],
        Some(input.as_bytes()),
        &[],
    );
    assert_eq!(two.status.code(), Some(2));
    assert_eq!(text(&one.stdout).lines().count(), 121);
    assert!(two.stdout == one.stdout, "--fail-fast -j2 differs from -j1");
}

#[test]
fn rules_file_adds_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.toml");
    fs::write(
        &rules,
        "share_labels = [\"Teilen\"]\n[tracking]\nnames = [\"ref\"]\n",
    )
    .expect("write");
    let input = b"<p>x <a href=\"https://a.com/?ref=1&amp;utm_source=2\">a</a></p><div><div>Teilen:</div><a href=\"https://t.me/share/url?url=u\"></a></div>";
    let result = run_in(None, &["--config", p(&rules), "-"], Some(input), &[]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(
        text(&result.stdout),
        "<p>x <a href=\"https://a.com/\" rel=\"noopener noreferrer\">a</a></p>\n"
    );
}

#[test]
fn rules_file_errors_point_at_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.toml");
    fs::write(
        &rules,
        "share_labels = [\"x\"]\n[tracking]\nnmes = [\"ref\"]\n",
    )
    .expect("write");
    let result = run_in(None, &["--config", p(&rules), "-"], Some(b"<p>x</p>"), &[]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("rules.toml") && stderr.contains("nmes") && stderr.contains("line 3"),
        "{stderr}"
    );

    fs::write(&rules, "[sanitizer]\nadd_tags = [\"script\"]\n").expect("write");
    let result = run_in(None, &["--config", p(&rules), "-"], Some(b"<p>x</p>"), &[]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("rules.toml")
            && stderr.contains("line 2, key `sanitizer.add_tags`")
            && stderr.contains("`script`: not a tag the sanitizer can safely allow"),
        "{stderr}"
    );
}

#[test]
fn print_config_is_a_valid_complete_rules_file() {
    let result = run(&["--print-config"]);
    assert_eq!(result.status.code(), Some(0));
    let rules = rfi_clean::Rules::from_toml(&text(&result.stdout)).expect("parses");
    assert_eq!(rules, rfi_clean::Rules::default());
    assert!(rules.replace_defaults);
}

#[test]
fn fail_fast_stops_the_batch() {
    let src = tempfile::tempdir().expect("temp dir");
    fs::write(src.path().join("a.html"), b"<p>\xff</p>").expect("write");
    for name in ["b.html", "c.html", "d.html"] {
        fs::write(src.path().join(name), "<p>ok</p>").expect("write");
    }
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&[
        "-j1",
        "--fail-fast",
        p(src.path()),
        "--out-dir",
        p(out.path()),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(listing(out.path()).is_empty(), "{:?}", listing(out.path()));
    let result = run(&["-j1", p(src.path()), "--out-dir", p(out.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(listing(out.path()), ["b.html", "c.html", "d.html"]);
}

#[test]
fn stats_and_quiet() {
    let src = pages();
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&["--stats", "-q", p(src.path()), "--out-dir", p(out.path())]);
    assert_eq!(result.status.code(), Some(0));
    let stderr = text(&result.stderr);
    assert!(
        stderr.starts_with("rfi-clean: 3 files, 0 errors,"),
        "{stderr}"
    );
    assert!(
        stderr.contains("share widgets") && stderr.contains("parameters stripped"),
        "{stderr}"
    );
}

#[test]
fn errors_are_coloured_only_when_asked() {
    let plain = run(&["/nonexistent.html"]);
    assert!(text(&plain.stderr).starts_with("rfi-clean: /nonexistent.html: cannot open"));
    let coloured = run(&["--color", "always", "/nonexistent.html"]);
    assert!(text(&coloured.stderr).starts_with("\x1b[1m\x1b[31mrfi-clean:\x1b[0m"));
}

#[test]
fn declared_legacy_encodings_are_decoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("latin1.html");
    fs::write(&page, b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><p>d\xe9j\xe0</p></body></html>").expect("write");
    let result = run(&[p(&page)]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    assert!(
        out.contains("<title>Café</title>") && out.contains("<p>déjà</p>"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_skipped() {
    let src = pages();
    std::os::unix::fs::symlink(src.path(), src.path().join("2024/loop")).expect("symlink");
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&["--follow", p(src.path()), "--out-dir", p(out.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("symbolic link loop"),
        "{}",
        text(&result.stderr)
    );
    assert_eq!(
        listing(out.path()),
        ["2024/01/fr.txt", "fragment.html", "seed.txt"]
    );
}

#[test]
fn completions_and_man_page() {
    let result = run(&["--generate-completions", "bash"]);
    assert_eq!(result.status.code(), Some(0));
    assert!(
        text(&result.stdout).contains("rfi-clean") && text(&result.stdout).contains("--out-dir")
    );
    let result = run(&["--generate-man"]);
    assert_eq!(result.status.code(), Some(0));
    assert!(
        text(&result.stdout).starts_with(".ie"),
        "{}",
        &text(&result.stdout)[..100]
    );
    assert!(text(&result.stdout).contains(".TH rfi-clean"));
}

#[test]
fn killing_a_run_in_place_leaves_every_file_old_or_new() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = fs::read_to_string(fixture(SEED)).expect("seed");
    let cleaned = clean(&fixture(SEED));
    for i in 0..400 {
        fs::write(dir.path().join(format!("page-{i:03}.txt")), &original).expect("write");
    }
    let mut child = Command::new(BIN)
        .args(["-i", "-j2", p(dir.path())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    std::thread::sleep(Duration::from_millis(150));
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let (mut old, mut new) = (0, 0);
    for name in listing(dir.path()).iter().filter(|n| !n.starts_with('.')) {
        let content = fs::read_to_string(dir.path().join(name)).expect("read");
        if content == original {
            old += 1;
        } else if content == cleaned {
            new += 1;
        } else {
            panic!(
                "{name} is neither the old nor the new content ({} bytes)",
                content.len()
            );
        }
    }
    assert_eq!(old + new, 400);
}

#[cfg(unix)]
#[test]
fn ctrl_c_finishes_the_files_in_flight_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let original = fs::read_to_string(fixture(SEED)).expect("seed");
    let cleaned = clean(&fixture(SEED));
    for i in 0..400 {
        fs::write(dir.path().join(format!("page-{i:03}.txt")), &original).expect("write");
    }
    let child = Command::new(BIN)
        .args(["-i", "-j2", p(dir.path())])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    std::thread::sleep(Duration::from_millis(150));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let out = child.wait_with_output().expect("exits");
    let files = listing(dir.path());
    assert!(
        files.iter().all(|f| !f.contains(".rfi-clean-")),
        "temporary files left: {files:?}"
    );
    let new = files
        .iter()
        .filter(|name| {
            let content = fs::read_to_string(dir.path().join(name)).expect("read");
            assert!(
                content == original || content == cleaned,
                "{name} is half-written"
            );
            content == cleaned
        })
        .count();
    if new < 400 {
        assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("interrupted"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn no_sanitize_streams_to_files_and_in_place() {
    let src = pages();
    let out = tempfile::tempdir().expect("temp dir");
    let result = run(&["--no-sanitize", p(src.path()), "--out-dir", p(out.path())]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let expected = rfi_clean::Cleaner::default()
        .rewrite_str(&fs::read_to_string(src.path().join("seed.txt")).expect("read"))
        .expect("rewrites")
        .0;
    assert_eq!(
        fs::read_to_string(out.path().join("seed.txt")).expect("out"),
        expected
    );
    // In place: rewritten once, then unchanged (its modification time kept).
    assert_eq!(
        run(&["--no-sanitize", "-i", p(src.path())]).status.code(),
        Some(0)
    );
    assert_eq!(
        fs::read_to_string(src.path().join("seed.txt")).expect("read"),
        expected
    );
    let old = SystemTime::now() - Duration::from_secs(3600);
    let seed = src.path().join("seed.txt");
    fs::File::options()
        .write(true)
        .open(&seed)
        .expect("open")
        .set_modified(old)
        .expect("mtime");
    assert_eq!(
        run(&["--no-sanitize", "-i", p(src.path())]).status.code(),
        Some(0)
    );
    assert_eq!(
        fs::metadata(&seed)
            .expect("meta")
            .modified()
            .expect("mtime"),
        old
    );
    assert!(
        listing(src.path())
            .iter()
            .all(|f| !f.contains(".rfi-clean-"))
    );
}

#[test]
fn no_sanitize_has_no_size_limit() {
    let input = "<p>x</p>".repeat(10_000);
    let result = run_in(None, &["--no-sanitize", "-"], Some(input.as_bytes()), &[]);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(result.stdout.len(), input.len() + 1);
    // so --max-size, which would be ignored, is refused
    let result = run_in(
        None,
        &["--no-sanitize", "--max-size", "100", "-"],
        Some(input.as_bytes()),
        &[],
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("--max-size limits the full clean"));
}

#[test]
fn out_dir_inside_an_input_folder_is_skipped_and_said_so() {
    let src = pages();
    let out = src.path().join("clean");
    for round in 0..2 {
        let result = run(&[p(src.path()), "--out-dir", p(&out)]);
        assert_eq!(
            result.status.code(),
            Some(0),
            "round {round}: {}",
            text(&result.stderr)
        );
        let stderr = text(&result.stderr);
        if round == 1 {
            assert!(stderr.contains("skipped, it is the --out-dir"), "{stderr}");
        }
        assert!(!out.join("clean").exists(), "outputs are never inputs");
    }
    assert_eq!(
        listing(&out),
        ["2024/01/fr.txt", "fragment.html", "seed.txt"]
    );
    // --quiet keeps the note to itself
    let result = run(&[p(src.path()), "--out-dir", p(&out), "-q"]);
    assert_eq!(result.status.code(), Some(0));
    assert!(result.stderr.is_empty(), "{}", text(&result.stderr));
}

#[test]
fn a_collision_names_both_inputs() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("a")).expect("mkdir");
    fs::create_dir_all(dir.path().join("b")).expect("mkdir");
    let (a, b) = (dir.path().join("a/x.txt"), dir.path().join("b/x.txt"));
    fs::copy(fixture(SEED), &a).expect("copy");
    fs::copy(fixture(SEED), &b).expect("copy");
    let out = dir.path().join("out");
    let result = run(&[p(&a), p(&b), "--out-dir", p(&out)]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains(&format!(
            "{} and {} would both be written to {}",
            p(&a),
            p(&b),
            out.join("x.txt").display()
        )),
        "{stderr}"
    );
}

#[test]
fn max_size_takes_suffixes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("big.html");
    fs::write(&file, "<p>x</p>".repeat(200)).expect("write"); // 1600 bytes
    let result = run(&["--max-size", "1K", p(&file)]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("larger than --max-size (1024 bytes)"),
        "{}",
        text(&result.stderr)
    );
    for size in ["2K", "1G", "64MiB", "2000"] {
        let result = run(&["--max-size", size, p(&file)]);
        assert_eq!(
            result.status.code(),
            Some(0),
            "{size}: {}",
            text(&result.stderr)
        );
    }
    let result = run(&["--max-size", "1T", p(&file)]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("K, M or G"));
}

#[test]
fn jsonl_reads_files_in_order_and_counts_with_stats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (one, two) = (dir.path().join("1.jsonl"), dir.path().join("2.jsonl"));
    fs::write(&one, "{\"id\": 1, \"html\": \"<p>a</p>\"}\n\n{\"id\": 2}\n").expect("write");
    fs::write(
        &two,
        "{\"id\": 3, \"html\": \"<p><a href='https://a.com/?fbclid=x'>b</a></p>\"}",
    )
    .expect("write");
    let result = run_in(
        None,
        &["--jsonl", p(&one), "-", p(&two), "--stats"],
        Some(b"{\"id\": \"in\", \"html\": \"<p>s</p>\"}\n"),
        &[],
    );
    assert_eq!(result.status.code(), Some(2), "a bad line: exit 2");
    let lines: Vec<serde_json::Value> = text(&result.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let ids: Vec<serde_json::Value> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(ids, [serde_json::json!(1), 2.into(), "in".into(), 3.into()]);
    assert_eq!(lines[1]["source"], p(&one));
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[3]["rfi_clean"]["report"]["params_stripped"], 1);
    let stderr = text(&result.stderr);
    assert!(
        stderr.contains("4 records, 1 errors") && stderr.contains("1 parameters stripped"),
        "{stderr}"
    );
    // --fail-fast: the first bad line ends the run
    let result = run(&["--jsonl", p(&one), p(&two), "--fail-fast"]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(text(&result.stdout).lines().count(), 2);
    // the field names are options
    let result = run_in(
        None,
        &["--jsonl", "--jsonl-html", "body", "--jsonl-key", "clean"],
        Some(b"{\"body\": \"<p> x </p>\", \"html\": \"kept\"}\n"),
        &[],
    );
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let line: serde_json::Value =
        serde_json::from_str(text(&result.stdout).trim_end()).expect("JSON");
    assert_eq!(line["body"], "<p>x</p>");
    assert_eq!(line["html"], "kept");
    assert_eq!(line["clean"]["text"], "x");
}

/// Every flag either works with the others or is refused with a reason: none is ignored.
#[test]
fn flags_that_would_be_ignored_are_refused() {
    let src = pages();
    let seed = src.path().join("seed.txt");
    let jsonl = src.path().join("notes.json");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--jsonl", "--format", "json"],
            "--format json does not apply",
        ),
        (
            &["--jsonl", "--no-sanitize", "--format", "text"],
            "--no-sanitize writes HTML only",
        ),
        (&["--jsonl", "-j", "0"], "--jobs must be at least 1"),
        (&["--jsonl", "--glob", "*.x"], "does not walk folders"),
        (&["--jsonl", "--hidden"], "does not walk folders"),
        (&["--jsonl", p(src.path())], "not folders"),
        (&["--jsonl", "--encoding", "latin1"], "--encoding applies"),
        (
            &["--jsonl", "--jsonl-key", "html"],
            "also the HTML or URL field",
        ),
        (&["--jsonl", "-o", "x"], "cannot be used with"),
        (&["--jsonl", "--check"], "cannot be used with"),
        (&["--jsonl-key", "x", p(&seed)], "--jsonl"),
        (
            &["--print-config", "--config", p(&jsonl)],
            "cannot be used with",
        ),
        (&["--glob", "*.txt", p(&seed)], "no folder was given"),
        (&["--exclude", "x", p(&seed)], "no folder was given"),
        (&["--follow", p(&seed)], "no folder was given"),
        (
            &["--no-sanitize", "--max-size", "1M", p(&seed)],
            "--max-size limits the full clean",
        ),
        (
            &["--no-sanitize", "--format", "text", p(&seed)],
            "--no-sanitize writes HTML only",
        ),
        (
            &["--check", "--format", "json", p(&seed)],
            "--format json does not apply",
        ),
        (
            &["--diff", "--format", "text", p(&seed)],
            "--format text does not apply",
        ),
        (
            &["-i", "--format", "markdown", p(&seed)],
            "--in-place writes HTML only",
        ),
        (&["-j", "0", p(&seed)], "--jobs must be at least 1"),
    ];
    for (args, needle) in cases {
        let result = run_in(None, args, Some(b""), &[]);
        let stderr = text(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(result.stdout.is_empty(), "{args:?}");
    }
}
