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
use policy_diff::serve::{respond, Config, Request, Server};
use serde_json::Value;

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

fn json(c: &Config, url: &str) -> Value {
    let r = get(c, url);
    assert_eq!(r.status, 200, "{url}: {}", body(&r));
    serde_json::from_slice(&r.body).unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["provision_id"].as_str().unwrap().to_string())
        .collect()
}

/// The instrument filter of /api/search and the search page (`i=`, an
/// instrument or a family) keeps the hits the CLI's `search --instrument`
/// keeps, and only some of the unfiltered ones.
#[test]
fn the_instrument_filter_narrows_as_the_cli_does() {
    let index = tempfile::tempdir().unwrap();
    let c = config(index.path());
    let cli_index = tempfile::tempdir().unwrap();
    let corpus = common::repo().join("corpus");
    let all = json(&c, &format!("/api/search?q={}&n=100", q("人才")));
    let all_ids = ids(&all);
    for instrument in ["supply.talent", "需求型"] {
        let api = json(
            &c,
            &format!("/api/search?q={}&i={}&n=100", q("人才"), q(instrument)),
        );
        let cli = common::run_json(
            common::cli(&corpus, cli_index.path()),
            &["search", "人才", "-i", instrument, "-n", "100"],
        );
        assert_eq!(api["total"], cli["total"], "{instrument}");
        assert_eq!(ids(&api), ids(&cli), "{instrument}");
        let n = api["total"].as_u64().unwrap();
        assert!(
            n > 0 && n < all["total"].as_u64().unwrap(),
            "{instrument}: {n} of {}",
            all["total"]
        );
        assert!(
            ids(&api).iter().all(|id| all_ids.contains(id)),
            "{instrument}"
        );
        // The page shows the same count, and keeps the filter chosen.
        let page = body(&get(
            &c,
            &format!("/search?q={}&i={}", q("人才"), q(instrument)),
        ));
        assert!(page.contains(&format!(">{n} provisions match")), "{page}");
    }
    let bad = get(&c, &format!("/api/search?q={}&i=nothing.such", q("人才")));
    assert_eq!(bad.status, 404, "{}", body(&bad));
}

fn api_post<'a>(body: &'a [u8], content_type: &'a str) -> Request<'a> {
    Request {
        url: "/api/add",
        ..post(body, content_type)
    }
}

/// `POST /api/add`: the Add page's checks and outcomes, in JSON.
#[test]
fn the_add_api_adds_refuses_and_answers_in_json() {
    let (dir, c) = writable();
    let corpus = dir.path().join("corpus");
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let found = |c: &Config| json(c, &format!("/api/search?q={}", q("\"运维人才驿站\"")));
    assert_eq!(found(&c)["total"], 0);
    let snapshot = || (tree(&corpus), tree(&dir.path().join("index")));
    let good: &[(&str, &[u8])] = &[("驿站通知.txt", UPLOADED.as_bytes())];

    // The token a script sends is the Add page's.
    assert_eq!(json(&c, "/api/add")["csrf"], c.csrf.as_str());

    // Without it, or from another site: 403 in JSON, nothing changed.
    let before = snapshot();
    let b = form(&[("csrf", "wrong")], good);
    let r = respond(&c, &api_post(&b, &ct));
    assert_eq!(r.status, 403);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v["error"].as_str().unwrap().contains("token"), "{v}");
    let b = form(&[("csrf", &c.csrf)], good);
    let r = respond(
        &c,
        &Request {
            origin: "http://evil.example",
            ..api_post(&b, &ct)
        },
    );
    assert_eq!(r.status, 403);
    assert!(
        snapshot() == before,
        "a refused POST changed the corpus or index"
    );

    // A file add refuses: named with the reason, nothing changed.
    let bad = form(&[("csrf", &c.csrf)], &[("setup.exe", b"MZ\x90\x00\x03")]);
    let r = respond(&c, &api_post(&bad, &ct));
    assert_eq!(r.status, 400, "{}", body(&r));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["added"], 0);
    assert_eq!(v["files"][0]["file"], "setup.exe");
    assert_eq!(v["files"][0]["outcome"], "refused");
    assert!(v["files"][0]["error"].as_str().is_some(), "{v}");
    assert_eq!(v["index"], Value::Null);
    assert!(
        snapshot() == before,
        "a refused file changed the corpus or index"
    );

    // A good one: added, indexed, and found by the next search.
    let r = respond(&c, &api_post(&b, &ct));
    assert_eq!(r.status, 200, "{}", body(&r));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (v["added"].clone(), v["refused"].clone()),
        (1.into(), 0.into())
    );
    let file = &v["files"][0];
    assert_eq!(file["outcome"], "added", "{v}");
    assert_eq!(file["document"]["doc_number"], "连政发〔2024〕7号", "{v}");
    let id = file["document"]["id"].as_str().unwrap().to_string();
    assert!(v["index"]["summary"].as_str().is_some(), "{v}");
    let hits = found(&c);
    assert_eq!(hits["total"], 1);
    assert_eq!(hits["hits"][0]["doc_id"], id.as_str());

    // The same file again: refused as a duplicate, nothing changed.
    let before = snapshot();
    let r = respond(&c, &api_post(&b, &ct));
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["files"][0]["outcome"], "refused");
    assert!(
        v["files"][0]["error"]
            .as_str()
            .unwrap()
            .contains("already in the corpus"),
        "{v}"
    );
    assert!(
        snapshot() == before,
        "a duplicate changed the corpus or index"
    );

    // Read-only: no form to fetch, and a POST is refused in JSON.
    let ro = Config {
        read_only: true,
        ..c.clone()
    };
    assert_eq!(get(&ro, "/api/add").status, 404);
    let r = respond(&ro, &api_post(&b, &ct));
    assert_eq!(r.status, 405);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v["error"].as_str().unwrap().contains("read-only"), "{v}");
    assert!(snapshot() == before);
}

