//! `policy-diff serve` beyond its pages: connections over real sockets
//! (bursts of keep-alive clients, as a load generator opens them) and the
//! JSON twins' filters and writes.

mod common;
#[path = "common/serve.rs"]
mod fixture;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use fixture::*;
use policy_diff::serve::Server;

/// Read one reply's head from a keep-alive connection; the status line.
fn status_line(s: &mut TcpStream) -> std::io::Result<String> {
    let mut head = vec![];
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    Ok(head.lines().next().unwrap_or("").to_string())
}

/// Issue 18's lost load-test request. tiny_http hands each new connection
/// to a pool thread; its pool counted as idle the threads it had already
/// woken for connections queued before, so a burst of connections (a load
/// generator opening its clients) queued more connections than there were
/// idle threads, and the extra ones waited, unanswered, until another
/// client closed its connection and freed a thread (wrk counted the one
/// freed by an upload's connection as a request over its 2 s timeout).
/// Every connection of a burst must be answered while all of them stay
/// open. Rounds after the first find idle threads left by the previous
/// round, fewer than the burst.
#[test]
fn a_burst_of_keep_alive_connections_is_answered_at_once() {
    let index = tempfile::tempdir().unwrap();
    let server = Server::start(config(index.path())).unwrap();
    let addr = server.addr();
    for n in [12, 20, 28] {
        let mut conns: Vec<TcpStream> = (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect();
        for s in &mut conns {
            write!(s, "GET /style.css HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        }
        // Generous for a loaded machine: an unanswered connection waits
        // for ever (until the others close), an answered one milliseconds.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut lost = vec![];
        for (i, s) in conns.iter_mut().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            s.set_read_timeout(Some(left.max(Duration::from_millis(10))))
                .unwrap();
            match status_line(s) {
                Ok(line) if line.starts_with("HTTP/1.1 200") => {}
                other => lost.push((i, other.map_err(|e| e.kind()))),
            }
        }
        assert!(
            lost.is_empty(),
            "{} of a burst of {n} keep-alive connections unanswered: {lost:?}",
            lost.len()
        );
        drop(conns);
        // Let the pool's threads go back to waiting for connections.
        std::thread::sleep(Duration::from_millis(100));
    }
    server.stop();
}

