//! I/O faults (issue 21) by fault injection that needs no privileges: the
//! binary runs under a file-size limit (`ulimit -f`, with SIGXFSZ ignored),
//! so every write past the limit fails as a write to a full disk does, at
//! whatever point of `add`, `index`, `index --rebuild` or `remove` it falls.
//! After each fault, reading commands answer from the last committed index
//! (exit 0, one line on stderr, a `stale` object in JSON); the next run
//! without the limit completes the work, and corpus and index agree.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

struct Env {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
}

/// The seeds, indexed.
fn seeded() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    let env = Env {
        index: dir.path().join("index"),
        corpus,
        _dir: dir,
    };
    assert!(env.run(None, &["index"]).status.success());
    env
}

impl Env {
    /// Run the binary, under a file-size limit of `limit_kb` when given.
    fn run(&self, limit_kb: Option<u32>, args: &[&str]) -> Output {
        let bin = assert_cmd::cargo::cargo_bin("policy-diff");
        let mut c = std::process::Command::new("bash");
        let limit = limit_kb.map_or("unlimited".to_string(), |k| k.to_string());
        // `ulimit -f` counts 1024-byte blocks in bash.
        c.arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f {limit}; exec \"$@\""))
            .arg("bash")
            .arg(&bin)
            .arg("--corpus")
            .arg(&self.corpus)
            .arg("--index")
            .arg(&self.index)
            .args(args);
        for var in [
            "POLICY_DIFF_CORPUS",
            "POLICY_DIFF_INDEX",
            "POLICY_DIFF_TOPICS",
        ] {
            c.env_remove(var);
        }
        c.output().unwrap()
    }

    fn search_json(&self, limit_kb: Option<u32>, query: &str) -> (serde_json::Value, String) {
        let out = self.run(limit_kb, &["search", query, "-n", "3", "--format", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "search under a fault: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    }

    fn leftovers(&self) -> Vec<String> {
        let mut found = vec![];
        for dir in [&self.index, &self.corpus] {
            walk(dir, &mut |p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if name.contains(".tmp") || name.starts_with(".adding") {
                    found.push(p.display().to_string());
                }
            });
        }
        found
    }
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), f);
        } else {
            f(&e.path());
        }
    }
}

fn laws_folder() -> PathBuf {
    laws_dir().join("经济法")
}

/// A term found in the laws folder and not in the seeds.
const LAW_TERM: &str = "\"反不正当竞争\"";

