//! A map in input order with bounded work in flight, shared by the streams (`--jsonl`, WARC).
//!
//! One job: everything runs on the calling thread, one item at a time. `N` jobs: a reader
//! thread feeds `N` workers and the calling thread writes their results in input order, each as
//! soon as every result before it is written. Work in flight (read, not yet written) is bounded
//! in items and in bytes: the reader waits for room rather than letting finished results pile up
//! behind a slow one, so memory stays bounded whatever the stream's length and however many jobs
//! there are.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use anyhow::Result;

/// What the writer says after each result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// Stop reading: nothing more is written (`--fail-fast`).
    Stop,
}

/// How much may be in flight at once with more than one job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Items read and not yet written.
    pub(crate) items: usize,
    /// Their bytes, as the reader counts them. One item larger than this still goes, alone.
    pub(crate) bytes: usize,
}

impl Limits {
    /// Items in flight per job: enough to keep every worker busy past a slow item.
    const ITEMS_PER_JOB: usize = 4;

    /// The streams' limits: `ITEMS_PER_JOB` items per job, and at most `bytes` of them.
    pub(crate) fn per_job(jobs: usize, bytes: usize) -> Limits {
        Limits {
            items: Self::ITEMS_PER_JOB * jobs,
            bytes,
        }
    }
}

/// Where the reader puts what it reads.
pub(crate) struct Feed<'f, T> {
    to: To<'f, T>,
}

enum To<'f, T> {
    /// One job: map and write at once.
    Inline(&'f mut dyn FnMut(T) -> bool),
    Workers {
        room: &'f Room,
        work: crossbeam_channel::Sender<(u64, T, usize)>,
        next: u64,
    },
}

impl<T> Feed<'_, T> {
    /// Hands one item of `bytes` bytes on, once there is room for it; `false`: the writer has
    /// stopped, read no more.
    pub(crate) fn push(&mut self, item: T, bytes: usize) -> bool {
        match &mut self.to {
            To::Inline(map_and_write) => map_and_write(item),
            To::Workers { room, work, next } => {
                if !room.take(bytes) {
                    return false;
                }
                let sent = work.send((*next, item, bytes)).is_ok();
                *next += 1;
                sent
            }
        }
    }
}

