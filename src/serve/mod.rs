//! `policy-diff serve`: the workbench in a browser. A small synchronous
//! HTTP server (tiny_http: the library underneath is synchronous — tantivy,
//! jieba — so an async runtime would only move every request onto a
//! blocking pool) with a fixed set of worker threads; pages are rendered on
//! the server (maud: templates checked and escaped at compile time) and
//! every page has a JSON twin under `/api/` with the CLI's shapes.
//!
//! Searches, the document list and the compare and diff pages' document
//! pickers share one corpus view and index reader ([`SharedReader`]),
//! checked at each request by a few `stat`s and replaced when the corpus
//! or the index changed, so an `add` or `index` run beside the server is
//! seen by the next request, and a reader sees the old or the new index,
//! never a half one (the index's commit protocol). Other pages open their
//! own [`Workspace`] per request. Uploads (`POST /add`, see `upload.rs`)
//! take the corpus's write lock as `add` does; searches meanwhile answer
//! from the last snapshot.

mod multipart;
mod pages;
mod params;
mod routes;
mod upload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::app::shared::SharedReader;
use crate::app::{Observer, Workspace};
use crate::{Error, Result};

pub use routes::{handle, respond, Reply, Request};

/// The default limit of one upload's body (`--max-upload`).
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

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
    /// The largest upload body taken, in bytes (413 beyond it).
    pub max_upload: usize,
    /// The CSRF token of this server's forms (a secret of the process).
    pub csrf: String,
    /// The corpus view and index reader searches (and the document list)
    /// share.
    pub shared: Arc<SharedReader>,
}

impl Config {
    /// A writable server on 127.0.0.1 (any free port) over these
    /// directories, with a fresh CSRF secret and the default limits.
    pub fn new(corpus_dir: PathBuf, index_dir: PathBuf) -> Config {
        Config {
            corpus_dir,
            index_dir,
            topics_file: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            read_only: false,
            token: None,
            workers: 8,
            max_upload: MAX_UPLOAD,
            csrf: new_token(),
            shared: Arc::new(SharedReader::new()),
        }
    }

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
        let cannot = |e: &dyn std::fmt::Display| {
            Error::Usage(format!(
                "cannot listen on {}: {e}\nhint: choose another --port (or --port 0 for any free one)",
                config.bind
            ))
        };
        let listener = std::net::TcpListener::bind(config.bind).map_err(|e| cannot(&e))?;
        no_delay(&listener);
        let http = tiny_http::Server::from_listener(listener, None).map_err(|e| cannot(&e))?;
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

/// Read one request (its body up to the upload limit), answer it and log
/// a line.
fn answer(config: &Config, mut request: tiny_http::Request) {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
            .unwrap_or_default()
    };
    let (cookie, host, origin, content_type) = (
        header("Cookie"),
        header("Host"),
        header("Origin"),
        header("Content-Type"),
    );
    // A body longer than the limit is not read: its length says so, or
    // reading stops one byte past the limit.
    let mut too_large = request.body_length().is_some_and(|n| n > config.max_upload);
    let mut body = vec![];
    if !too_large && method == "POST" {
        let _ = request
            .as_reader()
            .take(config.max_upload as u64 + 1)
            .read_to_end(&mut body);
        too_large = body.len() > config.max_upload;
    }
    let reply = respond(
        config,
        &Request {
            method: &method,
            url: &url,
            cookie: &cookie,
            host: &host,
            origin: &origin,
            content_type: &content_type,
            body: &body,
            too_large,
        },
    );
    let status = reply.status;
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(status);
    for (k, v) in reply.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    // A body left unread (past the limit) is not a hazard to the next
    // request on the connection: tiny_http reads a Content-Length body to
    // its end when the request is dropped, after the reply is sent (it
    // also ignores a `Connection` header set here).
    let _ = request.respond(response);
    eprintln!(
        "{method} {} {status} {:.1} ms",
        routes::loggable(&url),
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// Set TCP_NODELAY on the listening socket; Linux (and the BSDs) pass it
/// on to every accepted connection. tiny_http writes a response's head and
/// its body in separate writes (a 1 KB buffer): with Nagle's algorithm on,
/// the body's last segment waits for the client's delayed ACK of the head
/// (~40 ms on Linux) on keep-alive connections.
fn no_delay(listener: &std::net::TcpListener) {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket descriptor and a pointer to a c_int of the
        // size given; failure only leaves Nagle on.
        unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
    #[cfg(not(unix))]
    let _ = listener;
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

#[cfg(test)]
mod tests {
    /// The premise of `no_delay`: a connection accepted from a listener
    /// with TCP_NODELAY has it too.
    #[cfg(target_os = "linux")]
    #[test]
    fn accepted_connections_inherit_no_delay() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        super::no_delay(&listener);
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap());
        let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let _client = std::net::TcpStream::connect(plain.local_addr().unwrap()).unwrap();
        assert!(!plain.accept().unwrap().0.nodelay().unwrap());
    }
}
