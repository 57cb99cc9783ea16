fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    for tag in ["span", "ul", "blockquote", "em", "section", "table"] {
        let input = format!("<{tag}>").repeat(n) + "x";
        let t = std::time::Instant::now();
        let out = ammonia::clean(&input);
        println!(
            "ammonia {tag} {n}: {:.2}s {} bytes",
            t.elapsed().as_secs_f64(),
            out.len()
        );
    }
}
