fn main() {
    let kind = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let input = match kind.as_str() {
        "div" => "<div>".repeat(n) + "x",
        "a" => "<a href=x>".repeat(n) + "x",
        "table" => "<table><tr><td>".repeat(n) + "x",
        "li" => "<div>".repeat(n) + &"<li>x".repeat(1000),
        "b" => "<b>".repeat(n) + "x",
        "attr" => format!("<p title=\"{}\">x</p>", "a".repeat(n)),
        "href" => format!(
            "<a href=\"https://a.com/{}\">x</a>",
            "%E4%B8%AD".repeat(n / 9)
        ),
        "svg" => "<svg>".repeat(n),
        "select" => "<select>".repeat(n),
        _ => panic!(),
    };
    let t = std::time::Instant::now();
    let r = rfi_clean::Cleaner::builder()
        .max_input_size(usize::MAX / 2)
        .build()
        .unwrap()
        .clean(&input);
    println!(
        "{kind} {n}: {:?} in {:.2}s, {} bytes out",
        r.as_ref().err(),
        t.elapsed().as_secs_f64(),
        r.as_ref().map(|c| c.document().len()).unwrap_or(0)
    );
}
