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
fn minus_terms_are_query_words_and_flags_after_them_still_work() {
    let quoted = json(&["search", "人才 -公寓"]);
    let split = json(&["search", "人才", "-公寓", "-n", "3"]);
    assert_eq!(split["parsed"], "人才 AND NOT 公寓");
    assert_eq!(split["total"], quoted["total"]);
    assert_eq!(split["hits"].as_array().unwrap().len(), 3);
    for h in split["hits"].as_array().unwrap() {
        assert!(!h["text"].as_str().unwrap().contains("公寓"));
    }
    let leading = json(&["search", "-人才", "--limit", "1"]);
    assert_eq!(leading["parsed"], "NOT 人才");
    let j = json(&["search", "人才", "--jurisdiction", "南通"]);
    assert!(!j["hits"].as_array().unwrap().is_empty());
    assert!(doc_ids(&j).iter().all(|d| d == "nt-2021-23"));
    let j = json(&["search", "人才", "-公寓", "-j", "南通"]);
    assert!(doc_ids(&j).iter().all(|d| d == "nt-2021-23"));
}

#[test]
fn clap_errors_follow_the_contract_and_help_still_prints() {
    cmd()
        .args(["search", "人才", "--limt", "3"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("policy-diff: error: unexpected argument '--limt'")
                .and(predicate::str::contains("hint: ")),
        );
    cmd()
        .args(["search", "人才", "-n", "many"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "policy-diff: error: invalid value 'many'",
        ));
    cmd()
        .args(["search", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Usage:"));
    cmd()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("policy-diff"));
    cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("policy-diff: error:"));
}

#[test]
fn invalid_dates_are_user_errors_naming_the_flag() {
    for (flag, value) in [
        ("--from", "2021-13-01"),
        ("--to", "2021-02-30"),
        ("--from", "yesterday"),
    ] {
        cmd()
            .args(["search", "人才", flag, value])
            .assert()
            .code(2)
            .stderr(
                predicate::str::starts_with(format!(
                    "policy-diff: error: {flag} '{value}' is not a valid date"
                ))
                .and(predicate::str::contains(
                    "hint: use YYYY, YYYY-MM or YYYY-MM-DD",
                )),
            );
    }
    cmd()
        .args(["search", "人才", "--from", "2022", "--to", "2021"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from 2022 is after --to 2021"));
}

#[test]
fn a_month_dated_document_matches_ranges_inside_its_month() {
    // lyg-etdz-plan-2021 is dated 2021-09.
    let v = json(&[
        "search",
        "规划",
        "--from",
        "2021-09-15",
        "--to",
        "2021-09-20",
    ]);
    let ids = doc_ids(&v);
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|d| d == "lyg-etdz-plan-2021"), "{ids:?}");
    let v = json(&["search", "规划", "--from", "2021-09-15", "-n", "100"]);
    let ids = doc_ids(&v);
    assert!(ids.iter().any(|d| d == "lyg-etdz-plan-2021"));
    assert!(ids.iter().any(|d| d == "lyg-2022-32"));
    assert!(!ids.iter().any(|d| d == "nt-2021-23"), "{ids:?}");
    let v = json(&["search", "规划", "--to", "2021-08", "-n", "100"]);
    assert!(!doc_ids(&v).iter().any(|d| d == "lyg-etdz-plan-2021"));
}

#[test]
fn compare_has_short_flags_and_lists_only_its_formats() {
    let v = json(&[
        "compare",
        "--topic",
        "talent",
        "-j",
        "南通",
        "-d",
        "lyg-2022-32",
    ]);
    assert_eq!(
        v["columns"].as_array().unwrap().len(),
        2,
        "{}",
        v["columns"]
    );
    let help = cmd().args(["compare", "--help"]).output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("[possible values: md, html, json, csv]"),
        "{help}"
    );
    cmd()
        .args(["compare", "--topic", "talent", "--format", "jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "policy-diff: error: invalid value 'jsonl'",
        ));
}

#[cfg(unix)]
#[test]
fn compare_output_file_format_mode_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // What any new file gets here (0666 less the umask).
    let probe = dir.path().join("probe");
    std::fs::File::create(&probe).unwrap();

    let out = dir.path().join("talent.json");
    cmd()
        .args(["compare", "--topic", "talent", "-o"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&read(&out)).unwrap();
    assert_eq!(v["topic"]["id"], "talent");
    assert_eq!(mode(&out), mode(&probe));

    let html = dir.path().join("talent.htm");
    cmd()
        .args(["compare", "--topic", "talent", "-o"])
        .arg(&html)
        .assert()
        .success();
    assert!(read(&html).trim_start().starts_with("<!"));

    // An explicit --format wins over the extension; a replaced file keeps its mode.
    let md = dir.path().join("talent.md");
    std::fs::write(&md, "old").unwrap();
    std::fs::set_permissions(&md, std::fs::Permissions::from_mode(0o640)).unwrap();
    cmd()
        .args(["compare", "--topic", "talent", "--format", "json", "-o"])
        .arg(&md)
        .assert()
        .success();
    assert!(serde_json::from_str::<serde_json::Value>(&read(&md)).is_ok());
    assert_eq!(mode(&md), 0o640);

    let mut slash = dir.path().as_os_str().to_owned();
    slash.push("/");
    cmd()
        .args(["compare", "--topic", "talent", "-o"])
        .arg(&slash)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    cmd()
        .args(["compare", "--topic", "talent", "-o"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn dangling_operators_say_where() {
    cmd()
        .args(["search", "人才 -"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "- at column 4 has nothing after it",
        ));
    cmd()
        .args(["search", "人才", "+"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "+ at column 4 has nothing after it",
        ));
    cmd()
        .args(["search", "人才 - 公寓"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "- at column 4 is followed by a space",
        ));
}

#[test]
fn explain_of_an_unknown_id_says_what_it_takes() {
    cmd()
        .args(["topics", "--explain", "talent"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("policy-diff: error: unknown document 'talent'")
                .and(predicate::str::contains(
                    "takes a document id (lyg-2022-32) or a provision id (lyg-2022-32:9)",
                ))
                .and(predicate::str::contains("hint: the documents are"))
                .and(predicate::str::contains("'talent' is a topic")),
        );
    cmd()
        .args(["topics", "--explain", "lyg-2022-33:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean lyg-2022-32"));
}

#[test]
fn unknown_levels_list_the_valid_ones() {
    cmd()
        .args(["search", "人才", "--level", "市"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with("policy-diff: error: unknown level '市'").and(
                predicate::str::contains(
                    "the levels in this corpus are: city, national-level development zone",
                ),
            ),
        );
    cmd()
        .args(["search", "人才", "--level", "cty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean city?"));
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
