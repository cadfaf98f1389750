//! Crash safety and concurrency of indexing: SIGKILL at varied points, two
//! writers at once, a search during a rebuild.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command as Proc, Stdio};
use std::time::Duration;

use common::*;
use policy_diff::corpus::Corpus;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// The seeds plus the laws bench corpus: large enough to interrupt.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.retain(|p| p.extension().is_some_and(|x| x == "txt"));
        for sub in ["经济法", "行政法", "社会法", "民法商法", "司法解释"] {
            files.extend(
                std::fs::read_dir(laws_dir().join(sub))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.file_name().unwrap() != "_index.md"),
            );
        }
        let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        let mut c = Corpus::open(&corpus).unwrap();
        assert!(
            c.add_files(&refs, &Default::default())
                .iter()
                .filter(|r| r.is_ok())
                .count()
                > 300
        );
        Fixture { dir }
    }

    fn cmd(&self, args: &[&str]) -> Proc {
        let mut c = Proc::new(assert_cmd::cargo::cargo_bin("policy-diff"));
        c.arg("--corpus")
            .arg(self.dir.path().join("corpus"))
            .arg("--index")
            .arg(self.dir.path().join("index"));
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn total(&self, phrase: &str) -> u64 {
        let out = self
            .cmd(&[
                "search",
                &format!("\"{phrase}\""),
                "--format",
                "json",
                "--limit",
                "1",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "search failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["total"].as_u64().unwrap()
    }

    fn edit_seed(&self, from: &str, to: &str) {
        let c = Corpus::open(&self.dir.path().join("corpus")).unwrap();
        let path = c.file_path(c.entry("nt-2021-23").unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from));
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
}

#[test]
fn killed_indexer_leaves_a_usable_index_and_the_next_run_finishes() {
    let f = Fixture::new();
    assert!(f.cmd(&["index"]).status().unwrap().success());
    let baseline = f.total("人民代表大会");
    assert!(baseline > 0);
    for (round, delay_ms) in [50u64, 400, 1200, 2500].into_iter().enumerate() {
        // Change the corpus, then kill a rebuild (even rounds) or an update (odd).
        let marker = format!("青年英才{round}");
        f.edit_seed("集聚高水平人才", &format!("集聚高水平人才{marker}"));
        let args: &[&str] = if round % 2 == 0 {
            &["index", "--rebuild"]
        } else {
            &["index"]
        };
        let mut child = f.cmd(args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // The next reader brings the index up to date and answers correctly.
        assert_eq!(f.total(&marker), 1, "round {round}: the change is found");
        assert_eq!(
            f.total("人民代表大会"),
            baseline,
            "round {round}: nothing else changed"
        );
        let out = f.cmd(&["index"]).output().unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("0 added, 0 updated, 0 removed"),
            "round {round}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn two_writers_and_a_reader_at_once() {
    let f = Fixture::new();
    assert!(f.cmd(&["index"]).status().unwrap().success());
    let baseline = f.total("人民代表大会");
    let a = f.cmd(&["index", "--rebuild"]).spawn().unwrap();
    let b = f.cmd(&["index", "--rebuild"]).spawn().unwrap();
    // Searches during the rebuilds see a complete index (old or new).
    for _ in 0..3 {
        assert_eq!(f.total("人民代表大会"), baseline);
    }
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    let waited = [&a, &b]
        .iter()
        .any(|o| String::from_utf8_lossy(&o.stderr).contains("waiting for it to finish"));
    assert!(waited, "one writer waited for the other");
    assert_eq!(f.total("人民代表大会"), baseline);
}

/// SIGKILL during `add` (a folder) and `remove`: afterwards the catalog is
/// whole, every entry has its text, and the index agrees with the catalog.
#[test]
fn killed_add_and_remove_leave_a_consistent_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let folder = dir.path().join("incoming");
    std::fs::create_dir(&folder).unwrap();
    for sub in ["经济法", "社会法"] {
        for e in std::fs::read_dir(laws_dir().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().unwrap() != "_index.md" {
                std::fs::copy(&p, folder.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let cmd = |args: &[&str]| {
        let mut c = Proc::new(assert_cmd::cargo::cargo_bin("policy-diff"));
        c.arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(dir.path().join("index"));
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let check = |round: &str| {
        let c = Corpus::open(&corpus).expect("the catalog parses after a kill");
        for e in &c.catalog.documents {
            assert!(c.file_path(e).exists(), "{round}: {} lost its text", e.id);
        }
        // The index follows: a search works and `index` then has nothing to do.
        let out = cmd(&["search", "\"国家\"", "--format", "json", "--limit", "1"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{round}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = cmd(&["index"]).output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("0 added, 0 updated, 0 removed"),
            "{round}"
        );
        c.catalog.documents.len()
    };
    // Without the near-duplicate check, as before it existed: the kills
    // must fall before and after the catalog is written. On a loaded machine
    // the first three may all fall before it: the delay then doubles until
    // the catalog lists documents (or `add` ends by itself).
    let mut delays = vec![30u64, 300, 900];
    let mut i = 0;
    while let Some(&delay) = delays.get(i) {
        i += 1;
        let mut child = cmd(&["add", "--allow-near-duplicate", folder.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        check(&format!("add killed after {delay} ms"));
        let empty = Corpus::open(&corpus).unwrap().catalog.documents.is_empty();
        if i == delays.len() && empty && delay < 60_000 {
            delays.push(delay * 2);
        }
    }
    let n = check("before remove");
    assert!(n > 0);
    let first = Corpus::open(&corpus).unwrap().catalog.documents[0]
        .id
        .clone();
    let mut child = cmd(&["remove", &first]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let _ = child.kill();
    let _ = child.wait();
    let after = check("remove killed");
    assert!(after == n || after == n - 1);
}
