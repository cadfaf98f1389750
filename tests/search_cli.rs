//! `policy-diff search` and `index` as users run them.

mod common;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

struct Env {
    _dir: tempfile::TempDir,
    index: std::path::PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    Env { _dir: dir, index }
}

impl Env {
    fn cmd(&self) -> Command {
        cli(&repo().join("corpus"), &self.index)
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        run_json(self.cmd(), args)
    }
}

#[test]
fn first_search_builds_the_index_and_says_so_once() {
    let e = env();
    e.cmd()
        .args(["search", "一级财政"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("updating the index")
                .and(predicate::str::contains("there is no index yet")),
        )
        .stdout(predicate::str::contains("5. 加大财政政策支持力度"));
    // Second time: the index is fresh, nothing on stderr.
    e.cmd()
        .args(["search", "一级财政"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn json_shape_and_citations() {
    let e = env();
    let r = e.json(&["search", "财政自主权"]);
    assert_eq!(r["query"], "财政自主权");
    assert_eq!(r["total"], 2);
    let hits = r["hits"].as_array().unwrap();
    for h in hits {
        for key in [
            "doc_id",
            "provision_id",
            "jurisdiction",
            "title",
            "heading",
            "path",
            "text",
            "snippet",
            "score",
        ] {
            assert!(h.get(key).is_some(), "hit lacks {key}");
        }
        let snippet = h["snippet"].as_str().unwrap();
        let (a, b) = (
            h["highlights"][0][0].as_u64().unwrap() as usize,
            h["highlights"][0][1].as_u64().unwrap() as usize,
        );
        let marked: String = snippet.chars().skip(a).take(b - a).collect();
        assert_eq!(
            marked, "财政自主权",
            "highlight offsets are character offsets into the snippet"
        );
    }
    assert_eq!(hits[0]["doc_id"], "lyg-2022-32");
    assert_eq!(hits[0]["title"], "连云港市“十四五”开发区高质量发展行动方案");
}

#[test]
fn jurisdiction_filter_by_unambiguous_part() {
    let e = env();
    let r = e.json(&["search", "人才", "--jurisdiction", "南通", "--limit", "100"]);
    let hits = r["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert_eq!(r["total"].as_u64().unwrap() as usize, hits.len());
    assert!(
        hits.iter().all(|h| h["jurisdiction"] == "南通市"),
        "only Nantong provisions"
    );
    let all = e.json(&["search", "人才", "--limit", "1"]);
    assert!(all["total"].as_u64().unwrap() > r["total"].as_u64().unwrap());
    // --doc and dates.
    let r = e.json(&["search", "人才", "--doc", "lyg-2022-32", "--limit", "100"]);
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["doc_id"] == "lyg-2022-32"));
    let r = e.json(&["search", "人才", "--from", "2022", "--limit", "100"]);
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["doc_id"] == "lyg-2022-32"));
    let r = e.json(&[
        "search",
        "人才",
        "--level",
        "national-level development zone",
        "--limit",
        "100",
    ]);
    assert!(r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["jurisdiction"] == "连云港经济技术开发区"));
}

