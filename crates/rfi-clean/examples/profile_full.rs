//! Cleans a folder of pages in a loop, for profilers: `cargo run --release --example profile_full -- DIR [full|rewrite] [ROUNDS]`.
fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("a folder");
    let mode = args.next().unwrap_or_else(|| "full".into());
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let docs: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("UTF-8"))
        .collect();
    let cleaner = rfi_clean::Cleaner::default();
    let mut total = 0;
    for _ in 0..rounds {
        for doc in &docs {
            total += if mode == "full" {
                cleaner.clean(doc).expect("cleans").document().len()
            } else {
                cleaner.rewrite_str(doc).expect("rewrites").0.len()
            };
        }
    }
    println!("{total}");
}
