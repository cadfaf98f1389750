//! I/O faults (issue 21) by fault injection that needs no privileges: the
//! binary runs under a file-size limit (`ulimit -f`, with SIGXFSZ ignored),
//! so every write past the limit fails as a write to a full disk does, at
//! whatever point of `add`, `index`, `index --rebuild` or `remove` it falls;
//! and as a user whom permissions bind (as root: `nobody`, via `setpriv`)
//! on read-only index and corpus directories (EACCES at every writer).
//! After each fault, reading commands answer from the last committed index
//! (exit 0, one line on stderr, a `stale` object in every JSON output); the
//! next run without the fault completes the work, and corpus, catalog and
//! index pass a consistency check (`assert_consistent`: nothing
//! half-written is left either).

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
    let env = seeded_without_index();
    assert!(env.run(None, &["index"]).status.success());
    env
}

/// The seeds, without an index.
fn seeded_without_index() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    Env {
        index: dir.path().join("index"),
        corpus,
        _dir: dir,
    }
}

impl Env {
    /// Run the binary, under a file-size limit of `limit_kb` when given.
    fn run(&self, limit_kb: Option<u32>, args: &[&str]) -> Output {
        let limit = limit_kb.map_or("unlimited".to_string(), |k| k.to_string());
        // `ulimit -f` counts 1024-byte blocks in bash.
        self.sh(&format!("trap '' XFSZ; ulimit -f {limit};"), args)
    }

    /// Run the binary from bash after `prelude` (`ulimit`, `umask`).
    fn sh(&self, prelude: &str, args: &[&str]) -> Output {
        let bin = assert_cmd::cargo::cargo_bin("policy-diff");
        let mut c = std::process::Command::new("bash");
        c.arg("-c")
            .arg(format!("{prelude} exec \"$@\""))
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

/// The current generation of the index in `index`.
fn current_generation(index: &Path) -> PathBuf {
    let name = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    index.join(name.trim())
}

/// `texts.bin` of the current generation: (the length its last commit
/// recorded, the file's length). Bytes past the first were appended by an
/// update that did not commit.
fn texts_lengths(index: &Path) -> (u64, u64) {
    let dir = current_generation(index);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    let committed = payload["texts"][0].as_u64().expect("texts recorded");
    (
        committed,
        std::fs::metadata(dir.join("texts.bin")).unwrap().len(),
    )
}

/// Corpus, catalog and index agree, and nothing half-written is left: every
/// catalog entry has its file and every document file its entry; `index`
/// (run by `run`) has nothing to do and the index holds exactly the
/// catalog's documents; `texts.bin` ends where its last commit says; no
/// temporary file, `.adding` list or generation that never became current.
fn assert_consistent(corpus: &Path, index: &Path, run: &dyn Fn(&[&str]) -> Output, round: &str) {
    let c = policy_diff::corpus::Corpus::open(corpus)
        .unwrap_or_else(|e| panic!("{round}: the catalog parses: {e}"));
    let mut entries: Vec<PathBuf> = c.catalog.documents.iter().map(|e| c.file_path(e)).collect();
    entries.sort();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        entries, files,
        "{round}: document files and catalog entries"
    );
    let out = run(&["index", "--format", "json"]);
    assert!(
        out.status.success(),
        "{round}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["added", "updated", "removed"] {
        assert_eq!(summary[key], 0, "{round}: index has work left: {summary}");
    }
    let reader = policy_diff::index::IndexDir::new(index).reader().unwrap();
    let indexed: Vec<&String> = reader.payload.documents().keys().collect();
    let mut ids: Vec<&String> = c.catalog.documents.iter().map(|e| &e.id).collect();
    ids.sort();
    assert_eq!(
        indexed, ids,
        "{round}: the index holds the catalog's documents"
    );
    let (committed, len) = texts_lengths(index);
    assert_eq!(committed, len, "{round}: texts.bin ends at its last commit");
    let current = current_generation(index);
    for e in std::fs::read_dir(index).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("gen-") && p != current {
            assert!(
                p.join("REPLACED").exists(),
                "{round}: {name} never became current and is still there"
            );
        }
    }
    let mut left = vec![];
    for dir in [index, corpus] {
        walk(dir, &mut |p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains(".tmp") || name.starts_with(".adding") {
                left.push(p.display().to_string());
            }
        });
    }
    assert!(left.is_empty(), "{round}: left behind: {left:?}");
}

