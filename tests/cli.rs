//! The command-line contract: docs, show, export, exit codes.

mod common;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

fn cmd() -> Command {
    cli(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-cli-index-{}", std::process::id())),
    )
}

#[test]
fn docs_json_lists_every_seed() {
    let out = cmd().args(["docs", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = docs.as_array().unwrap();
    assert_eq!(docs.len(), 5);
    for d in docs {
        for key in [
            "id",
            "title",
            "jurisdiction",
            "level",
            "issuer",
            "doc_number",
            "date",
            "provisions",
        ] {
            assert!(d.get(key).is_some(), "docs entry lacks {key}");
        }
        assert!(d["provisions"].as_u64().unwrap() > 10);
    }
}

#[test]
fn export_jsonl_has_the_contract_fields() {
    let out = cmd()
        .args(["export", "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() > 300);
    for r in &rows {
        for key in [
            "doc_id",
            "provision_id",
            "jurisdiction",
            "heading",
            "path",
            "text",
            "topics",
            "responsible_units",
        ] {
            assert!(r.get(key).is_some(), "export row lacks {key}");
        }
        assert!(
            r["path"].is_array() && r["topics"].is_array() && r["responsible_units"].is_array()
        );
    }
    let m5 = rows
        .iter()
        .find(|r| r["heading"] == "5. 加大财政政策支持力度")
        .unwrap();
    assert_eq!(m5["doc_id"], "lyg-2022-32");
    assert_eq!(m5["jurisdiction"], "连云港市");
}

#[test]
fn export_csv_parses_back() {
    let out = cmd().args(["export", "--format", "csv"]).output().unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "doc_id");
    assert!(r.records().count() > 300);
}

#[test]
fn show_outline_and_provision() {
    cmd()
        .args(["show", "lyg-2022-32"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5. 加大财政政策支持力度"));
    let id = {
        let out = cmd()
            .args(["show", "lyg-2022-32", "--format", "json"])
            .output()
            .unwrap();
        let ps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        ps.as_array()
            .unwrap()
            .iter()
            .find(|p| p["heading"] == "5. 加大财政政策支持力度")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    cmd().args(["show", &id]).assert().success().stdout(
        predicate::str::contains("连政发〔2022〕32号").and(predicate::str::contains("一级财政")),
    );
}

#[test]
fn unknown_document_exits_2_with_a_suggestion() {
    cmd().args(["show", "lyg-2022-33"]).assert().code(2).stderr(
        predicate::str::starts_with("policy-diff: error: unknown document 'lyg-2022-33'")
            .and(predicate::str::contains("did you mean lyg-2022-32")),
    );
}

#[test]
fn adding_a_binary_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let bin = dir.path().join("photo.jpg");
    std::fs::write(
        &bin,
        (0..5000u32)
            .map(|i| (i * 37 % 256) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    c.arg("--corpus")
        .arg(&corpus)
        .arg("add")
        .arg(&bin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("photo.jpg"));
    assert!(!corpus.join("catalog.toml").exists());
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    let seed = seeds_dir().join("002_82889a4d0f8d6b2e.txt");
    c.arg("--corpus")
        .arg(&corpus)
        .arg("add")
        .arg(&seed)
        .assert()
        .success();
    let before = std::fs::read(corpus.join("catalog.toml")).unwrap();
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    c.arg("--corpus")
        .arg(&corpus)
        .arg("add")
        .arg(&seed)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already in the corpus as 'lyg-2022-32'",
        ));
    assert_eq!(std::fs::read(corpus.join("catalog.toml")).unwrap(), before);
}
