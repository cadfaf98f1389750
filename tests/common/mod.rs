//! Shared test harness: the seed documents, parsed through the library.
#![allow(dead_code)]

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
pub fn index_options(rebuild: bool) -> policy_diff::index::Options<'static> {
    fn no_topics(_: &Provision) -> Vec<String> {
        vec![]
    }
    policy_diff::index::Options {
        rebuild,
        progress: false,
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
