//! The security and parser corpora in `tests/security/` (DOMPurify, the HTML5 Security
//! Cheatsheet, html5lib tree construction; see its README for sources and licences): every
//! payload cleans without error, and cleaning the output again changes nothing.

use std::path::Path;

fn payloads(file: &str) -> Vec<String> {
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

#[test]
fn every_payload_cleans_to_a_fixed_point() {
    let cleaner = rfi_clean::Cleaner::default();
    let mut total = 0;
    for (file, expected) in [
        ("dompurify-vectors.json", 223),
        ("h5sc-vectors.json", 149),
        ("h5sc-attachments.json", 15),
        ("html5lib-inputs.json", 1796),
    ] {
        let payloads = payloads(file);
        assert_eq!(payloads.len(), expected, "{file}");
        for (i, payload) in payloads.iter().enumerate() {
            let once = cleaner
                .clean(payload)
                .unwrap_or_else(|e| panic!("{file}#{i}: {e}"));
            let twice = cleaner.clean(once.document()).expect("output cleans");
            assert_eq!(twice.document(), once.document(), "{file}#{i}: {payload:?}");
            total += 1;
        }
    }
    assert_eq!(total, 2183);
}
