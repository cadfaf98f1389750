//! Shared test harness: the seed documents, parsed through the library.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use policy_diff::corpus::{Corpus, Document, Provision};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn seeds_dir() -> PathBuf {
    repo().join("../shared/seeds")
}

pub fn laws_dir() -> PathBuf {
    repo().join("../shared/bench-corpus/laws")
}

pub fn corpus() -> Corpus {
    Corpus::open(&repo().join("corpus")).expect("bundled corpus opens")
}

pub fn doc(id: &str) -> Document {
    let c = corpus();
    let e = c.entry(id).expect("seed id").clone();
    c.document(&e).expect("seed parses")
}

pub fn find<'a>(doc: &'a Document, heading_prefix: &str) -> &'a Provision {
    doc.provisions
        .iter()
        .find(|p| p.heading.starts_with(heading_prefix))
        .unwrap_or_else(|| panic!("no provision headed {heading_prefix:?} in {}", doc.entry.id))
}

/// The seed file a corpus document was copied from.
pub fn seed_text(file_prefix: &str) -> String {
    let entry = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(file_prefix)
        })
        .expect("seed exists");
    std::fs::read_to_string(entry).unwrap()
}

/// Copy a directory tree (a corpus a test may change).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Every file under `dir` (subdirectories too), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// The binary with `--corpus` and `--index` set, and the environment that
/// could change what it does (default paths, taxonomy, terminal width) cleared.
pub fn cli(corpus: &Path, index: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("policy-diff").unwrap();
    for var in [
        "POLICY_DIFF_CORPUS",
        "POLICY_DIFF_INDEX",
        "POLICY_DIFF_TOPICS",
        "COLUMNS",
    ] {
        c.env_remove(var);
    }
    c.arg("--corpus").arg(corpus).arg("--index").arg(index);
    c
}

/// Index options without topics and without progress bars (tests of the
/// index itself).
/// Run `cmd` and assert that it succeeded (its stderr is the message);
/// its output.
pub fn succeed(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn index_options(rebuild: bool) -> policy_diff::index::Options<'static> {
    fn no_topics(_: &Provision, _: &str, _: &str) -> Vec<String> {
        vec![]
    }
    policy_diff::index::Options {
        rebuild,
        observer: &policy_diff::app::Quiet,
        topics: policy_diff::index::Topics {
            version: "none".into(),
            classify: &no_topics,
        },
    }
}

/// Run `cmd` with `args` and `--format json`; it must succeed; its stdout parsed.
pub fn run_json(mut cmd: assert_cmd::Command, args: &[&str]) -> serde_json::Value {
    let out = cmd.args(args).args(["--format", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A temporary corpus holding the five seeds (added through the library):
/// the directory guard and the corpus path.
pub fn seeded_corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let seeds: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let seeds: Vec<&Path> = seeds.iter().map(|p| p.as_path()).collect();
    assert!(c
        .add_files(&seeds, &Default::default())
        .iter()
        .all(|r| r.is_ok()));
    (dir, corpus_dir)
}

/// An index of `corpus_dir` built in `dir/index` (one update through the
/// library): its directory and handle.
pub fn indexed(dir: &Path, corpus_dir: &Path) -> (PathBuf, policy_diff::index::IndexDir) {
    let index_dir = dir.join("index");
    let index = policy_diff::index::IndexDir::new(&index_dir);
    index
        .update(&Corpus::open(corpus_dir).unwrap(), &index_options(false))
        .unwrap();
    (index_dir, index)
}

/// The live generation directory of the index in `index_dir` (`CURRENT`).
pub fn generation(index_dir: &Path) -> PathBuf {
    let gen = std::fs::read_to_string(index_dir.join("CURRENT")).unwrap();
    index_dir.join(gen.trim())
}

/// A temporary corpus, index, input folder and converters' TMPDIR, and the
/// binary run on them: the harness of the `add` and intake tests.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What a command did: exit code, stdout and stderr as text.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn of(o: std::process::Output) -> Out {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// The id in "added FILE as ID: ...".
    pub fn added_id(&self) -> String {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("added "))
            .unwrap_or_else(|| panic!("nothing added: {self:?}"));
        line.split(" as ")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .to_string()
    }
}

impl Env {
    pub fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        for d in [env.corpus(), env.input(), env.tmp()] {
            std::fs::create_dir_all(d).unwrap();
        }
        env
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Where the fixtures to add are written.
    pub fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    /// The converters' temporary directory (TMPDIR), to see what they leave.
    pub fn tmp(&self) -> PathBuf {
        self.dir.path().join("tmp")
    }

    /// The binary on this corpus and index, with TMPDIR set to [`Env::tmp`].
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = cli(&self.corpus(), &self.index());
        c.env("TMPDIR", self.tmp());
        c
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut c = self.cmd();
        for (k, v) in env {
            c.env(k, v);
        }
        Out::of(c.args(args).output().unwrap())
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[])
    }

    pub fn add(&self, file: &Path, extra: &[&str]) -> Out {
        let mut c = self.cmd();
        c.arg("add").arg(file).args(extra);
        Out::of(c.output().unwrap())
    }

    /// Write a fixture under [`Env::input`].
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.input().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// The catalog file's bytes (none before the first `add`).
    pub fn catalog(&self) -> Vec<u8> {
        std::fs::read(self.corpus().join("catalog.toml")).unwrap_or_default()
    }

    /// `meta ID --format json`, which must succeed.
    pub fn meta(&self, id: &str) -> serde_json::Value {
        let out = self.run(&["meta", id, "--format", "json"]);
        assert_eq!(out.code, 0, "{out:?}");
        serde_json::from_str(&out.stdout).unwrap()
    }

    /// Exact-phrase hits: (total, doc ids of the hits).
    pub fn phrase(&self, phrase: &str) -> (u64, Vec<String>) {
        let out = self.run(&["search", &format!("\"{phrase}\""), "--format", "json"]);
        assert_eq!(out.code, 0, "search failed: {}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let ids = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["doc_id"].as_str().unwrap().to_string())
            .collect();
        (v["total"].as_u64().unwrap(), ids)
    }

    /// Every file under the corpus and index folders (the write lock aside).
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = vec![];
        for root in [self.corpus(), self.index()] {
            let mut stack = vec![root];
            while let Some(d) = stack.pop() {
                let Ok(rd) = std::fs::read_dir(&d) else {
                    continue;
                };
                for e in rd {
                    let e = e.unwrap();
                    if e.file_type().unwrap().is_dir() {
                        stack.push(e.path());
                    } else if e.file_name() != "LOCK" {
                        files.push(e.path());
                    }
                }
            }
        }
        files
    }

    /// Every file under the corpus and index folders with its bytes:
    /// "byte-identical".
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        self.files()
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect()
    }

    /// Every file under the corpus and index folders with its size and
    /// modification time: "not even rewritten".
    pub fn stamps(&self) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
        self.files()
            .into_iter()
            .map(|p| {
                let md = std::fs::metadata(&p).unwrap();
                (p, (md.len(), md.modified().unwrap()))
            })
            .collect()
    }
}

/// Debian's chromium, for the browser tests (`./.ci/test` installs it).
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Headless, offline, and the same window for every screenshot.
pub const HEADLESS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,900",
];

/// Run Chromium headless with a fresh profile on `url` with `extra`
/// arguments; its stdout.
pub fn chromium(extra: &str, url: &str, profile: &Path) -> String {
    let mut child = std::process::Command::new(CHROMIUM)
        .args(HEADLESS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(extra)
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    use std::io::Read;
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// A small deterministic generator (xorshift), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
