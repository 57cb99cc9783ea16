//! The README examples, compiled and run: the library README's first example and the
//! workspace README's scraper loop.

use std::io::Read;

#[test]
fn the_library_readme_example() -> Result<(), rfi_clean::Error> {
    let cleaned = rfi_clean::clean(
        r#"<p>Read <a href="https://www.google.com/url?q=https%3A%2F%2Fwww.rfi.fr%2Fcn%2F%25E4%25B8%25AD%3Futm_source%3Dx">this</a>.</p>
       <div><a href="https://x.com/intent/tweet?url=https%3A%2F%2Frfi.my%2FAFiz.X">Share</a></div>"#,
    )?;
    assert_eq!(
        cleaned.html(),
        r#"<p>Read <a href="https://www.rfi.fr/cn/中" rel="noopener noreferrer">this</a>.</p>"#
    );
    assert_eq!(cleaned.report().redirects_unwrapped, 1);
    Ok(())
}

// --- the scraper loop of README.md, as written there ---
use rfi_clean::{CleanOptions, Cleaner};

/// Cleans fetched pages on worker threads; each is (its URL, its response body).
fn clean_pages(
    pages: Vec<(String, Box<dyn Read + Send>)>,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let cleaner = Cleaner::builder().add_tracking_param("ref").build()?; // once
    let workers: Vec<_> = pages
        .into_iter()
        .map(|(url, mut body)| {
            let cleaner = cleaner.clone(); // cheap: the compiled rules are shared
            std::thread::spawn(
                move || -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
                    let mut stream = cleaner.clean_stream(); // an io::Write
                    std::io::copy(&mut body, &mut stream)?; // the body as it arrives
                    let options = CleanOptions::default().with_base_url(&url); // its base URL
                    let cleaned = stream.finish_with(&options)?;
                    Ok(serde_json::to_string(&cleaned)?) // the CLI's --format json object
                },
            )
        })
        .collect();
    workers
        .into_iter()
        .map(|w| w.join().expect("a worker panicked"))
        .collect()
}
// --- end of the README's loop ---

#[test]
fn the_scraper_loop() {
    let body = |html: &'static str| -> Box<dyn Read + Send> { Box::new(html.as_bytes()) };
    let lines = clean_pages(vec![
        (
            "https://www.theguardian.com/world/a".into(),
            body(r#"<p><a href="/world/b?CMP=share_btn_tw&amp;ref=x&amp;page=2">b</a></p>"#),
        ),
        ("https://www.rfi.fr/fr/a".into(), body("<p>Bonjour</p>")),
    ])
    .expect("cleans");
    let first: serde_json::Value = serde_json::from_str(&lines[0]).expect("JSON");
    assert_eq!(first["links"][0]["href"], "/world/b?page=2");
    let second: serde_json::Value = serde_json::from_str(&lines[1]).expect("JSON");
    assert_eq!(second["language"], "fr");
    assert_eq!(second["text"], "Bonjour");
}
