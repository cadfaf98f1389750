//! A researcher's first hour (issue 16): jurisdictions as a hierarchy,
//! documents named by 文号 or title, outputs that keep their word, and an
//! interrupted `add` cleaned up. Each test runs the binary on the bundled
//! corpus (or a copy of it).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

struct Env {
    dir: tempfile::TempDir,
    corpus: PathBuf,
}

/// The bundled corpus (read only), with an index of its own.
fn bundled() -> Env {
    let dir = tempfile::tempdir().unwrap();
    Env {
        corpus: repo().join("corpus"),
        dir,
    }
}

/// A copy of the bundled corpus that a test may change.
fn copied() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    Env { corpus, dir }
}

impl Env {
    fn cmd(&self) -> Command {
        cli(&self.corpus, &self.dir.path().join("index"))
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        run_json(self.cmd(), args)
    }

    fn stdout(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The jurisdictions of every hit of `search 人才` with these extra flags.
fn hit_jurisdictions(e: &Env, flags: &[&str]) -> Vec<String> {
    let mut args = vec!["search", "人才", "-n", "500"];
    args.extend_from_slice(flags);
    let r = e.json(&args);
    let mut js: Vec<String> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["jurisdiction"].as_str().unwrap().to_string())
        .collect();
    js.sort();
    js.dedup();
    js
}

#[test]
fn a_city_means_the_city_and_its_zones_a_province_everything_in_it() {
    let e = bundled();
    // Before: `-j 连云港` was refused as ambiguous (the city or its zone).
    assert_eq!(
        hit_jurisdictions(&e, &["-j", "连云港"]),
        ["连云港市", "连云港经济技术开发区"]
    );
    assert_eq!(
        hit_jurisdictions(&e, &["-j", "lianyungang"]),
        ["连云港市", "连云港经济技术开发区"]
    );
    // Before: nothing, and no hint.
    assert_eq!(
        hit_jurisdictions(&e, &["-j", "江苏"]),
        hit_jurisdictions(&e, &[])
    );
    assert_eq!(hit_jurisdictions(&e, &["-j", "Nantong"]), ["南通市"]);
    assert_eq!(hit_jurisdictions(&e, &["-j", "南通"]), ["南通市"]);
    // The exact name of a jurisdiction the corpus has is that one only.
    assert_eq!(hit_jurisdictions(&e, &["-j", "连云港市"]), ["连云港市"]);
    // A zone by its full name, or an unambiguous part, is that zone only.
    assert_eq!(
        hit_jurisdictions(&e, &["-j", "连云港经济技术开发区"]),
        ["连云港经济技术开发区"]
    );
    assert_eq!(
        hit_jurisdictions(&e, &["-j", "开发区"]),
        ["连云港经济技术开发区"]
    );
    // A province the corpus has nothing of: an error that says what it has.
    e.cmd()
        .args(["search", "人才", "-j", "zhejiang"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("浙江省").and(predicate::str::contains("南通市")));
}

#[test]
fn compare_groups_by_province_city_jurisdiction_or_document() {
    let e = bundled();
    let columns = |by: &str| -> Vec<String> {
        let r = e.json(&["compare", "--topic", "land", "--by", by]);
        r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(columns("province"), ["江苏省"]);
    // The zone's documents join their city.
    let mut by_city = columns("city");
    by_city.sort();
    assert_eq!(by_city, ["南通市", "连云港市"]);
    assert_eq!(columns("jurisdiction").len(), 3);
    assert_eq!(columns("doc").len(), 5);
    // `-j 连云港` compares the city's and the zone's documents.
    let r = e.json(&["compare", "--topic", "land", "-j", "连云港"]);
    assert_eq!(
        r["columns"],
        serde_json::json!(["连云港经济技术开发区", "连云港市"])
    );
}

#[test]
fn documents_are_named_by_doc_number_or_title() {
    let e = bundled();
    // Before: `unknown document`.
    let by_number = e.json(&["diff", "连政发〔2022〕32号", "通政发〔2021〕23号"]);
    let by_id = e.json(&["diff", "lyg-2022-32", "nt-2021-23"]);
    assert_eq!(by_number["a"]["id"], "lyg-2022-32");
    assert_eq!(by_number["b"]["id"], "nt-2021-23");
    assert_eq!(by_number["pairs"], by_id["pairs"]);
    // Any bracket style of the 文号.
    assert_eq!(
        e.json(&["diff", "连政发[2022]32号", "nt-2021-23"])["a"]["id"],
        "lyg-2022-32"
    );
    // A unique part of the title, in `show`, `search --doc` and `reuse`.
    let shown = e.stdout(&["show", "开发区高质量发展行动方案"]);
    assert!(shown.starts_with("连云港市“十四五”开发区高质量发展行动方案 (lyg-2022-32)"));
    let r = e.json(&["search", "人才", "--doc", "连政发〔2021〕25号", "-n", "100"]);
    let hits = r["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["doc_id"] == "lyg-2021-25"));
    assert_eq!(
        e.json(&["reuse", "打造改革开放新高地"])["doc_id"],
        "nt-2021-23"
    );
    // A part of several titles lists them, with their ids.
    e.cmd()
        .args(["show", "连云港经济技术开发区"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("ambiguous")
                .and(predicate::str::contains("lyg-etdz-2021-54"))
                .and(predicate::str::contains("lyg-etdz-plan-2021")),
        );
}

#[test]
fn commands_accept_only_the_formats_they_write() {
    let e = bundled();
    // Before: `search --format html` printed plain text, exit 0.
    for (args, format) in [
        (vec!["search", "人才"], "html"),
        (vec!["docs"], "csv"),
        (vec!["show", "lyg-2022-32"], "md"),
        (vec!["export"], "json"),
        (vec!["index"], "csv"),
    ] {
        e.cmd()
            .args(&args)
            .args(["--format", format])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "invalid value '{format}'"
            )));
    }
    // jsonl: one hit per line, each a whole JSON object (before: one
    // indented object over many lines).
    let out = e.stdout(&["search", "人才", "-n", "3", "--format", "jsonl"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    for (i, l) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["rank"], i + 1);
        assert_eq!(v["query"], "人才");
        assert!(v["total"].as_u64().unwrap() > 3);
        assert!(v["provision_id"].as_str().unwrap().contains(':'));
    }
}

#[test]
fn compare_refuses_an_output_extension_it_does_not_write() {
    let e = bundled();
    let pdf = e.dir.path().join("x.pdf");
    // Before: Markdown written into x.pdf, exit 0.
    e.cmd()
        .args(["compare", "--topic", "land", "-o"])
        .arg(&pdf)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("x.pdf").and(predicate::str::contains(".md, .html")));
    assert!(!pdf.exists());
    // Without an extension, --format decides.
    let plain = e.dir.path().join("report");
    e.cmd()
        .args(["compare", "--topic", "land", "--format", "json", "-o"])
        .arg(&plain)
        .assert()
        .success();
    assert!(serde_json::from_str::<serde_json::Value>(&read(&plain)).is_ok());
}

#[test]
fn compare_leaves_out_empty_columns_labels_documents_and_caps_columns() {
    let e = bundled();
    // livelihood: only the two zone documents have provisions on it.
    let out = e
        .cmd()
        .args([
            "compare",
            "--topic",
            "livelihood",
            "--by",
            "doc",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let info = r["column_info"].as_array().unwrap();
    assert!(!info.is_empty() && info.len() < 5, "{info:?}");
    assert!(info.iter().all(|c| c["provisions"].as_u64().unwrap() > 0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("left out 3 columns without provisions on livelihood"),
        "{stderr}"
    );
    // Document columns carry the jurisdiction and a short title.
    let md = e.stdout(&["compare", "--topic", "land", "--by", "doc"]);
    assert!(
        md.contains("| 连云港市 · “十四五”开发区高质量发展行动方案 | `lyg-2022-32` |"),
        "{md}"
    );
    let html = e.stdout(&[
        "compare", "--topic", "land", "--by", "doc", "--format", "html",
    ]);
    assert!(html.contains("<th>南通市 · "), "column headers");
    // Past --max-columns: refused with the way to narrow it.
    e.cmd()
        .args([
            "compare",
            "--topic",
            "land",
            "--by",
            "doc",
            "--max-columns",
            "4",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("5 columns")
                .and(predicate::str::contains("--jurisdiction"))
                .and(predicate::str::contains("--max-columns")),
        );
}

#[test]
fn docs_counts_provisions_as_diff_and_compare_do() {
    let e = bundled();
    let docs = e.json(&["docs"]);
    for d in docs.as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let other = if id == "nt-2021-23" {
            "lyg-2022-32"
        } else {
            "nt-2021-23"
        };
        let diff = e.json(&["diff", id, other]);
        assert_eq!(
            d["provisions"], diff["summary"]["a"]["provisions"],
            "{id}: docs and diff count the same provisions"
        );
    }
    let text = e.stdout(&["docs"]);
    assert!(text.contains("36 provisions"), "{text}");
}

#[test]
fn markdown_has_no_html_entities_and_counts_agree_in_number() {
    let e = bundled();
    let outputs = [
        e.stdout(&["diff", "lyg-2021-25", "lyg-2022-32", "--format", "md"]),
        e.stdout(&["compare", "--topic", "land", "--format", "md"]),
        e.stdout(&["search", "人才", "--format", "md"]),
    ];
    for md in &outputs {
        for entity in ["&gt;", "&lt;", "&amp;", "&quot;", "&#39;"] {
            assert!(
                !md.contains(entity),
                "{entity} in {}",
                &md[..md.len().min(400)]
            );
        }
    }
    // Heading paths keep their `>`; the full-width brackets of the text stay.
    assert!(outputs[2].contains(" > "), "heading paths keep their >");
    assert!(outputs[0].contains("《＜"), "display text keeps ＜");
    let html = e.stdout(&["diff", "lyg-2021-25", "lyg-2022-32", "--format", "html"]);
    assert!(html.contains("《＜") && !html.contains("《&lt;"));
    let text = e.stdout(&["diff", "lyg-2021-25", "lyg-2022-32"]);
    assert!(text.contains("《＜") && !text.contains("《<"));
    // "1 provision", never "1 provisions".
    let one = e.stdout(&["compare", "--topic", "land", "-j", "南通"]);
    assert!(one.contains("1 provision on the topic · 1 row,"), "{one}");
    for out in outputs.iter().chain([&one]) {
        assert!(!out.contains(" 1 provisions") && !out.contains(" 1 rows"));
    }
}

#[test]
fn show_leaves_out_empty_fields() {
    let e = copied();
    let file = e.dir.path().join("草案.txt");
    std::fs::write(
        &file,
        "河南省开发区管理办法（草案）\n\n第一条 为了规范开发区的建设和管理，制定本办法。\n第二条 本办法适用于本省行政区域内的开发区。\n",
    )
    .unwrap();
    e.cmd()
        .args(["add", "--no-index", "--jurisdiction", "河南省"])
        .arg(&file)
        .assert()
        .success();
    let docs = e.json(&["docs"]);
    let id = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["title"]
                .as_str()
                .unwrap()
                .starts_with("河南省开发区管理办法")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = e.stdout(&["show", &id]);
    let header = shown.lines().nth(1).unwrap();
    // Before: `河南省 ·  · — · `.
    assert!(header.starts_with("河南省"), "{header}");
    assert!(
        !header.contains(" ·  · ") && !header.ends_with(" · ") && !header.contains('—'),
        "{header}"
    );
}

#[test]
fn an_interrupted_add_leaves_nothing_the_catalog_does_not_list() {
    let e = copied();
    let docs_dir = e.corpus.join("docs");
    let files = |d: &Path| std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0);
    let before = files(&docs_dir);
    let catalog_before = read(&e.corpus.join("catalog.toml"));
    let bin = assert_cmd::cargo::cargo_bin("policy-diff");
    let mut child = std::process::Command::new(&bin)
        .arg("--corpus")
        .arg(&e.corpus)
        .arg("--index")
        .arg(e.dir.path().join("index"))
        .args(["add", "--no-index"])
        .arg(laws_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Interrupt it once it has copied some documents.
    let started = std::time::Instant::now();
    while files(&docs_dir) < before + 20 && started.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let copied = files(&docs_dir) - before;
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "add was interrupted");
    assert!(copied >= 20, "add had copied {copied} documents");
    assert_eq!(read(&e.corpus.join("catalog.toml")), catalog_before);
    assert!(files(&docs_dir) > before, "the interrupted add left files");
    // The next command removes them, and says so.
    let out = e.cmd().args(["docs"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("that an interrupted add left") && stderr.contains("removed"),
        "{stderr}"
    );
    assert_eq!(files(&docs_dir), before);
    assert!(!e.corpus.join(".adding").exists());
    // The corpus is whole: every seed still listed and readable.
    assert_eq!(e.json(&["docs"]).as_array().unwrap().len(), 5);
}
