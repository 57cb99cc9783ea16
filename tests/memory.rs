//! The streaming rewrite runs in constant memory: peak heap use, counted by the allocator, stays
//! flat as the input grows (a deterministic count, not a timing).

use peak_alloc::PeakAlloc;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

/// Streams `megabytes` of article HTML (the seed's paragraphs, links and share bar, repeated)
/// through the rewrite-only stream, and returns the peak heap use in bytes while it ran.
fn peak_while_streaming(megabytes: usize) -> usize {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/rfi-cn-20240113-trade.txt"
    ))
    .expect("seed fixture");
    let block = seed
        .split_once("\n\n")
        .expect("envelope")
        .1
        .as_bytes()
        .to_vec();
    let cleaner = rfi_clean::Cleaner::default();
    let mut written = Count(0);
    let before = PEAK.current_usage();
    PEAK.reset_peak_usage();
    let mut stream = cleaner.rewrite_stream(&mut written);
    stream
        .write(&seed.as_bytes()[..seed.len() - block.len()])
        .expect("header");
    let mut fed = 0;
    while fed < megabytes * 1_000_000 {
        stream.write(&block).expect("chunk");
        fed += block.len();
    }
    stream.end().expect("ends");
    let peak = PEAK.peak_usage().saturating_sub(before);
    let written = written.0;
    assert!(
        written > megabytes * 300_000,
        "the output is produced ({written} bytes)"
    );
    peak
}

#[test]
fn rewrite_stream_memory_is_flat() {
    let small = peak_while_streaming(5);
    let large = peak_while_streaming(100);
    eprintln!("peak heap: {small} bytes streaming 5 MB, {large} bytes streaming 100 MB");
    assert!(large < 8 << 20, "peak heap {large} bytes for 100 MB");
    // Twenty times the input, about the same memory (rfi.my pairings and the report grow a little).
    assert!(
        large < small * 2 + (1 << 20),
        "peak heap grows with input: {small} for 5 MB, {large} for 100 MB"
    );
}

/// An `io::Write` that counts what it is given and keeps nothing.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
