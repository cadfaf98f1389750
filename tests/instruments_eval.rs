//! Policy instruments: floors on the hand-coded clauses of
//! `tests/eval/instruments/` (GUIDE.md there says how they were coded; the
//! full report: `cargo run --release --example instruments_eval`, figures
//! in EVALUATION.md), and the `instruments` command on the seeds.

mod common;
#[path = "eval/instruments_harness.rs"]
mod harness;

use common::*;
use harness::{evaluate, load, shipped, Part};
use policy_diff::instruments::{Framework, DEFAULT, SETTINGS};
use predicates::prelude::*;

#[test]
fn the_coding_meets_its_floors_on_the_test_part() {
    let fw = Framework::builtin(DEFAULT).unwrap();
    let (tune, test) = (load(Part::Tune), load(Part::Test));
    assert!(tune.len() >= 130 && test.len() >= 140);
    // The shipped coding (rules, then the model trained on tune + train,
    // its context weight and threshold chosen by cross-validation there).
    // Measured: family F1 0.852, κ 0.786; sub-type F1 0.711. Floors a
    // little under, and the κ 0.7 between two human coders.
    let s = meets_floors(shipped(&fw, &test), 0.83, 0.76, 0.69);
    assert!(s.family_kappa >= 0.7);
    // Uncoded clauses are found as such: measured P 0.967, R 0.975.
    assert!(s.coded.precision() >= 0.95 && s.coded.recall() >= 0.95);
}

#[test]
fn the_coding_meets_its_floors_on_the_held_out_set() {
    // 290 clauses in neither part, coded by a second annotator after the
    // rules were fixed (GUIDE.md, "The held-out set"); never used to train
    // or choose anything. Measured: family F1 0.827, κ 0.751; sub-type F1
    // 0.712. Floors a little under.
    let fw = Framework::builtin(DEFAULT).unwrap();
    let held = load(Part::Held);
    assert_eq!(held.len(), 290);
    let s = meets_floors(shipped(&fw, &held), 0.80, 0.72, 0.69);
    assert!(s.family_kappa >= 0.7);
}

#[test]
fn the_rules_alone_meet_their_floors() {
    // The cue-term rules are the first layer, what the model reads beside
    // the text, and the whole coding of a framework without a model (a
    // user's file that does not extend the built-in one). Measured on the
    // test part at the shipped settings: family F1 0.711, κ 0.595;
    // sub-type F1 0.562; held-out 0.645, 0.508, 0.521.
    let fw = Framework::builtin(DEFAULT).unwrap();
    meets_floors(evaluate(&fw, &load(Part::Test), SETTINGS), 0.69, 0.57, 0.54);
    meets_floors(evaluate(&fw, &load(Part::Held), SETTINGS), 0.62, 0.48, 0.50);
}

