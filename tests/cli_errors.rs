//! Regression tests for command-line defects: limits, hyphen queries, clap
//! errors in the contract's format, dates, compare's flags and output file,
//! dangling operators, unknown --explain ids and levels.

mod common;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

fn cmd() -> Command {
    cli(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-cli-errors-index-{}", std::process::id())),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    run_json(cmd(), args)
}

fn doc_ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_huge_limit_shows_every_hit_instead_of_aborting() {
    let v = json(&["search", "人才", "-n", "1000000000000"]);
    let total = v["total"].as_u64().unwrap();
    assert!(total > 10);
    assert_eq!(v["hits"].as_array().unwrap().len() as u64, total);
}

#[test]
fn a_huge_diff_width_is_capped_instead_of_aborting() {
    let out = cmd()
        .args([
            "diff",
            "lyg-2022-32",
            "nt-2021-23",
            "--width",
            "1000000000000",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(|l| l.chars().count() <= 1000));
    assert!(text.contains("lyg-2022-32"));
}
