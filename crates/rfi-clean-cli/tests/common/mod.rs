//! Running the real `rfi-clean` binary, shared by the CLI test files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_rfi-clean");

/// Runs the binary in `dir` (or here) with `args`, `stdin` piped in (or none) and `env` set.
pub fn run_in(
    dir: Option<&Path>,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // Write stdin from another thread: a streaming run writes output while it reads, and would
    // block on a full stdout pipe that nobody reads yet.
    let writer = stdin.map(|input| {
        let mut pipe = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || drop(pipe.write_all(&input)))
    });
    let output = child.wait_with_output().expect("binary exits");
    if let Some(writer) = writer {
        writer.join().expect("stdin writer");
    }
    output
}
