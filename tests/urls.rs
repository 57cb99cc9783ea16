//! The link invariant (issue 11): WHATWG-parsing a cleaned href gives exactly the parse of the
//! input href (hex case aside), relative links against their base, for links no rule removes
//! anything from. Checked over generated URLs (absolute, scheme-relative, path-relative,
//! query-only, scheme-relative-path forms; escapes of every kind) with the `url` crate, and
//! against node's `URL` when node is on PATH.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rfi_clean::Cleaner;
use url::Url;

const BASE: &str = "https://www.example.org/dir/page.html?x=1#top";

/// How an href starts.
const STARTS: &[&str] = &[
    "https://example.com/",
    "http://www.rfi.fr/",
    "HTTPS://Example.COM:443/",
    "https://xn--80ak6aa92e.com/",
    "https://user:p%41ss@example.com/",
    "https://[::1]:8080/",
    "https://%C3%A9.example/",
    "//example.com/",
    "//mainichi.jp",
    "\\\\example.com\\",
    "/",
    "",
    "./",
    "../",
    "https:",
    "https:example.com/",
    "http:/example.com/",
    "https:\\\\example.com/",
    "ftp://example.com/",
    "mailto:a@example.com?subject=",
    "data:text/plain,",
];

/// Pieces of paths, queries and fragments: escapes of every kind.
const PIECES: &[&str] = &[
    "a",
    "B",
    "%41",
    "%7a",
    "%2e",
    "%2E%2E",
    ".",
    "..",
    "%C3%A9",
    "%c3%a9",
    "é",
    "%E4%B8%AD%E5%9B%BD",
    "%D8%A7%D9%84",
    "%e2%80%ae",
    "%E2%80%8C",
    "%E2%80%8B",
    "%C2%A0",
    "%C0%AF",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%F0%9F%98%80",
    "%F0%9F%94%92",
    "%EF%BF%BE",
    "%C3",
    "%E4%B8",
    "%",
    "%4",
    "%%33",
    "%zz",
    "%25",
    "%2541",
    "%2F",
    "%3F",
    "%23",
    "%26",
    "%3D",
    "%2B",
    "%20",
    " ",
    "+",
    ";",
    "'",
    "\"",
    "<",
    ">",
    "`",
    "{",
    "\\",
    "%00",
    "%7F",
    "\t",
    "\u{a0}",
    "\u{3000}",
    "\u{202e}",
    "/",
    "?",
    "#",
    "&",
    "=",
    ":",
    "@",
];

fn href() -> impl Strategy<Value = String> {
    let piece = || prop::sample::select(PIECES);
    let part = move || prop::collection::vec(piece(), 0..6).prop_map(|p| p.concat());
    (
        prop::sample::select(STARTS),
        part(),
        prop::option::of(part()),
        prop::option::of(part()),
    )
        .prop_map(|(start, path, query, fragment)| {
            let mut href = format!("{start}{path}");
            if let Some(query) = query {
                href.push('?');
                href.push_str(&query);
            }
            if let Some(fragment) = fragment {
                href.push('#');
                href.push_str(&fragment);
            }
            href
        })
}

/// A URL's serialisation with every escape's hex digits in upper case.
fn upper_hex(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            out.push('%');
            out.push(char::from(bytes[i + 1]).to_ascii_uppercase());
            out.push(char::from(bytes[i + 2]).to_ascii_uppercase());
            i += 3;
        } else {
            let c = url[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn parsed(base: &Url, href: &str) -> Option<String> {
    base.join(href).ok().map(|u| upper_hex(u.as_str()))
}

fn cleaners() -> [(Cleaner, &'static str); 3] {
    [
        (Cleaner::default(), "no base"),
        (
            Cleaner::builder()
                .base_url(BASE)
                .build()
                .expect("valid base"),
            "base",
        ),
        (
            Cleaner::builder()
                .base_url(BASE)
                .absolute_links(true)
                .build()
                .expect("valid base"),
            "absolute links",
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn cleaned_hrefs_parse_to_the_same_url(input in href()) {
        let base = Url::parse(BASE).expect("base parses");
        for (cleaner, mode) in cleaners() {
            let output = cleaner.clean_url(&input);
            prop_assert_eq!(
                parsed(&base, &output),
                parsed(&base, &input),
                "{}: {:?} -> {:?}", mode, input, output
            );
            prop_assert_eq!(cleaner.clean_url(&output), output.clone(), "{}: idempotent", mode);
        }
    }
}

#[test]
fn table_of_hrefs_parse_to_the_same_url() {
    let base = Url::parse(BASE).expect("base parses");
    for input in [
        "http://example.com/foo%41%7a",
        "https://example.com/%2E%2e/a",
        "https:example.com/x",
        "http:/example.com/a",
        "/sections/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85",
        "//mainichi.jp/%E8%BF%AB%E3%82%8B/",
        "?q=%E4%B8%AD&r=%26",
        "#%C3%A9",
        "a%C3%A9:b",
        "\u{a0}https://a.com/%C3%A9",
        "https://example.com/%%C3%A9%4%C3%A9",
        "https://user:%C3%A9@example.com/%C3%A9",
    ] {
        for (cleaner, mode) in cleaners() {
            let output = cleaner.clean_url(input);
            assert_eq!(
                parsed(&base, &output),
                parsed(&base, input),
                "{mode}: {input:?} -> {output:?}"
            );
        }
    }
}

/// The same invariant with node's WHATWG `URL` as the parser (skipped without node).
#[test]
fn node_agrees() {
    let Ok(probe) = std::process::Command::new("node").arg("--version").output() else {
        eprintln!("node is not on PATH: skipped");
        return;
    };
    if !probe.status.success() {
        eprintln!("node does not run: skipped");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = href();
    let mut pairs = Vec::new();
    for _ in 0..400 {
        let input = strategy.new_tree(&mut runner).expect("generates").current();
        for (cleaner, _) in cleaners() {
            let output = cleaner.clean_url(&input);
            pairs.push(serde_json::json!([input, output]));
        }
    }
    let script = format!(
        "const base = {base:?};\n\
         const pairs = {pairs};\n\
         const up = s => s.replace(/%[0-9a-fA-F]{{2}}/g, m => m.toUpperCase());\n\
         const parse = h => {{ try {{ return up(new URL(h, base).href); }} catch (e) {{ return null; }} }};\n\
         const bad = pairs.filter(([i, o]) => parse(i) !== parse(o));\n\
         console.log(JSON.stringify(bad.slice(0, 5)));\n\
         process.exit(bad.length ? 1 : 0);\n",
        base = BASE,
        pairs = serde_json::Value::Array(pairs),
    );
    let result = std::process::Command::new("node")
        .arg("-e")
        .arg(&script)
        .output()
        .expect("node runs");
    assert!(
        result.status.success(),
        "node parses these differently: {}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}
