//! The two streams: a full clean fed in chunks (collected, then cleaned whole), and the
//! rewrite-only stream (chunk in, chunk out, constant memory, no sanitizer). Both fit Rust's
//! I/O: a `CleanStream` is an `io::Write`, and the rewrite stream writes to any `io::Write`.

use std::io;
use std::sync::{Arc, Mutex};

use lol_html::send::SendHandlerTypes;
use lol_html::{HtmlRewriter, OutputSink};

use crate::cleaned::Cleaned;
use crate::engine::Engine;
use crate::envelope::{self, Detect};
use crate::pipeline;
use crate::report::Report;
use crate::rewrite::{Pass, PassOptions};
use crate::shortlink::ShortLinks;
use crate::{Error, links, output};

/// A full clean fed in chunks; see [`Cleaner::clean_stream`](crate::Cleaner::clean_stream). It is an [`io::Write`], so a
/// response body can be copied into it:
///
/// ```
/// let cleaner = rfi_clean::Cleaner::default();
/// let mut body: &[u8] = b"<p>Hello <script>x</script></p>"; // any io::Read, e.g. a response
/// let mut stream = cleaner.clean_stream();
/// std::io::copy(&mut body, &mut stream)?;
/// assert_eq!(stream.finish()?.html(), "<p>Hello</p>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CleanStream<'c> {
    cleaner: &'c Engine,
    input: Vec<u8>,
}

impl CleanStream<'_> {
    /// Adds a chunk of input.
    ///
    /// # Errors
    /// [`Error::InputTooLarge`] as soon as the input passes `max_input_size`.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let size = self.input.len() + chunk.len();
        if size > self.cleaner.max_input_size {
            return Err(Error::InputTooLarge {
                size,
                limit: self.cleaner.max_input_size,
            });
        }
        self.input.extend_from_slice(chunk);
        Ok(())
    }

    /// Cleans everything written.
    ///
    /// # Errors
    /// Those of [`Cleaner::clean_bytes`](crate::Cleaner::clean_bytes).
    pub fn finish(self) -> Result<Cleaned, Error> {
        pipeline::clean_bytes(self.cleaner, &self.input)
    }

    /// Cleans everything written with per-call options (the document's URL, for one), as
    /// [`Cleaner::clean_with`](crate::Cleaner::clean_with) does.
    ///
    /// ```
    /// let cleaner = rfi_clean::Cleaner::default();
    /// let mut stream = cleaner.clean_stream();
    /// std::io::copy(&mut &br#"<a href="/world/x?CMP=share_btn_tw">a</a>"#[..], &mut stream)?;
    /// let options = rfi_clean::CleanOptions::default().with_base_url("https://www.theguardian.com/");
    /// assert!(stream.finish_with(&options)?.html().contains(r#"href="/world/x""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Cleaner::clean_bytes`](crate::Cleaner::clean_bytes) and [`Cleaner::clean_with`](crate::Cleaner::clean_with).
    pub fn finish_with(self, options: &crate::CleanOptions) -> Result<Cleaned, Error> {
        let base = options.base()?;
        pipeline::clean_bytes_with(self.cleaner, &self.input, base.as_ref())
    }
}

/// Collects the chunks; an input past `max_input_size` fails with an error of kind
/// [`io::ErrorKind::Other`] whose inner error is [`Error::InputTooLarge`].
impl io::Write for CleanStream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        CleanStream::write(self, buf).map_err(io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'c> CleanStream<'c> {
    pub(crate) fn new(cleaner: &'c Engine) -> CleanStream<'c> {
        CleanStream {
            cleaner,
            input: Vec::new(),
        }
    }
}

/// A rewrite-only stream into an [`io::Write`]; see [`Cleaner::rewrite_stream`](crate::Cleaner::rewrite_stream).
pub struct RewriteStream<'c, W: io::Write> {
    cleaner: &'c Engine,
    /// What the envelope's header line needed (its URL is cleaned before the body streams).
    header_report: Report,
    /// The first error the sink returned: lol_html's sink cannot return one, so the stream
    /// keeps it, writes nothing more, and hands it back from the next `write` or `end`.
    sink_error: Arc<Mutex<Option<io::Error>>>,
    phase: Phase<'c, W>,
}

/// The writer as lol_html's output sink.
struct Sink<W: io::Write> {
    out: W,
    error: Arc<Mutex<Option<io::Error>>>,
}

impl<W: io::Write> OutputSink for Sink<W> {
    fn handle_chunk(&mut self, chunk: &[u8]) {
        let Ok(mut error) = self.error.lock() else {
            return;
        };
        if error.is_some() {
            return;
        }
        // lol_html ends its output with an empty chunk: the moment to flush.
        let result = if chunk.is_empty() {
            self.out.flush()
        } else {
            self.out.write_all(chunk)
        };
        if let Err(e) = result {
            *error = Some(e);
        }
    }
}

enum Phase<'c, W: io::Write> {
    /// Collecting the start of the input until the envelope question is settled.
    Header {
        buf: Vec<u8>,
        sink: Sink<W>,
    },
    Body {
        pass: Pass,
        rewriter: Box<HtmlRewriter<'c, Sink<W>, SendHandlerTypes>>,
    },
    Failed,
}

