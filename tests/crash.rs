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
            c.add_texts(&refs, &Default::default())
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
