//! The bad-input matrix (issue: reliability): each case gets a clear error
//! (exit 2) or a correct result, never a panic, and never a change to the
//! corpus or index when refused.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("corpus")).unwrap();
        Env { dir }
    }
    fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }
    fn cmd(&self) -> Command {
        cli(&self.corpus(), &self.dir.path().join("index"))
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn total(&self, phrase: &str) -> u64 {
        let q = format!("\"{phrase}\"");
        run_json(self.cmd(), &["search", &q, "--limit", "1"])["total"]
            .as_u64()
            .unwrap()
    }
    /// Every file under corpus/ and index/ with its size and content hash.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = vec![];
        let mut stack = vec![
            self.dir.path().join("corpus"),
            self.dir.path().join("index"),
        ];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.file_name().unwrap() != "LOCK" {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }
}

fn seed(prefix: &str) -> PathBuf {
    std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap()
}

#[test]
fn refusals_change_nothing() {
    let e = Env::new();
    e.cmd().arg("add").arg(seed("002")).assert().success();
    e.cmd().arg("index").assert().success();
    let before = e.snapshot();
    let cases: Vec<(PathBuf, &str)> = vec![
        (e.file("empty.txt", b""), "empty"),
        (
            e.file(
                "binary.bin",
                &(0..4096u32)
                    .map(|i| (i * 131 % 256) as u8)
                    .collect::<Vec<u8>>(),
            ),
            "not a text file",
        ),
        (
            e.file(
                "english.txt",
                b"This is a plain English memo without any Chinese text at all.\n",
            ),
            "no Chinese text",
        ),
        (seed("002"), "already in the corpus"),
    ];
    for (path, why) in &cases {
        e.cmd()
            .arg("add")
            .arg(path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*why).and(predicate::str::contains(
                path.file_name().unwrap().to_string_lossy().as_ref(),
            )));
    }
    e.cmd().args(["remove", "no-such-doc"]).assert().code(2);
    e.cmd().args(["show", "lyg-2022-32:9999"]).assert().code(2);
    assert_eq!(
        e.snapshot(),
        before,
        "refused input changed the corpus or the index"
    );
}

#[test]
fn malformed_queries_exit_2() {
    let e = Env::new();
    e.cmd().arg("add").arg(seed("003")).assert().success();
    for (q, why) in [
        ("\"人才", "unbalanced quote"),
        ("(人才", "never closed"),
        ("人才)", "no matching"),
        ("AND", "nothing before"),
        ("NOT", "nothing after"),
        ("，。！？", "only punctuation"),
        ("", "empty"),
    ] {
        e.cmd().args(["search", q]).assert().code(2).stderr(
            predicate::str::starts_with("policy-diff: error:").and(predicate::str::contains(why)),
        );
    }
    let deep = format!("{}人才{}", "(".repeat(200), ")".repeat(200));
    e.cmd()
        .args(["search", &deep])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nested too deeply"));
    // A 10,000-character query is answered.
    let long = format!("\"{}\"", "人才".repeat(5_000));
    e.cmd()
        .args(["search", &long])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 of 0"));
    let many = vec!["人才"; 3_000].join(" ");
    e.cmd().args(["search", &many]).assert().success();
}

#[test]
fn mixed_encodings_odd_names_and_invalid_bytes_in_one_folder() {
    let e = Env::new();
    let folder = e.dir.path().join("收到的 文件");
    std::fs::create_dir(&folder).unwrap();
    let text = |city: &str, phrase: &str| {
        format!("{city}人民政府关于支持开发区发展的意见\n\n一、主要措施\n\n（一）{phrase}。加快推进园区建设，提升综合服务能力。\n\n{city}人民政府\n\n2023年3月1日\n")
    };
    std::fs::write(
        folder.join("苏州 工业园区 意见.txt"),
        text("苏州市", "设立青年人才驿站"),
    )
    .unwrap();
    std::fs::write(
        folder.join("无锡 GBK.txt"),
        encoding_rs::GBK
            .encode(&text("无锡市", "建设物联网创新街区"))
            .0,
    )
    .unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            text("常州市", "打造新能源产业集群")
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    std::fs::write(folder.join("常州 UTF-16.txt"), utf16).unwrap();
    // Invalid UTF-8 in the middle of a UTF-8 file: the bad bytes become U+FFFD, the rest is intact.
    let mut bad = text("扬州市", "推进运河文化带建设").into_bytes();
    let mid = text("扬州市", "推进运河文化带建设")
        .find("\n\n一、")
        .unwrap();
    bad.splice(mid..mid, [0xFF, 0xFE]);
    std::fs::write(folder.join("扬州 broken.txt"), bad).unwrap();
    e.cmd().arg("add").arg(&folder).assert().success();
    for phrase in [
        "设立青年人才驿站",
        "建设物联网创新街区",
        "打造新能源产业集群",
        "推进运河文化带建设",
    ] {
        assert_eq!(e.total(phrase), 1, "{phrase}");
    }
}

#[test]
fn ten_thousand_items_and_deep_numbering() {
    let e = Env::new();
    let mut text = String::from("南通市人民政府关于若干事项的通知\n\n一、事项清单\n\n");
    for i in 1..=10_000 {
        text.push_str(&format!("{i}. 第{i}号事项要求落实责任编号{i}。\n"));
    }
    text.push_str("二、深层结构\n\n第一章 总则\n\n第一节 一般规定\n\n（一）层级一\n\n1. 层级二\n\n（1）层级三说明深层编号的条款内容。\n\n南通市人民政府\n\n2023年1月1日\n");
    let path = e.file("many.txt", text.as_bytes());
    e.cmd().arg("add").arg(&path).assert().success();
    assert_eq!(e.total("落实责任编号"), 10_000);
    let out = e
        .cmd()
        .args(["export", "--format", "jsonl"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 10_001);
    let deep = rows
        .iter()
        .find(|r| r["text"].as_str().unwrap().contains("层级三说明"))
        .unwrap();
    assert!(
        deep["path"].as_array().unwrap().len() >= 4,
        "{:?}",
        deep["path"]
    );
}

#[test]
fn a_fifty_megabyte_document() {
    let e = Env::new();
    let seed_text = std::fs::read_to_string(seed("004")).unwrap();
    let mut big = String::with_capacity(51 << 20);
    let mut n = 0;
    while big.len() < 50 << 20 {
        big.push_str(&seed_text);
        big.push_str(&format!(
            "\n（二十七）第{n}轮附加条款。本轮附加条款用于检验大文件。\n"
        ));
        n += 1;
    }
    let path = e.file("big.txt", big.as_bytes());
    e.cmd().arg("add").arg(&path).assert().success();
    assert_eq!(e.total("第1234轮附加条款"), 1);
    assert!(Path::new(&e.corpus()).join("catalog.toml").exists());
}

/// A document file deleted behind the catalog's back: every reading command
/// names the document and says how to fix it; `remove` still works.
#[test]
fn a_missing_document_file_names_the_document_and_the_fix() {
    let env = Env::new();
    env.cmd()
        .arg("add")
        .arg(seed("003"))
        .arg(seed("004"))
        .assert()
        .success();
    let gone = env.corpus().join("docs").join("nt-2021-23.txt");
    assert!(gone.is_file());
    std::fs::remove_file(&gone).unwrap();
    env.cmd()
        .args(["search", "人才"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the file of document nt-2021-23 is missing",
        ))
        .stderr(predicate::str::contains("policy-diff remove nt-2021-23"));
    env.cmd().args(["remove", "nt-2021-23"]).assert().success();
    env.cmd().args(["search", "人才"]).assert().success();
}
