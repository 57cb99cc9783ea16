//! The streaming rewrite fed in fuzzer-chosen chunks gives the same bytes and report as the
//! same input in one piece.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static CLEANER: LazyLock<rfi_clean::Cleaner> = LazyLock::new(rfi_clean::Cleaner::default);

fn rewrite(chunks: &[&[u8]]) -> Result<(Vec<u8>, rfi_clean::Report), String> {
    let mut out = Vec::new();
    let mut stream = CLEANER.rewrite_stream(&mut out);
    for chunk in chunks {
        stream.write(chunk).map_err(|e| e.to_string())?;
    }
    let report = stream.end().map_err(|e| e.to_string())?;
    Ok((out, report))
}

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes (1 to 64), the rest is the document.
    let (plan, input) = data.split_at(data.len().min(8));
    let mut chunks = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let size = plan
            .get(i % plan.len().max(1))
            .map_or(7, |b| usize::from(b % 64) + 1);
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        chunks.push(chunk);
        rest = tail;
        i += 1;
    }
    let whole = rewrite(&[input]);
    let pieces = rewrite(&chunks);
    match (whole, pieces) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "output depends on chunking"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("one-shot {:?} but chunked {:?}", a.err(), b.err()),
    }
});