#[test]
fn user_errors_exit_2_and_say_where() {
    let e = env();
    e.cmd()
        .args(["search", "\"一级财政"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unbalanced quote").and(predicate::str::contains("column 1")),
        );
    e.cmd()
        .args(["search", "(人才 OR 土地"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never closed"));
    e.cmd()
        .args(["search", "人才 AND"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AND at column 4"));
    // A city the corpus has nothing of: say so, and what it has.
    e.cmd()
        .args(["search", "人才", "--jurisdiction", "南京"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "unknown jurisdiction '南京': no document of the corpus lies in 南京市",
            )
            .and(predicate::str::contains("jurisdictions are"))
            .and(predicate::str::contains("南通市")),
        );
    // A name that is neither a region nor part of a jurisdiction.
    e.cmd()
        .args(["search", "人才", "--jurisdiction", "南通开发区"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown jurisdiction '南通开发区'")
                .and(predicate::str::contains("did you mean")),
        );
    e.cmd()
        .args(["search", "人才", "--doc", "nt-2021-32"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean nt-2021-23"));
}

/// Chinese quotation marks delimit exact phrases exactly like "…", and an
/// unbalanced one is an error with its column.
#[test]
fn chinese_quotation_marks_are_phrases() {
    let e = env();
    let hits = |q: &str| -> (u64, Vec<String>) {
        let v = run_json(e.cmd(), &["search", q, "-n", "100"]);
        let ids = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["provision_id"].as_str().unwrap().to_string())
            .collect();
        (v["total"].as_u64().unwrap(), ids)
    };
    let ascii = hits("\"一级财政\"");
    assert!(ascii.0 > 0);
    for q in ["“一级财政”", "「一级财政」", "『一级财政』"] {
        assert_eq!(hits(q), ascii, "{q}");
    }
    // Not the word: 财政 alone matches more.
    assert!(hits("一级财政 OR 财政").0 > ascii.0);
    e.cmd()
        .args(["search", "人才 「公寓"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unbalanced quote")
                .and(predicate::str::contains("「 at column 4 is never closed")),
        );
}

/// A lowercase and / or / not between terms is searched as a word, and
/// stderr says how to write the operator (one line); stdout is unchanged.
#[test]
fn lowercase_operators_get_a_hint_on_stderr() {
    let e = env();
    let out = e
        .cmd()
        .args(["search", "人才 and 公寓", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let hints: Vec<&str> = stderr.lines().filter(|l| l.starts_with("hint:")).collect();
    assert_eq!(
        hints,
        ["hint: 'and' at column 4 is searched as a word; write AND to require both"],
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["parsed"], "人才 AND and AND 公寓");
    let quiet = e
        .cmd()
        .args(["search", "人才 AND 公寓", "--format", "json"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("hint:"));
    assert!(
        run_json(e.cmd(), &["search", "人才 AND 公寓"])["total"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn formats_csv_and_md() {
    let e = env();
    let out = e
        .cmd()
        .args(["search", "\"亩均税收\"", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert!(r.records().count() >= 1);
    e.cmd()
        .args(["search", "\"亩均税收\"", "--format", "md"])
        .assert()
        .success()
        .stdout(predicate::str::contains("**亩均税收**"));
    e.cmd()
        .args(["search", "\"亩均税收\""])
        .assert()
        .success()
        .stdout(predicate::str::contains("【亩均税收】"));
}

#[test]
fn index_command_summary() {
    let e = env();
    e.cmd()
        .arg("index")
        .assert()
        .success()
        .stdout(predicate::str::contains("5 added").and(predicate::str::contains("provisions")));
    e.cmd()
        .arg("index")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 added, 0 updated, 0 removed, 5 unchanged",
        ));
    e.cmd()
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stdout(predicate::str::contains("rebuilt: --rebuild"));
}

#[test]
fn segment_shows_the_cut() {
    let e = env();
    e.cmd()
        .args(["segment", "支持开发区实行一级财政"])
        .assert()
        .success()
        .stdout(predicate::str::contains("一级财政"));
}

/// The seeds plus the laws bench corpus: changing one document re-indexes only it.
#[test]
fn laws_corpus_incremental() {
    use policy_diff::corpus::Corpus;
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let mut stack = vec![laws_dir()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md")
                && p.file_name().unwrap() != "_index.md"
            {
                files.push(p);
            }
        }
    }
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let added = c
        .add_files(&refs, &Default::default())
        .into_iter()
        .filter(|r| r.is_ok())
        .count();
    assert!(added > 1500);
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("policy-diff").unwrap();
        cmd.arg("--corpus")
            .arg(&corpus_dir)
            .arg("--index")
            .arg(dir.path().join("index"))
            .args(args);
        cmd.output().unwrap()
    };
    let first = run(&["index"]);
    assert!(first.status.success());
    assert!(String::from_utf8_lossy(&first.stdout).contains(&format!("{added} added")));
    let path = corpus_dir.join(&c.entry("nt-2021-23").unwrap().file);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("集聚高水平人才", "集聚高水平人才和青年英才");
    std::fs::write(&path, text).unwrap();
    let second = run(&["index"]);
    let line = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(
        line.contains(&format!(
            "0 added, 1 updated, 0 removed, {} unchanged",
            added - 1
        )),
        "{line}"
    );
    let found = run(&["search", "\"青年英才\"", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(r["total"], 1);
}
