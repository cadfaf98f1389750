//! `policy-diff serve`: the workbench in a browser. A small synchronous
//! HTTP server (tiny_http: the library underneath is synchronous — tantivy,
//! jieba — so an async runtime would only move every request onto a
//! blocking pool) with a fixed set of worker threads; pages are rendered on
//! the server (maud: templates checked and escaped at compile time) and
//! every page has a JSON twin under `/api/` with the CLI's shapes.
//!
//! Each request opens its own [`Workspace`]: the freshness check every CLI
//! command makes, so an `add` or `index` run beside the server is seen by
//! the next request, and a reader sees the old or the new index, never a
//! half one (the index's commit protocol).

mod pages;
mod params;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::app::{Observer, Workspace};
use crate::{Error, Result};

pub use routes::{handle, Reply};

/// What `serve` was told.
#[derive(Debug, Clone)]
pub struct Config {
    pub corpus_dir: PathBuf,
    pub index_dir: PathBuf,
    pub topics_file: Option<PathBuf>,
    /// Address and port (port 0: any free one).
    pub bind: SocketAddr,
    /// Refuse every request that would change the corpus.
    pub read_only: bool,
    /// When set, every request must carry it (`?token=` once; a cookie
    /// after): required when binding beyond loopback without --read-only.
    pub token: Option<String>,
    /// Worker threads answering requests.
    pub workers: usize,
}

impl Config {
    /// A workspace for one request; its notices are kept for the page.
    pub(crate) fn workspace(&self) -> (Workspace, Arc<Notices>) {
        let notices = Arc::new(Notices::default());
        let ws = Workspace::new(
            self.corpus_dir.clone(),
            self.index_dir.clone(),
            self.topics_file.clone(),
            Box::new(Arc::clone(&notices)),
        );
        (ws, notices)
    }
}

/// The notices of one request: logged on stderr and shown on the page.
#[derive(Default)]
pub struct Notices(Mutex<Vec<String>>);

impl Notices {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Observer for Arc<Notices> {
    fn notice(&self, line: &str) {
        eprintln!("{line}");
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line.to_string());
    }
}

/// A running server.
pub struct Server {
    http: Arc<tiny_http::Server>,
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Bind and start the workers.
    pub fn start(config: Config) -> Result<Server> {
        let http = tiny_http::Server::http(config.bind).map_err(|e| {
            Error::Usage(format!(
                "cannot listen on {}: {e}\nhint: choose another --port (or --port 0 for any free one)",
                config.bind
            ))
        })?;
        let addr = http
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::Usage("the server has no IP address".into()))?;
        let http = Arc::new(http);
        let stopping = Arc::new(AtomicBool::new(false));
        let config = Arc::new(config);
        let workers = (0..config.workers.max(1))
            .map(|_| {
                let (http, config, stopping) = (
                    Arc::clone(&http),
                    Arc::clone(&config),
                    Arc::clone(&stopping),
                );
                std::thread::spawn(move || {
                    while !stopping.load(Ordering::Relaxed) {
                        match http.recv() {
                            Ok(request) => answer(&config, request),
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        Ok(Server {
            http,
            addr,
            stopping,
            workers,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop taking requests, finish those being answered, and return.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::Relaxed);
        for _ in &self.workers {
            self.http.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Read one request (at most 64 KB of body: no route takes more), answer it
/// and log a line.
fn answer(config: &Config, mut request: tiny_http::Request) {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let cookie = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Cookie"))
        .map(|h| h.value.as_str().to_string())
        .unwrap_or_default();
    let mut body = vec![];
    let _ = std::io::Read::take(request.as_reader(), 64 * 1024).read_to_end(&mut body);
    let reply = handle(config, &method, &url, &cookie);
    let status = reply.status;
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(status);
    for (k, v) in reply.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
    eprintln!(
        "{method} {} {status} {:.1} ms",
        routes::loggable(&url),
        started.elapsed().as_secs_f64() * 1000.0
    );
}

use std::io::Read as _;

/// A random token (for binding beyond loopback): 128 bits from the OS's
/// randomness as the standard library's hasher seeds it, the time and the
/// process id, hashed.
pub fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = blake3::Hasher::new();
    for _ in 0..4 {
        let mut s = std::collections::hash_map::RandomState::new().build_hasher();
        s.write_u64(std::process::id() as u64);
        h.update(&s.finish().to_le_bytes());
    }
    h.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
    h.finalize().to_hex()[..32].to_string()
}