#[test]
fn the_model_codes_what_the_rules_cannot_see() {
    // A target stated under its heading only: the rules read the clause
    // alone; the model also reads the headings above it. Among the test
    // and held-out clauses, count those the model gets right and the rules
    // wrong, and the reverse: the model must win clearly, not by trading.
    let fw = Framework::builtin(DEFAULT).unwrap();
    let mut items = load(Part::Test);
    items.extend(load(Part::Held));
    let family = |codes: Vec<policy_diff::instruments::Code>| {
        codes
            .into_iter()
            .map(|c| c.family)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let (mut model_only, mut rules_only) = (0, 0);
    for i in &items {
        let gold: std::collections::BTreeSet<String> = i
            .codes
            .iter()
            .map(|c| c.split('.').next().unwrap().to_string())
            .collect();
        let m = family(policy_diff::instruments::code(&fw, &i.text, &i.context)) == gold;
        let r = family(policy_diff::instruments::rules(&fw, &i.text)) == gold;
        match (m, r) {
            (true, false) => model_only += 1,
            (false, true) => rules_only += 1,
            _ => {}
        }
    }
    assert!(
        model_only >= 3 * rules_only && model_only >= 40,
        "model right and rules wrong on {model_only} clauses, the reverse on {rules_only}"
    );
}

/// `s` at or above the floors of family F1, family κ and sub-type F1.
fn meets_floors(
    s: harness::Scores,
    family_f1: f64,
    family_kappa: f64,
    subtype_f1: f64,
) -> harness::Scores {
    assert!(
        s.family_micro.f1() >= family_f1,
        "family F1 {:.3}",
        s.family_micro.f1()
    );
    assert!(
        s.family_kappa >= family_kappa,
        "family kappa {:.3}",
        s.family_kappa
    );
    assert!(
        s.subtype_micro.f1() >= subtype_f1,
        "sub-type F1 {:.3}",
        s.subtype_micro.f1()
    );
    s
}

#[test]
fn instruments_counts_per_jurisdiction_with_shares() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = || cli(&repo().join("corpus"), &dir.path().join("index"));
    let r = run_json(cmd(), &["instruments"]);
    // The second run reads the coding cache beside the index: same answer.
    let cached = dir
        .path()
        .join("index")
        .read_dir()
        .unwrap()
        .flatten()
        .any(|f| f.file_name().to_string_lossy().starts_with("instruments-"));
    assert!(cached, "the coding is cached beside the index");
    assert_eq!(run_json(cmd(), &["instruments"]), r);
    let columns = r["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 3);
    for c in columns {
        let clauses = c["clauses"].as_u64().unwrap();
        assert_eq!(
            clauses,
            c["coded"].as_u64().unwrap() + c["uncoded"].as_u64().unwrap()
        );
        let shares: f64 = c["families"]
            .as_object()
            .unwrap()
            .values()
            .map(|f| f["share"].as_f64().unwrap())
            .sum();
        assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    }
    // By document: five columns; the second framework has four families.
    let r = run_json(
        cmd(),
        &[
            "instruments",
            "--by",
            "doc",
            "--framework",
            "mcdonnell-elmore",
        ],
    );
    assert_eq!(r["columns"].as_array().unwrap().len(), 5);
    assert_eq!(r["framework"]["families"].as_array().unwrap().len(), 4);
    // HTML has the stacked bars.
    cmd()
        .args(["instruments", "--format", "html"])
        .assert()
        .success()
        .stdout(predicate::str::contains("<svg").and(predicate::str::contains("<rect")));
    // Why a clause is coded.
    cmd()
        .args(["instruments", "--explain", "lyg-2022-32:9.1"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("coded environment.strategic")
                .and(predicate::str::contains("一级财政")),
        );
    cmd()
        .args(["instruments", "--framework", "rothwel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean rothwell-zegveld"));
}

#[test]
fn the_clause_export_is_a_coding_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(&repo().join("corpus"), &dir.path().join("index"))
        .args(["export", "--level", "clause", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    for h in [
        "fragment",
        "instruments",
        "instrument_evidence",
        "analyst_code",
    ] {
        assert!(headers.iter().any(|x| x == h), "{h}");
    }
    let col = |name: &str| headers.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let row = rows
        .iter()
        .find(|x| &x[col("clause_id")] == "lyg-2022-32:9.1")
        .unwrap();
    assert_eq!(&row[col("instruments")], "environment.strategic");
    assert!(row[col("instrument_evidence")].contains("一级财政"));
    assert!(row[col("analyst_code")].is_empty());
    // Fragment numbers: document-section-…-item-clause, unique.
    let mut fragments: Vec<&str> = rows.iter().map(|x| &x[col("fragment")]).collect();
    assert!(fragments
        .iter()
        .all(|f| f.split('-').all(|p| p.parse::<u32>().is_ok())));
    let n = fragments.len();
    fragments.sort_unstable();
    fragments.dedup();
    assert_eq!(fragments.len(), n, "fragment numbers are unique");
}

#[test]
fn search_filters_by_instrument() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = || cli(&repo().join("corpus"), &dir.path().join("index"));
    // Provisions with a clause coded supply.talent, from the coding table.
    let out = cmd()
        .args(["export", "--level", "clause", "--format", "jsonl"])
        .output()
        .unwrap();
    let talent: std::collections::HashSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| {
            v["instruments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i == "supply.talent")
        })
        .map(|v| v["provision_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!talent.is_empty());
    let all = run_json(cmd(), &["search", "发展", "-n", "1000"]);
    let filtered = run_json(
        cmd(),
        &["search", "发展", "-n", "1000", "-i", "supply.talent"],
    );
    let hits = filtered["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(filtered["total"].as_u64() < all["total"].as_u64());
    for h in hits {
        assert!(talent.contains(h["provision_id"].as_str().unwrap()), "{h}");
    }
    // Every provision of the set that matches the query is found.
    let matching = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| talent.contains(h["provision_id"].as_str().unwrap()))
        .count();
    assert_eq!(hits.len(), matching);
    // A family stands for its instruments; a typo is a user error.
    let supply = run_json(cmd(), &["search", "发展", "-n", "1000", "-i", "供给型"]);
    assert!(supply["total"].as_u64() >= filtered["total"].as_u64());
    cmd()
        .args(["search", "发展", "-i", "supply.talnet"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean supply.talent"));
}

#[test]
fn a_reviewed_table_overrides_the_tool_and_reports_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    let cmd = || cli(&corpus, &dir.path().join("index"));
    // The analyst recodes two clauses of the table and leaves the rest.
    let reviewed = dir.path().join("reviewed.csv");
    let recode = |_: usize, id: &str| match id {
        "lyg-2022-32:9.1" => Some("supply.funding"),
        "nt-2021-23:17.1" => Some("none"),
        _ => None,
    };
    std::fs::write(&reviewed, review_table(&cmd, recode, &[])).unwrap();

    // A bad row (an unknown clause id) refuses the whole file unless --partial.
    let bad = review_table(&cmd, recode, &[("nt-2021-23:999.1", "supply.talent")]);
    let bad_file = dir.path().join("bad.csv");
    std::fs::write(&bad_file, &bad).unwrap();
    cmd()
        .args(["instruments", "--import-review"])
        .arg(&bad_file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown clause id 'nt-2021-23:999.1'")
                .and(predicate::str::contains("nothing applied")),
        );
    assert!(!corpus.join("instrument-review.json").exists());

    let before = run_json(cmd(), &["instruments", "--by", "doc"]);
    let out = cmd()
        .args(["instruments", "--import-review"])
        .arg(&reviewed)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("applied 2 reviews") && stdout.contains("family kappa"),
        "{stdout}"
    );
    // The analyst's codes now count, and the table shows them.
    let after = run_json(cmd(), &["instruments", "--by", "doc"]);
    let funding = |r: &serde_json::Value, doc: &str| {
        r["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == doc)
            .unwrap()["instruments"]["supply.funding"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        funding(&after, "lyg-2022-32"),
        funding(&before, "lyg-2022-32") + 1
    );
    let again = String::from_utf8(
        cmd()
            .args(["export", "--level", "clause", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let row = again
        .lines()
        .find(|l| l.contains("lyg-2022-32:9.1,"))
        .unwrap();
    assert!(
        row.ends_with(",supply.funding,") || row.contains(",supply.funding,"),
        "{row}"
    );
}

#[test]
fn a_partial_review_applies_the_valid_rows_and_refuses_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&repo().join("corpus"), &corpus);
    let cmd = || cli(&corpus, &dir.path().join("index"));
    // Rows 2 and 3 of the data: an unknown code, and a valid review; and a
    // clause id that does not exist.
    let recode = |n: usize, id: &str| match (n, id) {
        (1, _) => Some("supply.talnet"),
        (_, "lyg-2022-32:9.1") => Some("supply.funding"),
        _ => None,
    };
    let table = review_table(&cmd, recode, &[("nt-2021-23:999.1", "supply.talent")]);
    let file = dir.path().join("reviewed.csv");
    std::fs::write(&file, table).unwrap();

    let out = cmd()
        .args(["instruments", "--import-review"])
        .arg(&file)
        .arg("--partial")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    // Each bad row is named, by its row number, and the valid one applied.
    assert!(stderr.contains("supply.talnet"), "{stderr}");
    assert!(stderr.contains("nt-2021-23:999.1"), "{stderr}");
    assert_eq!(stderr.matches("row ").count(), 2, "{stderr}");
    assert!(
        stdout.contains("applied 1 review") && stdout.contains("2 refused"),
        "{stdout}"
    );
    let stored = std::fs::read_to_string(corpus.join("instrument-review.json")).unwrap();
    assert!(stored.contains("supply.funding") && !stored.contains("talnet"));
    // The coding table now carries the analyst's code for that clause.
    let again = String::from_utf8(
        cmd()
            .args(["export", "--level", "clause", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let row = again
        .lines()
        .find(|l| l.contains("lyg-2022-32:9.1,"))
        .unwrap();
    assert!(row.contains(",supply.funding"), "{row}");
}

#[test]
fn instruments_file_is_another_name_for_framework() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.toml");
    std::fs::write(
        &mine,
        "extends = \"builtin\"\nremove = [\"demand.trade\"]\n",
    )
    .unwrap();
    let cmd = || cli(&repo().join("corpus"), &dir.path().join("index"));
    let a = run_json(
        cmd(),
        &["instruments", "--instruments", mine.to_str().unwrap()],
    );
    let b = run_json(
        cmd(),
        &["instruments", "--framework", mine.to_str().unwrap()],
    );
    assert_eq!(a, b);
    let names = a["framework"]["instruments"].as_array().unwrap();
    assert_eq!(names.len(), 14);
    assert!(!names.iter().any(|i| i[0] == "demand.trade"));
}

/// The clause table `export --level clause` writes, as an analyst returns
/// it: the analyst code of data row `n` (from 0) with clause id `id` set to
/// `recode(n, id)` where that says so, and `extra` rows (clause id, code)
/// at the end.
fn review_table(
    cmd: &dyn Fn() -> assert_cmd::Command,
    recode: impl Fn(usize, &str) -> Option<&'static str>,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let table = cmd()
        .args(["export", "--level", "clause", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    let mut r = csv::Reader::from_reader(table.as_slice());
    let headers = r.headers().unwrap().clone();
    let code_col = headers.iter().position(|h| h == "analyst_code").unwrap();
    let id_col = headers.iter().position(|h| h == "clause_id").unwrap();
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&headers).unwrap();
    for (n, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        let mut fields: Vec<String> = rec.iter().map(String::from).collect();
        if let Some(code) = recode(n, &rec[id_col]) {
            fields[code_col] = code.into();
        }
        w.write_record(&fields).unwrap();
    }
    for (id, code) in extra {
        let mut row = vec![String::new(); headers.len()];
        row[id_col] = id.to_string();
        row[code_col] = code.to_string();
        w.write_record(&row).unwrap();
    }
    w.into_inner().unwrap()
}
