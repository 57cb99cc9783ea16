//! What the link rules cost per URL, against the WHATWG parse that they start with:
//! `cargo run --release --example link_cost -- DIR` times, over every `href` in DIR's files,
//! `url::Url::parse` alone and `Cleaner::clean_url` (parse, unwrap, strip, display form).
fn main() {
    let dir = std::env::args().nth(1).expect("a folder");
    let mut hrefs = Vec::new();
    for entry in std::fs::read_dir(dir).expect("folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("UTF-8");
        for part in text.split("href=\"").skip(1) {
            let value = part.split('"').next().unwrap_or("");
            hrefs.push(value.replace("&amp;", "&"));
        }
    }
    let cleaner = rfi_clean::Cleaner::default();
    let mut sink = 0;
    for round in 0..5 {
        let start = std::time::Instant::now();
        for href in &hrefs {
            sink += url::Url::parse(href).map_or(0, |u| u.as_str().len());
        }
        let parse = start.elapsed();
        let start = std::time::Instant::now();
        for href in &hrefs {
            sink += cleaner.clean_url(href).len();
        }
        let clean = start.elapsed();
        println!(
            "round {round}: {} hrefs: Url::parse {:.1} ms, clean_url {:.1} ms",
            hrefs.len(),
            parse.as_secs_f64() * 1e3,
            clean.as_secs_f64() * 1e3
        );
    }
    println!("({sink})");
}