impl Env {
    fn assert_consistent(&self, round: &str) {
        assert_consistent(
            &self.corpus,
            &self.index,
            &|args| self.run(None, args),
            round,
        );
    }
}

/// The JSON lines of `out`: every line a row, except a last `{"stale": …}`
/// line, which is returned apart.
fn jsonl_rows(out: &Output) -> (Vec<serde_json::Value>, Option<serde_json::Value>) {
    let mut rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stale = match rows.last() {
        Some(last) if last.get("stale").is_some() => {
            assert_eq!(last.as_object().unwrap().len(), 1, "{last}");
            rows.pop().map(|mut l| l["stale"].take())
        }
        _ => None,
    };
    for r in &rows {
        assert!(
            r.get("stale").is_none(),
            "only the last line says stale: {r}"
        );
    }
    (rows, stale)
}

/// Every JSON output of a reading command carries `stale` (whose reason
/// contains `reason`) when run by `run`: objects as a key, arrays wrapped,
/// JSON lines as a last line.
fn assert_every_output_stale(run: &dyn Fn(&[&str]) -> Output, reason: &str, documents: usize) {
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let json =
        |args: &[&str]| -> serde_json::Value { serde_json::from_slice(&ok(args).stdout).unwrap() };
    let says = |v: &serde_json::Value, what: &str| {
        let r = v["reason"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no stale: {v}"));
        assert!(r.contains(reason), "{what}: {r}");
        assert!(!v["error"].as_str().unwrap().is_empty(), "{what}");
    };
    // Objects.
    for args in [
        &["search", "人才", "--format", "json"][..],
        &["topics", "--format", "json"],
        &["diff", "lyg-2022-32", "nt-2021-23", "--format", "json"],
        &["reuse", "lyg-2022-32", "--format", "json"],
        &["instruments", "--format", "json"],
        &["compare", "--topic", "land", "--format", "json"],
        &["show", "lyg-2022-32:3", "--format", "json"],
        &["show", "lyg-2022-32:3", "--clauses", "--format", "json"],
    ] {
        let v = json(args);
        says(&v["stale"], &format!("{args:?}"));
    }
    let v = json(&["show", "lyg-2022-32:3", "--format", "json"]);
    assert_eq!(v["id"], "lyg-2022-32:3");
    // Arrays: wrapped.
    let v = json(&["docs", "--format", "json"]);
    says(&v["stale"], "docs");
    assert_eq!(v["documents"].as_array().unwrap().len(), documents);
    let v = json(&["show", "lyg-2022-32", "--format", "json"]);
    says(&v["stale"], "show DOC");
    assert!(v["provisions"].as_array().unwrap().len() > 10);
    let v = json(&["topics", "--explain", "lyg-2022-32:9", "--format", "json"]);
    says(&v["stale"], "topics --explain");
    assert!(!v["rows"].as_array().unwrap().is_empty());
    // JSON lines: a last line.
    for args in [
        &["export"][..],
        &["export", "--level", "clause"],
        &["docs", "--format", "jsonl"],
        &["search", "人才", "--format", "jsonl"],
        &["topics", "--format", "jsonl"],
        &["topics", "--explain", "lyg-2022-32:9", "--format", "jsonl"],
    ] {
        let (rows, stale) = jsonl_rows(&ok(args));
        assert!(!rows.is_empty(), "{args:?}");
        says(&stale.unwrap_or_default(), &format!("{args:?}"));
    }
    // CSV has no place for it: the rows are as always (the notice is on stderr).
    let out = ok(&["export", "--format", "csv"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("doc_id,"));
}

/// The same outputs when the index is fresh: no `stale` anywhere, arrays
/// are arrays.
fn assert_no_output_stale(run: &dyn Fn(&[&str]) -> Output) {
    for args in [
        &["docs", "--format", "json"][..],
        &["show", "lyg-2022-32", "--format", "json"],
    ] {
        let v: serde_json::Value = serde_json::from_slice(&run(args).stdout).unwrap();
        assert!(v.is_array(), "{args:?}");
    }
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["show", "lyg-2022-32:3", "--format", "json"]).stdout)
            .unwrap();
    assert!(v.get("stale").is_none());
    for args in [&["export"][..], &["docs", "--format", "jsonl"]] {
        let (rows, stale) = jsonl_rows(&run(args));
        assert!(!rows.is_empty() && stale.is_none(), "{args:?}");
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
    // Every JSON output carries the same `stale` object.
    let documents = policy_diff::corpus::Corpus::open(&env.corpus)
        .unwrap()
        .catalog
        .documents
        .len();
    assert_every_output_stale(&|args| env.run(Some(256), args), "new", documents);
    // Without the limit, the next command finishes the work.
    let (after, stderr) = env.search_json(None, LAW_TERM);
    assert!(after.get("stale").is_none(), "{stderr}");
    assert!(after["total"].as_u64().unwrap() > 0);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    env.assert_consistent("after the faults");
    assert_no_output_stale(&|args| env.run(None, args));
    // And agrees with an index built from nothing.
    let rebuilt = env.run(None, &["index", "--rebuild"]);
    assert!(rebuilt.status.success());
    let (again, _) = env.search_json(None, LAW_TERM);
    assert_eq!(after["total"], again["total"]);
}

#[test]
fn the_next_writer_cuts_what_a_failed_update_appended_to_the_texts() {
    let env = seeded();
    let (committed, len) = texts_lengths(&env.index);
    assert_eq!(committed, len);
    // An update that failed after appending (as under a full disk): bytes
    // past the commit that nothing refers to.
    let texts = current_generation(&env.index).join("texts.bin");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&texts)
        .unwrap();
    std::io::Write::write_all(&mut f, "半截的文本".repeat(1000).as_bytes()).unwrap();
    drop(f);
    // Readers do not mind them.
    let (r, _) = env.search_json(None, "\"人才公寓\"");
    assert!(r["total"].as_u64().unwrap() > 0);
    assert_eq!(texts_lengths(&env.index).1, len + 15_000);
    // A writer that only deletes cuts them (and does not commit them as
    // texts); so does one that appends.
    let out = env.run(None, &["remove", "nt-2021-23"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = len;
    let (committed, len) = texts_lengths(&env.index);
    assert_eq!((committed, len), (before, before));
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&texts)
        .unwrap();
    std::io::Write::write_all(&mut f, b"\xe5\x8d").unwrap();
    drop(f);
    let doc = laws_folder().join("反不正当竞争法(2019-04-23).md");
    let out = env.run(None, &["add", doc.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (after, len_after) = texts_lengths(&env.index);
    assert_eq!(after, len_after);
    assert!(after > committed);
    // The new texts start where the last commit ended, not after the two
    // half-written bytes (which would leave a broken character there).
    let bytes = std::fs::read(&texts).unwrap();
    let at = committed as usize;
    assert!(
        std::str::from_utf8(&bytes[at..at + 3]).is_ok(),
        "{:x?}",
        &bytes[at..at + 3]
    );
    // The texts appended read back where the index says: the new law is
    // found by an exact phrase (confirmed against texts.bin).
    let (r, _) = env.search_json(None, LAW_TERM);
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    let (r, _) = env.search_json(None, "\"人才公寓\"");
    assert!(r["total"].as_u64().unwrap() > 0);
    env.assert_consistent("after the writers");
}

#[test]
fn a_rebuild_that_fails_leaves_the_previous_index_answering() {
    let env = seeded();
    let (before, _) = env.search_json(None, "土地");
    // Early (the first segment files), midway, and near the end (texts.bin
    // of the seeds is about 220 KB).
    for limit in [16, 64, 200] {
        let out = env.run(Some(limit), &["index", "--rebuild"]);
        assert_eq!(out.status.code(), Some(1), "limit {limit}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("hint:") && !stderr.contains("killed"),
            "{stderr}"
        );
        let (r, _) = env.search_json(Some(limit), "土地");
        assert_eq!(r["total"], before["total"], "limit {limit}");
        assert!(r.get("stale").is_none(), "nothing changed in the corpus");
        // The next writer removes what the failed rebuild left (its
        // generation never became current).
        env.assert_consistent(&format!("rebuild under {limit} KB"));
    }
    let out = env.run(None, &["index", "--rebuild"]);
    assert!(out.status.success());
    let (r, _) = env.search_json(None, "土地");
    assert_eq!(r["total"], before["total"]);
}

#[test]
fn an_add_whose_indexing_fails_is_finished_by_the_next_command() {
    // The laws' files fit under the limits, their texts do not fit in
    // texts.bin: the add copies them and fails to index them, at two points.
    let folder = laws_dir().join("社会法");
    for limit in [300, 600] {
        let env = seeded();
        let (before, _) = env.search_json(None, "\"用人单位\"");
        let out = env.run(
            Some(limit),
            &["add", "--allow-near-duplicate", folder.to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "limit {limit}: {stderr}");
        assert!(
            stderr.contains("the documents are in the corpus, but indexing them failed"),
            "{stderr}"
        );
        assert!(
            stderr.contains("hint:") && !stderr.contains("killed") && !stderr.contains("thread"),
            "{stderr}"
        );
        // Reading answers from the last commit, saying what is missing.
        let (r, _) = env.search_json(Some(limit), "\"用人单位\"");
        assert_eq!(r["total"], before["total"], "limit {limit}");
        assert!(
            r["stale"]["reason"].as_str().unwrap().contains("new"),
            "{r}"
        );
        // The next command without the limit indexes them.
        let (r, stderr) = env.search_json(None, "\"用人单位\"");
        assert!(r.get("stale").is_none(), "{stderr}");
        assert!(
            r["total"].as_u64().unwrap() > before["total"].as_u64().unwrap(),
            "limit {limit}: {r}"
        );
        env.assert_consistent(&format!("add under {limit} KB"));
    }
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
    // Reading answers under the limit (`docs` above indexed what add
    // copied), and corpus, catalog and index agree.
    let (r, _) = env.search_json(Some(1), "人才");
    assert!(r["total"].as_u64().unwrap() > 0 && r.get("stale").is_none());
    env.assert_consistent("add and remove under a limit");
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

/// A scratch directory whose commands run as a user that permissions bind:
/// as root, the binary runs as `nobody` (setpriv) from a copy it may
/// execute, and the directory is given to `nobody`.
struct Unprivileged {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_root: bool,
}

fn shell(cmd: &str) {
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .status()
        .unwrap()
        .success();
    assert!(ok, "{cmd}");
}

impl Unprivileged {
    /// With a copy of the seeds in `corpus/`.
    fn new() -> Unprivileged {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        copy_dir(&repo().join("corpus"), &top.join("corpus"));
        let bin = top.join("policy-diff");
        std::fs::copy(assert_cmd::cargo::cargo_bin("policy-diff"), &bin).unwrap();
        shell(&format!(
            "chmod -R a+rX {0} && chmod 755 {0}",
            top.display()
        ));
        let as_root = euid() == 0;
        if as_root {
            shell(&format!("chown -R 65534:65534 {}", top.display()));
        }
        Unprivileged { dir, bin, as_root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A file of `text` the user may read.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        shell(&format!("chmod a+r {}", p.display()));
        if self.as_root {
            shell(&format!("chown 65534:65534 {}", p.display()));
        }
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = if self.as_root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            c.arg(&self.bin);
            c
        } else {
            std::process::Command::new(&self.bin)
        };
        c.arg("--corpus")
            .arg(self.path("corpus"))
            .arg("--index")
            .arg(self.path("index"))
            .args(args)
            .env_remove("POLICY_DIFF_CORPUS")
            .env_remove("POLICY_DIFF_INDEX")
            .env_remove("POLICY_DIFF_TOPICS")
            .output()
            .unwrap()
    }

    fn search(&self, query: &str) -> (serde_json::Value, String) {
        let out = self.run(&["search", query, "--format", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{query}: {stderr}");
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    }

    fn index_writable(&self, yes: bool) {
        let mode = if yes { "u+w" } else { "a-w" };
        shell(&format!("chmod -R {mode} {}", self.path("index").display()));
    }
}

fn titles(r: &serde_json::Value) -> Vec<String> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

const NEW_DOC: &str =
    "关于支持人才公寓建设的通知\n\n一、加快建设人才公寓，对新建人才公寓给予补贴。\n";
const NEW_DOC_2: &str =
    "关于推进人才公寓配租的通知\n\n一、人才公寓配租面向新引进人才，租金按市场价五折收取。\n";

#[test]
fn a_read_only_index_directory_is_read_and_only_writers_fail() {
    let u = Unprivileged::new();
    assert!(u.run(&["index"]).status.success());
    let (before, _) = u.search("人才公寓");

    // A fresh index, read-only (`chmod -w`): reading commands answer as
    // ever, with no notice (tantivy's meta lock is taken on the existing
    // lock file opened for reading).
    u.index_writable(false);
    let (r, stderr) = u.search("人才公寓");
    assert!(r.get("stale").is_none(), "{stderr}");
    assert_eq!(r["total"], before["total"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_no_output_stale(&|args| u.run(args));
    u.index_writable(true);

    // A new document, not indexed yet; then the index is read-only.
    let doc = u.file("新文件.txt", NEW_DOC);
    let added = u.run(&["add", "--no-index", doc.to_str().unwrap()]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    u.index_writable(false);

    // Reading commands answer from the last commit, saying in one line
    // (and a hint) what is stale and why.
    let (r, stderr) = u.search("人才公寓");
    assert_eq!(r["total"], before["total"]);
    assert!(!titles(&r).iter().any(|t| t.contains("人才公寓建设")));
    let stale = &r["stale"];
    assert!(stale["reason"].as_str().unwrap().contains("1 new"), "{r}");
    assert!(
        stale["error"]
            .as_str()
            .unwrap()
            .contains("Permission denied"),
        "{r}"
    );
    let notices: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("hint:")).collect();
    assert!(
        notices
            .iter()
            .any(|l| l.contains("answering from the last index")),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Lockfile") && !stderr.contains("IoError"),
        "{stderr}"
    );
    let catalog = || {
        policy_diff::corpus::Corpus::open(&u.path("corpus"))
            .unwrap()
            .catalog
            .documents
            .len()
    };
    assert_every_output_stale(&|args| u.run(args), "1 new", catalog());

    // Writers fail plainly, each naming the path, the cause and the way out.
    let plain = |out: &Output, what: &str| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains("Permission denied") && stderr.contains("hint:"),
            "{what}: {stderr}"
        );
        assert!(
            stderr.contains(&u.path("index").display().to_string()),
            "{what}: {stderr}"
        );
        assert!(
            !stderr.contains("thread") && !stderr.contains("killed"),
            "{what}: {stderr}"
        );
    };
    plain(&u.run(&["index"]), "index");
    plain(&u.run(&["index", "--rebuild"]), "index --rebuild");
    // add and remove change the corpus (writable), not the index.
    let doc2 = u.file("新文件二.txt", NEW_DOC_2);
    let out = u.run(&["add", doc2.to_str().unwrap()]);
    plain(&out, "add");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the documents are in the corpus"));
    let out = u.run(&["remove", "lyg-2021-25"]);
    plain(&out, "remove");
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of the corpus"));
    let (r, _) = u.search("人才公寓");
    assert_eq!(r["total"], before["total"], "the last commit answers");
    let reason = r["stale"]["reason"].as_str().unwrap().to_string();
    assert!(
        reason.contains("2 new") && reason.contains("1 removed"),
        "{reason}"
    );

    // Writable again: the next command finishes the work.
    u.index_writable(true);
    let (r, stderr) = u.search("人才公寓");
    assert!(r.get("stale").is_none(), "{stderr}");
    let found = titles(&r);
    assert!(
        found.iter().any(|t| t.contains("人才公寓建设")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|t| t.contains("人才公寓配租")),
        "{found:?}"
    );
    assert_consistent(
        &u.path("corpus"),
        &u.path("index"),
        &|args| u.run(args),
        "read-only",
    );
}

/// The mode bits of `p`.
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn index_files_follow_the_umask_and_other_users_read_them() {
    for umask in [0o022, 0o027] {
        let env = seeded_without_index();
        let prelude = format!("umask {umask:03o};");
        for args in [
            &["index"][..],
            &[
                "add",
                "--allow-near-duplicate",
                laws_folder()
                    .join("反不正当竞争法(2019-04-23).md")
                    .to_str()
                    .unwrap(),
            ],
            &["remove", "nt-2021-23"],
            &["index", "--rebuild"],
        ] {
            let out = env.sh(&prelude, args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut files = 0;
        walk(&env.index, &mut |p| {
            files += 1;
            assert_eq!(
                mode(p),
                0o666 & !umask,
                "umask {umask:03o}: {}",
                p.display()
            );
        });
        assert!(files > 10);
    }
    // Built by one user, searched by another, who may not write it.
    if euid() == 0 {
        let env = seeded_without_index();
        assert!(env.sh("umask 022;", &["index"]).status.success());
        shell(&format!("chmod 755 {}", env._dir.path().display()));
        let bin = env._dir.path().join("policy-diff");
        std::fs::copy(assert_cmd::cargo::cargo_bin("policy-diff"), &bin).unwrap();
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin)
            .arg("--corpus")
            .arg(&env.corpus)
            .arg("--index")
            .arg(&env.index)
            .args(["search", "人才公寓", "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            r["total"].as_u64().unwrap() > 0 && r.get("stale").is_none(),
            "{r}"
        );
    }
}

#[test]
fn a_read_only_corpus_is_searched_with_an_index_elsewhere() {
    // The corpus on a read-only medium (`chmod -w`, as a user permissions
    // bind), the index in a writable directory: the first reading command
    // builds the index there, writing nothing into the corpus.
    let u = Unprivileged::new();
    let corpus = u.path("corpus");
    shell(&format!("chmod -R a-w {}", corpus.display()));
    let before = snapshot(&corpus);
    let (r, stderr) = u.search("人才公寓");
    assert!(
        r["total"].as_u64().unwrap() > 0 && r.get("stale").is_none(),
        "{r}"
    );
    assert!(
        !stderr.contains("warning") && !stderr.contains("error"),
        "{stderr}"
    );
    for args in [
        &["show", "lyg-2022-32"][..],
        &["docs"],
        &["export"],
        &["topics"],
        &["compare", "--topic", "land"],
        &["diff", "lyg-2022-32", "nt-2021-23"],
        &["reuse", "lyg-2022-32"],
        &["instruments"],
    ] {
        let out = u.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Writing to the corpus fails plainly, naming it.
    let doc = u.file("新文件.txt", NEW_DOC);
    let out = u.run(&["add", doc.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Permission denied") && stderr.contains(&corpus.display().to_string()),
        "{stderr}"
    );
    assert!(snapshot(&corpus) == before, "the corpus changed");
    shell(&format!("chmod -R u+w {}", corpus.display()));
}