#[test]
fn reading_answers_from_the_last_index_while_updates_fail() {
    let env = seeded();
    let (before, _) = env.search_json(None, "人才");
    let folder = laws_folder();
    let add = env.run(
        None,
        &[
            "add",
            "--no-index",
            "--allow-near-duplicate",
            folder.to_str().unwrap(),
        ],
    );
    // The folder's _index.md is refused (no Chinese text); the laws are
    // added (a few are near-duplicates of others: kept).
    let stderr = String::from_utf8_lossy(&add.stderr);
    assert!(stderr.contains(" added, 1 refused"), "{stderr}");

    // Under a limit that texts.bin (or a segment) outgrows, at several points.
    for limit in [1, 16, 256, 2048] {
        let (r, stderr) = env.search_json(Some(limit), "人才");
        assert_eq!(
            r["total"], before["total"],
            "limit {limit}: the last index answers"
        );
        let stale = &r["stale"];
        assert!(
            stale["reason"].as_str().unwrap().contains("new"),
            "limit {limit}: {r}"
        );
        assert!(!stale["error"].as_str().unwrap().is_empty());
        let line = stderr
            .lines()
            .find(|l| l.contains("answering from the last index"))
            .unwrap_or_else(|| panic!("limit {limit}: {stderr}"));
        assert!(
            !line.contains("thread") && !line.contains("killed"),
            "{line}"
        );
        // The writing command fails plainly, naming what it could not write.
        let out = env.run(Some(limit), &["index"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "limit {limit}: {stderr}");
        assert!(stderr.contains("policy-diff: error: "), "{stderr}");
        assert!(
            !stderr.contains("killed") && !stderr.contains("worker thread"),
            "{stderr}"
        );
        assert!(stderr.contains("hint:"), "limit {limit}: {stderr}");
    }
    // The other JSON outputs carry the same `stale` object.
    for args in [
        &["topics", "--format", "json"][..],
        &["diff", "lyg-2022-32", "nt-2021-23", "--format", "json"],
        &["reuse", "lyg-2022-32", "--format", "json"],
        &["instruments", "--format", "json"],
        &["compare", "--topic", "land", "--format", "json"],
    ] {
        let out = env.run(Some(256), args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["stale"]["reason"].as_str().unwrap().contains("new"),
            "{args:?}"
        );
    }
    // Without the limit, the next command finishes the work.
    let (after, stderr) = env.search_json(None, LAW_TERM);
    assert!(after.get("stale").is_none(), "{stderr}");
    assert!(after["total"].as_u64().unwrap() > 0);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    // And agrees with an index built from nothing.
    let rebuilt = env.run(None, &["index", "--rebuild"]);
    assert!(rebuilt.status.success());
    let (again, _) = env.search_json(None, LAW_TERM);
    assert_eq!(after["total"], again["total"]);
}

#[test]
fn a_rebuild_that_fails_leaves_the_previous_index_answering() {
    let env = seeded();
    let (before, _) = env.search_json(None, "土地");
    let out = env.run(Some(64), &["index", "--rebuild"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hint:") && !stderr.contains("killed"),
        "{stderr}"
    );
    let (r, _) = env.search_json(Some(64), "土地");
    assert_eq!(r["total"], before["total"]);
    assert!(r.get("stale").is_none(), "nothing changed in the corpus");
    // The next writer removes what the failed rebuild left.
    assert!(env.run(None, &["index"]).status.success());
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn add_and_remove_under_a_fault_leave_the_catalog_whole() {
    let env = seeded();
    let catalog = env.corpus.join("catalog.toml");
    let before = std::fs::read(&catalog).unwrap();
    // Documents bigger than the limit cannot be copied: refused, named.
    let big = laws_dir().join("民法典");
    let out = env.run(Some(32), &["add", "--no-index", big.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("File too large") || stderr.contains("too large"),
        "{stderr}"
    );
    // Whatever was added is listed in a catalog that parses; nothing else.
    let docs = env.run(None, &["docs", "--format", "json"]);
    assert!(docs.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&docs.stdout).unwrap();
    let n = listed.as_array().unwrap().len();
    assert!(n >= 5);
    let files = std::fs::read_dir(env.corpus.join("docs")).unwrap().count();
    assert_eq!(files, n, "no document file without a catalog entry");
    // remove under a limit smaller than the catalog: refused, catalog unchanged.
    let now = std::fs::read(&catalog).unwrap();
    let out = env.run(Some(1), &["remove", "--no-index", "nt-2021-23"]);
    if now.len() > 1024 {
        assert!(!out.status.success());
        assert_eq!(std::fs::read(&catalog).unwrap(), now);
    }
    assert!(before.len() <= now.len());
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = vec![];
    walk(dir, &mut |p| {
        files.push((p.to_path_buf(), std::fs::read(p).unwrap()))
    });
    files.sort();
    files
}

#[test]
fn reading_commands_never_write_to_the_corpus() {
    // So a corpus on a read-only medium is searched with --index elsewhere.
    let env = seeded();
    let before = snapshot(&env.corpus);
    for args in [
        &["search", "人才"][..],
        &["show", "lyg-2022-32"],
        &["docs"],
        &["export"],
        &["topics"],
        &["compare", "--topic", "land"],
        &["diff", "lyg-2022-32", "nt-2021-23"],
        &["reuse", "lyg-2022-32"],
        &["instruments"],
    ] {
        let out = env.run(None, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(snapshot(&env.corpus) == before, "the corpus changed");
}

/// The current user's id (`id -u`).
fn euid() -> u32 {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn a_read_only_index_directory_fails_plainly_and_recovers() {
    // Permissions bind only a user that is not root: as root, the binary
    // runs as `nobody` (setpriv), from a copy it may execute.
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path();
    let corpus = top.join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    let bin = top.join("policy-diff");
    std::fs::copy(assert_cmd::cargo::cargo_bin("policy-diff"), &bin).unwrap();
    let shell = |cmd: &str| {
        let ok = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .status()
            .unwrap()
            .success();
        assert!(ok, "{cmd}");
    };
    shell(&format!(
        "chmod -R a+rX {0} && chmod 755 {0}",
        top.display()
    ));
    let as_root = euid() == 0;
    if as_root {
        shell(&format!("chown -R 65534:65534 {}", top.display()));
    }
    let run = |args: &[&str]| -> Output {
        let mut c = if as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            c.arg(&bin);
            c
        } else {
            std::process::Command::new(&bin)
        };
        c.arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(top.join("index"))
            .args(args)
            .env_remove("POLICY_DIFF_CORPUS")
            .env_remove("POLICY_DIFF_INDEX")
            .env_remove("POLICY_DIFF_TOPICS")
            .output()
            .unwrap()
    };
    assert!(run(&["index"]).status.success());
    // A new document, not indexed yet; then the index directory becomes read-only.
    let doc = top.join("新文件.txt");
    std::fs::write(
        &doc,
        "关于支持人才公寓建设的通知\n\n一、加快建设人才公寓，对新建人才公寓给予补贴。\n",
    )
    .unwrap();
    shell(&format!("chmod a+r {}", doc.display()));
    if as_root {
        shell(&format!("chown 65534:65534 {}", doc.display()));
    }
    let added = run(&["add", "--no-index", doc.to_str().unwrap()]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    shell(&format!("chmod -R a-w {}", top.join("index").display()));

    // tantivy takes a lock file even to read, so a read-only index cannot
    // be opened: the error says so plainly, with the way out.
    let out = run(&["search", "人才", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Permission denied") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Lockfile") && !stderr.contains("IoError"),
        "{stderr}"
    );
    let out = run(&["index"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Permission denied") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(!stderr.contains("thread"), "{stderr}");

    // Writable again: the next command indexes the new document.
    shell(&format!("chmod -R u+w {}", top.join("index").display()));
    let out = run(&["search", "人才公寓", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.get("stale").is_none());
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["title"].as_str().unwrap().contains("人才公寓建设")));
}