/// A background index update that fails (here: a document's file went
/// missing) is not tried again by every request but after a back-off,
/// the answers meanwhile carry its error as `stale`, and once the cause
/// is gone the next attempt succeeds and the notice goes.
#[test]
fn a_failing_index_update_backs_off_and_is_shown() {
    let (dir, c) = writable();
    let corpus = dir.path().join("corpus");
    let found = |c: &Config| json(c, &format!("/api/search?q={}", q("\"运维人才驿站\"")));
    assert_eq!(found(&c)["total"], 0);
    // A document added beside the server without indexing, whose file is
    // then lost: updating the index fails.
    let upload = dir.path().join("驿站通知.txt");
    std::fs::write(&upload, UPLOADED).unwrap();
    let (mut writer, lock) =
        policy_diff::corpus::Corpus::open_for_writing(&corpus, &policy_diff::app::Quiet).unwrap();
    let added = writer.add_file(&upload, &Default::default()).unwrap();
    drop(lock);
    let text = corpus.join(&added.file);
    let bytes = std::fs::read(&text).unwrap();
    std::fs::remove_file(&text).unwrap();

    let wait_for = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done() {
            assert!(Instant::now() < deadline, "{what} never happened");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for("a first failed update", &|| {
        found(&c);
        c.shared.backoff().failures() >= 1
    });
    assert_eq!(c.shared.backoff().failures(), 1);
    let v = found(&c);
    assert_eq!(v["total"], 0, "answered from the last index");
    assert!(
        v["stale"]["error"].as_str().unwrap().contains("missing"),
        "{v}"
    );
    let page = body(&get(&c, &format!("/search?q={}", q("人才"))));
    assert!(page.contains("answering from the last index"), "{page}");
    // Requests before the back-off allows start no attempt.
    let next = c.shared.backoff().next_attempt().unwrap();
    let mut asked = 0;
    while Instant::now() + Duration::from_millis(300) < next {
        found(&c);
        asked += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(asked > 0, "the machine is too slow for this test");
    assert_eq!(c.shared.backoff().failures(), 1, "{asked} requests");
    // After it, one more attempt, which fails again and waits longer.
    wait_for("a second failed update", &|| {
        found(&c);
        c.shared.backoff().failures() >= 2
    });
    assert_eq!(c.shared.backoff().failures(), 2);
    // The file back: the next attempt succeeds, and the notice goes.
    std::fs::write(&text, bytes).unwrap();
    wait_for("the document found", &|| found(&c)["total"] == 1);
    assert_eq!(c.shared.backoff().failures(), 0);
    assert!(c.shared.failure().is_none());
    assert!(found(&c).get("stale").is_none());
}
