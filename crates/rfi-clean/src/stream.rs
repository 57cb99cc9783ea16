//! The two streams: a full clean fed in chunks (collected, then cleaned whole), and the
//! rewrite-only stream (chunk in, chunk out, constant memory, no sanitizer).

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

/// A full clean fed in chunks; see [`Cleaner::clean_stream`](crate::Cleaner::clean_stream).
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
}

impl<'c> CleanStream<'c> {
    pub(crate) fn new(cleaner: &'c Engine) -> CleanStream<'c> {
        CleanStream {
            cleaner,
            input: Vec::new(),
        }
    }
}

/// A rewrite-only stream; see [`Cleaner::rewrite_stream`](crate::Cleaner::rewrite_stream).
pub struct RewriteStream<'c, O: OutputSink> {
    cleaner: &'c Engine,
    /// What the envelope's header line needed (its URL is cleaned before the body streams).
    header_report: Report,
    phase: Phase<'c, O>,
}

enum Phase<'c, O: OutputSink> {
    /// Collecting the start of the input until the envelope question is settled.
    Header {
        buf: Vec<u8>,
        sink: O,
    },
    Body {
        pass: Pass,
        rewriter: Box<HtmlRewriter<'c, O, SendHandlerTypes>>,
    },
    Failed,
}

impl<O: OutputSink> std::fmt::Debug for RewriteStream<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RewriteStream").finish_non_exhaustive()
    }
}

impl<'c, O: OutputSink> RewriteStream<'c, O> {
    pub(crate) fn new(cleaner: &'c Engine, sink: O) -> RewriteStream<'c, O> {
        RewriteStream {
            cleaner,
            header_report: Report::default(),
            phase: Phase::Header {
                buf: Vec::new(),
                sink,
            },
        }
    }

    /// Rewrites a chunk of input; output goes to the sink as soon as it is ready.
    ///
    /// # Errors
    /// [`Error::MemoryLimitExceeded`] if one tag needs more than `rewrite_memory_limit`;
    /// [`Error::StreamEnded`] after an earlier error.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        match &mut self.phase {
            Phase::Header { buf, .. } => {
                buf.extend_from_slice(chunk);
                match envelope::detect(buf, false) {
                    Detect::NeedMore => Ok(()),
                    detected => self.start_body(detected),
                }
            }
            Phase::Body { rewriter, .. } => {
                let limit = self.cleaner.rewrite_memory_limit;
                let result = rewriter
                    .write(chunk)
                    .map_err(|e| Error::from_rewriting(e, limit));
                if result.is_err() {
                    self.phase = Phase::Failed;
                }
                result
            }
            Phase::Failed => Err(Error::StreamEnded),
        }
    }

    /// Ends the input, flushes the rest of the output and returns what was done.
    ///
    /// # Errors
    /// As for [`RewriteStream::write`].
    pub fn end(mut self) -> Result<Report, Error> {
        if let Phase::Header { buf, .. } = &self.phase {
            let detected = envelope::detect(buf, true);
            self.start_body(detected)?;
        }
        let limit = self.cleaner.rewrite_memory_limit;
        let Phase::Body { pass, rewriter } = std::mem::replace(&mut self.phase, Phase::Failed)
        else {
            return Err(Error::StreamEnded);
        };
        rewriter
            .end()
            .map_err(|e| Error::from_rewriting(e, limit))?;
        let mut report = pass.take_findings().report;
        report += self.header_report;
        Ok(report)
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
                sink.handle_chunk(&header.as_bytes()[..header.len() - 1]);
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
        let mut rewriter = pass.rewriter(self.cleaner.context(false), sink);
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