/// Maps every item `read` pushes with `map`, on `jobs` threads, and gives the results to `write`
/// in the order they were pushed. Returns the writer's first error, else the reader's.
pub(crate) fn map<T: Send, R: Send>(
    jobs: usize,
    limits: Limits,
    read: impl FnOnce(&mut Feed<'_, T>) -> Result<()> + Send,
    map: impl Fn(T) -> R + Sync,
    mut write: impl FnMut(R) -> Result<Flow>,
) -> Result<()> {
    if jobs <= 1 {
        let mut failed = None;
        let mut map_and_write = |item: T| match write(map(item)) {
            Ok(Flow::Continue) => true,
            Ok(Flow::Stop) => false,
            Err(err) => {
                failed = Some(err);
                false
            }
        };
        let read = read(&mut Feed {
            to: To::Inline(&mut map_and_write),
        });
        return match failed {
            Some(err) => Err(err),
            None => read,
        };
    }
    let room = Room::new(limits);
    let (work_tx, work_rx) = crossbeam_channel::unbounded::<(u64, T, usize)>();
    let (done_tx, done_rx) = mpsc::channel::<(u64, R, usize)>();
    std::thread::scope(|scope| {
        let room = &room;
        let reader = scope.spawn(move || {
            read(&mut Feed {
                to: To::Workers {
                    room,
                    work: work_tx,
                    next: 0,
                },
            })
        });
        for _ in 0..jobs {
            let (work_rx, done_tx, map) = (work_rx.clone(), done_tx.clone(), &map);
            scope.spawn(move || {
                for (seq, item, bytes) in work_rx {
                    if room.is_closed() || done_tx.send((seq, map(item), bytes)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let written = write_in_order(&done_rx, room, &mut write);
        // Whatever happened, the reader and the workers stop: the room is closed, and the
        // workers see it or the closed channel.
        room.close();
        drop(done_rx);
        let read = reader.join().expect("the reader does not panic");
        written.and(read)
    })
}

/// Writes the workers' results in order, making room for each one written.
fn write_in_order<R>(
    done: &mpsc::Receiver<(u64, R, usize)>,
    room: &Room,
    write: &mut impl FnMut(R) -> Result<Flow>,
) -> Result<()> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (seq, result, bytes) in done {
        waiting.insert(seq, (result, bytes));
        while let Some((result, bytes)) = waiting.remove(&next) {
            next += 1;
            let flow = write(result)?;
            room.give_back(bytes);
            if flow == Flow::Stop {
                return Ok(());
            }
        }
    }
    Ok(())
}

const POISONED: &str = "no thread panics holding the room";

/// Work in flight: items and bytes taken by the reader, given back by the writer (the batch of
/// files takes and gives back around each clean).
pub(crate) struct Room {
    limits: Limits,
    taken: Mutex<Taken>,
    /// Signalled when room is given back and someone waits for it, or when closed.
    freed: Condvar,
    closed: AtomicBool,
}

#[derive(Default)]
struct Taken {
    items: usize,
    bytes: usize,
    /// Threads waiting on `freed` (so that giving back wakes them only then).
    waiting: usize,
}

impl Room {
    pub(crate) fn new(limits: Limits) -> Room {
        Room {
            limits,
            taken: Mutex::new(Taken::default()),
            freed: Condvar::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// Waits until an item of `bytes` fits beside what is in flight (or nothing is: a large one
    /// goes alone), and takes its room; `false` once the room is closed.
    pub(crate) fn take(&self, bytes: usize) -> bool {
        let mut taken = self.taken.lock().expect(POISONED);
        loop {
            if self.is_closed() {
                return false;
            }
            let fits = taken.items < self.limits.items.max(1)
                && taken.bytes.saturating_add(bytes) <= self.limits.bytes;
            if fits || taken.items == 0 {
                taken.items += 1;
                taken.bytes += bytes;
                return true;
            }
            taken.waiting += 1;
            taken = self.freed.wait(taken).expect(POISONED);
            taken.waiting -= 1;
        }
    }

    pub(crate) fn give_back(&self, bytes: usize) {
        let mut taken = self.taken.lock().expect(POISONED);
        taken.items -= 1;
        taken.bytes -= bytes;
        // All of them: any of the waiters may fit now, and more than one may.
        if taken.waiting > 0 {
            self.freed.notify_all();
        }
    }

    fn close(&self) {
        // Under the lock, so that a reader about to wait sees it or is woken.
        let _taken = self.taken.lock().expect(POISONED);
        self.closed.store(true, Ordering::SeqCst);
        self.freed.notify_all();
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Squares 0..n with `jobs` jobs, the workers finishing out of order (later items sooner),
    /// and records, at every write, how many items and bytes the reader had pushed beyond it.
    fn run(jobs: usize, limits: Limits, n: usize, size: impl Fn(usize) -> usize + Send) -> Run {
        let pushed = Arc::new(AtomicUsize::new(0));
        let pushed_bytes = Arc::new(AtomicUsize::new(0));
        let (reader_count, reader_bytes) = (Arc::clone(&pushed), Arc::clone(&pushed_bytes));
        let mut out = Vec::new();
        let (mut most_items, mut most_bytes, mut written_bytes) = (0, 0, 0);
        map(
            jobs,
            limits,
            move |feed| {
                for i in 0..n {
                    let bytes = size(i);
                    reader_count.fetch_add(1, Ordering::SeqCst);
                    reader_bytes.fetch_add(bytes, Ordering::SeqCst);
                    if !feed.push((i, bytes), bytes) {
                        break;
                    }
                }
                Ok(())
            },
            |(i, bytes): (usize, usize)| {
                std::thread::sleep(std::time::Duration::from_micros(((n - i) % 7) as u64 * 50));
                (i * i, bytes)
            },
            |(square, bytes)| {
                let ahead = pushed.load(Ordering::SeqCst) - out.len();
                most_items = most_items.max(ahead);
                most_bytes = most_bytes.max(pushed_bytes.load(Ordering::SeqCst) - written_bytes);
                out.push(square);
                written_bytes += bytes;
                Ok(Flow::Continue)
            },
        )
        .expect("runs");
        Run {
            out,
            most_items,
            most_bytes,
        }
    }

    struct Run {
        out: Vec<usize>,
        most_items: usize,
        most_bytes: usize,
    }

    const WIDE: Limits = Limits {
        items: 8,
        bytes: usize::MAX,
    };

    #[test]
    fn results_come_in_input_order_with_any_number_of_jobs() {
        let expected: Vec<usize> = (0..500).map(|i| i * i).collect();
        for jobs in [1, 2, 3, 8] {
            assert_eq!(run(jobs, WIDE, 500, |_| 1).out, expected, "{jobs} jobs");
        }
    }

    #[test]
    fn items_in_flight_are_bounded() {
        let run = run(2, WIDE, 300, |_| 1);
        // The reader counts an item before it waits for room: one more than the limit at most.
        assert!(run.most_items <= WIDE.items + 1, "{}", run.most_items);
        assert!(run.most_items >= 2, "the workers ran side by side");
    }

    #[test]
    fn bytes_in_flight_are_bounded_and_a_large_item_goes_alone() {
        let limits = Limits {
            items: 100,
            bytes: 1_000,
        };
        // Items of 300 bytes, and every tenth of 5,000: more than the limit, so it goes alone.
        let run = run(3, limits, 200, |i| if i % 10 == 0 { 5_000 } else { 300 });
        let expected: Vec<usize> = (0..200).map(|i| i * i).collect();
        assert_eq!(run.out, expected);
        // At a write, in flight: at most the limit, or one large item, plus what the reader has
        // counted and is waiting to push.
        assert!(run.most_bytes <= 5_000 + 5_000, "{}", run.most_bytes);
        let small = self::run(3, limits, 200, |_| 300);
        assert!(small.most_bytes <= 1_000 + 300, "{}", small.most_bytes);
    }

    /// Many takers at once (the batch's workers): every one is woken when room is given back,
    /// never left waiting (a single "someone waits" flag lost the second waiter).
    #[test]
    fn many_takers_all_get_room() {
        let (done_tx, done_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let room = Room::new(Limits {
                items: 1,
                bytes: 100,
            });
            std::thread::scope(|scope| {
                for t in 0..4 {
                    let room = &room;
                    scope.spawn(move || {
                        for i in 0..300 {
                            let bytes = 10 + (t * 7 + i) % 90;
                            assert!(room.take(bytes));
                            std::thread::sleep(std::time::Duration::from_micros(20));
                            room.give_back(bytes);
                        }
                    });
                }
            });
            done_tx.send(()).expect("the test waits");
        });
        done_rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("every taker finished: none was left waiting");
    }

    #[test]
    fn the_writer_stops_the_reader() {
        for jobs in [1, 2] {
            let read = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&read);
            let mut written = 0;
            map(
                jobs,
                WIDE,
                move |feed| {
                    for i in 0..1_000_000 {
                        counted.fetch_add(1, Ordering::SeqCst);
                        if !feed.push(i, 1) {
                            break;
                        }
                    }
                    Ok(())
                },
                |i: usize| i,
                |i| {
                    written += 1;
                    Ok(if i == 9 { Flow::Stop } else { Flow::Continue })
                },
            )
            .expect("runs");
            assert_eq!(written, 10, "{jobs} jobs");
            assert!(
                read.load(Ordering::SeqCst) <= 10 + WIDE.items + 1,
                "{jobs} jobs"
            );
        }
    }

    #[test]
    fn a_write_error_comes_first_and_a_read_error_after_what_was_read() {
        for jobs in [1, 2] {
            let failed = map(
                jobs,
                WIDE,
                |feed| {
                    for i in 0..100 {
                        feed.push(i, 1);
                    }
                    anyhow::bail!("read failed")
                },
                |i: usize| i,
                |i| {
                    if i == 3 {
                        anyhow::bail!("write failed")
                    }
                    Ok(Flow::Continue)
                },
            );
            assert_eq!(
                failed.unwrap_err().to_string(),
                "write failed",
                "{jobs} jobs"
            );

            let mut written = Vec::new();
            let failed = map(
                jobs,
                WIDE,
                |feed| {
                    for i in 0..5 {
                        feed.push(i, 1);
                    }
                    anyhow::bail!("read failed")
                },
                |i: usize| i,
                |i| {
                    written.push(i);
                    Ok(Flow::Continue)
                },
            );
            assert_eq!(failed.unwrap_err().to_string(), "read failed");
            assert_eq!(written, [0, 1, 2, 3, 4], "{jobs} jobs");
        }
    }
}
