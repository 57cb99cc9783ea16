//! Nothing runs in a real browser: every cleaned payload of the corpora is loaded into headless
//! Chromium (inserted directly, as innerHTML, and with document.write into a frame) with
//! alert/confirm/prompt/print/console/onerror hooked, elements are sent pointer and focus
//! events, every URL attribute is resolved by the browser, and every request is seen by a local
//! proxy. A negative control proves the harness sees script run.
//!
//! Needs Chromium (`apt-get install chromium`), so it is ignored by default; run it with
//! `cargo test --test browser -- --ignored` (`.ci/run` does).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// Requests the browser made that a clean page must not make: scripts, frames, objects...
type Requests = Arc<Mutex<Vec<String>>>;

/// Serves the harness pages and acts as the browser's proxy for everything else, recording it.
fn serve(pages: Arc<Vec<String>>, requests: Requests) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let pages = Arc::clone(&pages);
            let requests = Arc::clone(&requests);
            // One thread a connection: the browser opens some speculatively and sends nothing.
            std::thread::spawn(move || answer(stream, &pages, &requests));
        }
    });
    port
}

fn answer(mut stream: std::net::TcpStream, pages: &[String], requests: &Requests) {
    drop(stream.set_read_timeout(Some(std::time::Duration::from_secs(10))));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut dest = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("sec-fetch-dest:") {
            dest = value.trim().to_owned();
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    // Through the proxy, the page itself may be asked for in absolute form.
    let path = target.find("/page/").map_or("", |i| &target[i..]);
    let page = path
        .strip_prefix("/page/")
        .and_then(|n| n.parse::<usize>().ok());
    let response = match page.and_then(|n| pages.get(n)) {
        Some(body) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        None => {
            // Images may load (a clean page keeps its pictures); HTTPS hosts arrive as CONNECT,
            // without a destination. Anything that runs, frames or navigates must not be asked.
            let method = request_line.split_whitespace().next().unwrap_or("");
            let forbidden = matches!(
                dest.as_str(),
                "script"
                    | "style"
                    | "iframe"
                    | "frame"
                    | "object"
                    | "embed"
                    | "document"
                    | "worker"
                    | "sharedworker"
                    | "serviceworker"
                    | "audioworklet"
                    | "paintworklet"
                    | "xslt"
                    | "manifest"
            );
            // The browser's own traffic (its updater) carries no Sec-Fetch-Dest; pages' does.
            let from_page = !dest.is_empty();
            if forbidden || from_page && !matches!(method, "GET" | "CONNECT") {
                requests
                    .lock()
                    .expect("lock")
                    .push(format!("{method} {target} ({dest})"));
            }
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
        }
    };
    drop(stream.write_all(response.as_bytes()));
}

fn page(payloads: &[String]) -> String {
    let template = include_str!("browser/harness.html");
    let json = serde_json::to_string(payloads).expect("JSON");
    // `</script>` cannot occur in cleaned output, but escape `<` anyway inside the script.
    let json = json.replace('<', "\\u003c");
    template
        .replace("/*PAYLOADS*/", &json)
        .replace("/*DIRECT*/", &payloads.concat())
}

fn chromium() -> String {
    for candidate in ["chromium", "chromium-browser", "google-chrome"] {
        if Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return candidate.to_owned();
        }
    }
    panic!("Chromium is needed: apt-get install chromium");
}

/// Loads page `n` and returns what the harness recorded.
fn load(browser: &str, port: u16, n: usize) -> serde_json::Value {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = Command::new("timeout")
        .args(["60", browser])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{port}"))
        .arg("--dump-dom")
        .arg(format!("http://127.0.0.1:{port}/page/{n}"))
        .output()
        .expect("chromium runs");
    // A script that runs where no hook is (a javascript: frame) opens a real dialog, and a
    // headless browser then waits for ever: the time limit ends it, and that is a failure too.
    assert!(
        output.status.code() != Some(124),
        "page {n}: the browser blocked, likely on a dialog that script opened"
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<pre id=\"__result\">").unwrap_or_else(|| {
        panic!(
            "page {n}: no result in the DOM; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    }) + "<pre id=\"__result\">".len();
    let end = start + dom[start..].find("</pre>").expect("result ends");
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("result is JSON")
}

#[test]
#[ignore = "needs Chromium: cargo test --test browser -- --ignored"]
fn nothing_runs_in_chromium() {
    let browser = chromium();
    let cleaner = rfi_clean::Cleaner::default();
    let mut cleaned = Vec::new();
    for (file, _) in common::CORPORA {
        for payload in common::payloads(file) {
            cleaned.push(cleaner.clean(&payload).expect("cleans").html().to_owned());
        }
    }
    assert_eq!(cleaned.len(), 2183);
    // Page 0 is the negative control: raw payloads that do run script.
    let control = vec![
        "<img src=x onerror=alert(1)>".to_owned(),
        "<svg onload=alert(2)>".to_owned(),
        "<details open ontoggle=alert(3)>".to_owned(),
        "<a href=\"javascript:alert(4)\">x</a>".to_owned(),
    ];
    let mut pages = vec![page(&control)];
    for batch in cleaned.chunks(100) {
        pages.push(page(batch));
    }
    let requests = Requests::default();
    let port = serve(Arc::new(pages.clone()), Arc::clone(&requests));

    let result = load(&browser, port, 0);
    let fired = result["fired"].as_array().expect("fired").len();
    let bad = result["bad"].as_array().expect("bad").len();
    assert!(
        fired >= 2 && bad >= 2,
        "the control page must show script running: {result}"
    );
    requests.lock().expect("lock").clear();

    for n in 1..pages.len() {
        let result = load(&browser, port, n);
        assert_eq!(
            result["fired"],
            serde_json::json!([]),
            "page {n}: script ran"
        );
        assert_eq!(
            result["bad"],
            serde_json::json!([]),
            "page {n}: script URLs"
        );
    }
    let requests = requests.lock().expect("lock");
    assert!(
        requests.is_empty(),
        "requests a clean page must not make: {requests:?}"
    );
}
