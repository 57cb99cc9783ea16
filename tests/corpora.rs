//! The security and parser corpora in `tests/security/` (DOMPurify, the HTML5 Security
//! Cheatsheet, html5lib tree construction; see its README for sources and licences): every
//! payload cleans without error, to a fixed point, and to nothing a browser would execute.

mod common;

use common::{CORPORA, assert_nothing_executable, executable_parts, payloads};

#[test]
fn every_payload_cleans_to_a_safe_fixed_point() {
    let cleaner = rfi_clean::Cleaner::default();
    let mut total = 0;
    for (file, expected) in CORPORA {
        let payloads = payloads(file);
        assert_eq!(payloads.len(), expected, "{file}");
        for (i, payload) in payloads.iter().enumerate() {
            let context = format!("{file}#{}", i + 1);
            let once = cleaner
                .clean(payload)
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_nothing_executable(once.document(), &context);
            let twice = cleaner.clean(once.document()).expect("output cleans");
            assert_eq!(twice.document(), once.document(), "{context}: {payload:?}");
            total += 1;
        }
    }
    assert_eq!(total, 2183);
}

#[test]
fn every_payload_is_also_safe_as_an_envelope_and_a_page() {
    // The same payloads in the other two document kinds, whose outputs add a head or a header.
    let cleaner = rfi_clean::Cleaner::default();
    for (file, _) in CORPORA {
        for (i, payload) in payloads(file).iter().enumerate() {
            let context = format!("{file}#{}", i + 1);
            let envelope = format!("<!--1-->\n[t](https://www.rfi.fr/fr/a)\n------\n\n{payload}");
            assert_nothing_executable(
                cleaner.clean(&envelope).expect("cleans").document(),
                &context,
            );
            let page = format!("<!DOCTYPE html><html><head><title>t</title></head><body>{payload}");
            assert_nothing_executable(cleaner.clean(&page).expect("cleans").document(), &context);
        }
    }
}

#[test]
fn the_payloads_are_dangerous_before_cleaning() {
    // A check that finds nothing in the raw payloads would prove nothing about the outputs.
    let flagged = CORPORA
        .iter()
        .flat_map(|(file, _)| payloads(file))
        .filter(|p| !executable_parts(p).is_empty())
        .count();
    assert!(flagged > 400, "only {flagged} raw payloads flagged");
}

#[test]
fn the_check_catches_each_kind_of_danger() {
    for bad in [
        "<script>alert(1)</script>",
        "<p>x</p></script >",
        "<img src=x onerror=alert(1)>",
        "<a href=\"java&#x09;script:alert(1)\" rel=noopener>x</a>",
        "<a href=\" JaVaScRiPt:alert(1)\" rel=noopener>x</a>",
        "<a href=\"https://a.com/\">no rel</a>",
        "<img srcset=\"a.jpg 1x, javascript:alert(1) 2x\">",
        "<blockquote cite=\"vbscript:x\">q</blockquote>",
        "<iframe srcdoc=\"x\"></iframe>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
        "<math><mi>x</mi></math>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        "<object data=\"data:text/html,x\"></object>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<form><button formaction=\"javascript:alert(1)\">x</button></form>",
        "<!--1-->\n[t](javascript:alert(1))\n------\n\n<p>x</p>",
        "<!--1-->\n[<script>alert(1)</script>](https://a.com/)\n------\n\n<p>x</p>",
    ] {
        let found = std::panic::catch_unwind(|| assert_nothing_executable(bad, "control"));
        assert!(found.is_err(), "not caught: {bad}");
    }
    // And what is fine passes.
    assert_nothing_executable(
        "<p>Text with onclick= and javascript: as words, &lt;script&gt;</p><a href=\"https://a.com/\" rel=\"noopener noreferrer\">a</a><img src=\"/x.jpg\" srcset=\"a.jpg 1x, https://b/c.jpg 2x\">",
        "fine",
    );
}

#[test]
fn a_script_url_in_the_envelope_is_neutralized() {
    let cleaned =
        rfi_clean::clean("<!--1-->\n[t](javascript:alert(1))\n------\n\n<p>x</p>").expect("cleans");
    assert_eq!(
        cleaned.document(),
        "<!--1-->\n[t](javascript%3Aalert%281%29)\n------\n\n<p>x</p>\n"
    );
    assert_nothing_executable(cleaned.document(), "envelope");
}

#[test]
fn ammonia_is_past_its_advisories() {
    // RUSTSEC-2026-0213 (SVG animation hrefs) is fixed in 4.1.4, and the earlier advisories
    // before it; the lock file must not pin an older ammonia.
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"ammonia\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"'))
        .expect("ammonia in Cargo.lock");
    let parts: Vec<u32> = version
        .split('.')
        .map(|n| n.parse().expect("numeric version"))
        .collect();
    assert!(
        parts >= vec![4, 1, 4],
        "ammonia {version} in Cargo.lock is older than 4.1.4"
    );
}

#[test]
fn markup_in_the_envelope_title_is_neutralized() {
    // regression: fuzz/artifacts/clean/crash-c38733b0 had `<body><template><math>` in a title.
    let input = "<!--1-->\n[Sénégal <template><math><script>alert(1)</script>](https://www.rfi.fr/fr/a)\n------\n\n<p>x</p>";
    let cleaned = rfi_clean::clean(input).expect("cleans");
    assert!(cleaned.document().starts_with("<!--1-->\n[Sénégal &lt;template>&lt;math>&lt;script>alert(1)&lt;/script>](https://www.rfi.fr/fr/a)\n"), "{}", cleaned.document());
    assert_nothing_executable(cleaned.document(), "title");
    assert_eq!(
        rfi_clean::clean(cleaned.document())
            .expect("cleans")
            .document(),
        cleaned.document()
    );
}