impl<W: io::Write> std::fmt::Debug for RewriteStream<'_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RewriteStream").finish_non_exhaustive()
    }
}

impl<'c, W: io::Write> RewriteStream<'c, W> {
    pub(crate) fn new(cleaner: &'c Engine, out: W) -> RewriteStream<'c, W> {
        let sink_error = Arc::new(Mutex::new(None));
        RewriteStream {
            cleaner,
            header_report: Report::default(),
            phase: Phase::Header {
                buf: Vec::new(),
                sink: Sink {
                    out,
                    error: Arc::clone(&sink_error),
                },
            },
            sink_error,
        }
    }

    /// Rewrites a chunk of input; output goes to the writer as soon as it is ready.
    ///
    /// # Errors
    /// [`Error::MemoryLimitExceeded`] if one tag needs more than `rewrite_memory_limit`;
    /// [`Error::Write`] if the writer failed (the stream ends); [`Error::StreamEnded`] after an
    /// earlier error.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        let result = match &mut self.phase {
            Phase::Header { buf, .. } => {
                buf.extend_from_slice(chunk);
                match envelope::detect(buf, false) {
                    Detect::NeedMore => Ok(()),
                    detected => self.start_body(detected),
                }
            }
            Phase::Body { rewriter, .. } => {
                let limit = self.cleaner.rewrite_memory_limit;
                rewriter
                    .write(chunk)
                    .map_err(|e| Error::from_rewriting(e, limit))
            }
            Phase::Failed => return Err(Error::StreamEnded),
        }
        .and_then(|()| self.sink_result());
        if result.is_err() {
            self.phase = Phase::Failed;
        }
        result
    }

    /// Ends the input, writes the rest of the output, flushes the writer and returns what was
    /// done.
    ///
    /// # Errors
    /// As for [`RewriteStream::write`].
    pub fn end(mut self) -> Result<Report, Error> {
        if let Phase::Header { buf, .. } = &self.phase {
            let detected = envelope::detect(buf, true);
            self.start_body(detected)?;
            self.sink_result()?;
        }
        let limit = self.cleaner.rewrite_memory_limit;
        let Phase::Body { pass, rewriter } = std::mem::replace(&mut self.phase, Phase::Failed)
        else {
            return Err(Error::StreamEnded);
        };
        rewriter
            .end()
            .map_err(|e| Error::from_rewriting(e, limit))?;
        self.sink_result()?;
        let mut report = pass.take_findings().report;
        report += self.header_report;
        Ok(report)
    }

    /// The writer's first error, if it returned one.
    fn sink_result(&self) -> Result<(), Error> {
        match self.sink_error.lock().ok().and_then(|mut e| e.take()) {
            Some(e) => Err(Error::Write(e)),
            None => Ok(()),
        }
    }

    /// Writes the envelope's header (if any) and hands the buffered body to a new rewriter.
    fn start_body(&mut self, detected: Detect) -> Result<(), Error> {
        let Phase::Header { buf, mut sink } = std::mem::replace(&mut self.phase, Phase::Failed)
        else {
            return Err(Error::StreamEnded);
        };
        let mut envelope_url = None;
        let body_at = match detected {
            Detect::Envelope(env, at) => {
                let base = links::Base {
                    url: self.cleaner.base_url.as_ref(),
                    absolute: true,
                };
                let change =
                    links::rewrite(&env.url, base, &self.cleaner.rules, &ShortLinks::new());
                self.header_report.count_link(&change);
                let url = change.url.unwrap_or_else(|| env.url.clone());
                let header = output::envelope(&env, &url, "");
                // `output::envelope` ends with the body and a newline; the body streams after.
                if let Err(e) = sink.out.write_all(&header.as_bytes()[..header.len() - 1]) {
                    return Err(Error::Write(e));
                }
                envelope_url = Some(env.url);
                at
            }
            _ => 0,
        };
        let pass = Pass::new(PassOptions {
            learn_short_links: true,
            envelope_url,
            base_url: self.cleaner.base_url.clone(),
            absolute_links: self.cleaner.absolute_links,
            ..PassOptions::default()
        });
        let limit = self.cleaner.rewrite_memory_limit;
        let mut rewriter = pass.rewriter(self.cleaner.context(false), None, sink);
        rewriter
            .write(&buf[body_at..])
            .map_err(|e| Error::from_rewriting(e, limit))?;
        self.phase = Phase::Body {
            pass,
            rewriter: Box::new(rewriter),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};

    use crate::{Cleaner, Error};

    /// A writer that accepts `room` bytes, then fails.
    struct Full {
        room: usize,
        flushed: bool,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.flushed = true;
            Ok(())
        }
    }

    #[test]
    fn io_copy_feeds_a_clean_stream() {
        let cleaner = Cleaner::default();
        let input = "<p> a <a href=\"https://a.com/?utm_source=x\">b</a> </p>".repeat(5000);
        let mut stream = cleaner.clean_stream();
        io::copy(&mut input.as_bytes(), &mut stream).expect("copies");
        let streamed = stream.finish().expect("cleans");
        assert_eq!(streamed, cleaner.clean(&input).expect("cleans"));
    }

    #[test]
    fn a_clean_stream_past_its_limit_fails_io_copy_with_the_cause() {
        let cleaner = Cleaner::builder()
            .max_input_size(10)
            .build()
            .expect("builds");
        let mut stream = cleaner.clean_stream();
        let err = io::copy(&mut &b"<p>longer than ten</p>"[..], &mut stream).expect_err("refused");
        let inner = err.into_inner().expect("carries the library's error");
        assert!(matches!(
            inner.downcast_ref::<Error>(),
            Some(Error::InputTooLarge { limit: 10, .. })
        ));
    }

    #[test]
    fn a_failing_writer_s_error_surfaces() {
        let cleaner = Cleaner::default();
        let chunk = b"<p>some text that is long enough</p>".repeat(100);
        // Fails in `write` (lol_html flushes output as it goes)...
        let mut stream = cleaner.rewrite_stream(Full {
            room: 100,
            flushed: false,
        });
        let err = stream.write(&chunk).expect_err("the writer is full");
        assert!(
            matches!(&err, Error::Write(e) if e.kind() == io::ErrorKind::StorageFull),
            "{err:?}"
        );
        assert!(matches!(stream.write(b"<p>"), Err(Error::StreamEnded)));
        // ... or in `end`, for output held back until the input ends.
        let mut stream = cleaner.rewrite_stream(Full {
            room: 0,
            flushed: false,
        });
        stream
            .write(b"<p title=\"unfinished")
            .expect("a tag cut short is held back");
        let err = stream.end().expect_err("the writer is full");
        assert!(matches!(err, Error::Write(_)), "{err:?}");
        // The envelope's header is written before the body.
        let mut stream = cleaner.rewrite_stream(Full {
            room: 0,
            flushed: false,
        });
        let err = stream
            .write(b"<!--1705142701000-->\n[T](https://www.rfi.fr/a)\n------\n\n<p>x</p>")
            .expect_err("the writer is full");
        assert!(matches!(err, Error::Write(_)), "{err:?}");
    }

    #[test]
    fn end_flushes_the_writer() {
        let cleaner = Cleaner::default();
        let mut out = Full {
            room: 1 << 20,
            flushed: false,
        };
        let mut stream = cleaner.rewrite_stream(&mut out);
        stream.write(b"<p>x</p>").expect("writes");
        stream.end().expect("ends");
        assert!(out.flushed);
    }
}
