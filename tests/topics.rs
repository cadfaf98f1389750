//! Topic taxonomy and classification on the real seeds (hand-verified
//! provisions), and the `topics` command.

mod common;

use std::time::Instant;

use assert_cmd::Command;
use common::*;
use policy_diff::corpus::{Document, Provision, ProvisionKind};
use policy_diff::text::fold;
use policy_diff::topics::{classify, topic_ids, topic_ids_folded, Taxonomy, THRESHOLD};
use predicates::prelude::*;

fn tax() -> Taxonomy {
    Taxonomy::builtin()
}

fn topics_of(p: &Provision) -> Vec<String> {
    topic_ids(&tax(), p)
}

/// `doc`'s provision headed `heading` is on each of `on` and on none of `off`.
fn check(doc: &Document, heading: &str, on: &[&str], off: &[&str]) {
    let p = find(doc, heading);
    let got = topics_of(p);
    for t in on {
        assert!(
            got.iter().any(|g| g == t),
            "{} {:?} should be {t}; got {got:?}\n{:#?}",
            p.id,
            p.heading,
            policy_diff::topics::explain(&tax(), p)
        );
    }
    for t in off {
        assert!(
            !got.iter().any(|g| g == t),
            "{} {:?} should not be {t}; got {got:?}\n{:#?}",
            p.id,
            p.heading,
            policy_diff::topics::explain(&tax(), p)
        );
    }
}

// ---- lyg-2022-32: Lianyungang city action plan, measures 1.–31. ----

#[test]
fn lyg_2022_32_measures() {
    let d = doc("lyg-2022-32");
    check(&d, "5. ", &["fiscal"], &["talent", "land"]);
    check(&d, "8. ", &["land"], &["fiscal", "talent"]);
    check(&d, "10. ", &["talent"], &["land", "fiscal"]);
    check(&d, "13. ", &["investment"], &["talent"]);
    check(&d, "24. ", &["safety"], &["land"]);
    check(&d, "4. ", &["admin-reform"], &["talent", "fiscal"]);
    check(&d, "28. ", &["infrastructure"], &["land"]);
    check(&d, "21. ", &["green"], &["safety"]);
    check(&d, "（二）严格考核奖惩", &["evaluation"], &[]);
    // Negative cases: about functions and responsibilities, not people.
    check(&d, "1. ", &["admin-reform"], &["talent"]);
    // Targets that name foreign trade in passing are not an opening-up measure.
    check(&d, "（二）发展目标", &[], &["opening", "fiscal"]);
    // Measure 5 sits under 体制机制优化工程 and says “一级财政”管理体制:
    // neither makes it an administrative-reform measure.
    check(&d, "5. ", &[], &["admin-reform"]);
}

#[test]
fn fiscal_measure_has_its_terms_as_evidence() {
    let d = doc("lyg-2022-32");
    let scores = classify(&tax(), find(&d, "5. "));
    let fiscal = scores.iter().find(|s| s.topic == "fiscal").unwrap();
    for term in [
        "一级财政",
        "财政预算管理",
        "独立核算",
        "财政自主权",
        "财政资金",
    ] {
        assert!(
            fiscal.evidence.iter().any(|e| e == term),
            "{term} missing from {:?}",
            fiscal.evidence
        );
    }
    // The responsible-unit note (市财政局) is not evidence.
    assert!(!fiscal.evidence.iter().any(|e| e.contains("财政局")));
}

// ---- nt-2021-23: Nantong implementation plan, （一） items. ----

#[test]
fn nt_2021_23_items() {
    let d = doc("nt-2021-23");
    check(
        &d,
        "（三）强化财政金融支持",
        &["fiscal", "finance"],
        &["talent"],
    );
    check(&d, "（二）集聚高水平人才", &["talent"], &["fiscal", "land"]);
    check(&d, "（一）提升土地集约利用水平", &["land"], &["talent"]);
    check(&d, "（三）提升本质安全水平", &["safety"], &["land"]);
    check(&d, "（二）注重考核引导", &["evaluation"], &[]);
    // Mentions 人才引商 and 用地 in lists of means: investment, not talent or land.
    check(
        &d,
        "（二）创新投资促进工作",
        &["investment"],
        &["talent", "land"],
    );
    // 领军人才团队 once in a long innovation item.
    check(&d, "（一）优化创新生态", &["innovation"], &["talent"]);
}

// ---- lyg-etdz-plan-2021: the zone's five-year plan (章/节, leads, 专栏). ----

#[test]
fn etdz_plan_talent_section() {
    let d = doc("lyg-etdz-plan-2021");
    check(&d, "第一节 打造创新人才高地", &["talent"], &["land"]);
    check(&d, "强化产才融合，突出重点人才引领", &["talent"], &[]);
    check(&d, "抓好人才引育机制", &["talent"], &[]);
    check(&d, "营造良好发展环境，倾心倾力服务人才", &["talent"], &[]);
    check(&d, "专栏 7 重点人才工程", &["talent"], &["industry"]);
    let box7 = find(&d, "专栏 7");
    assert_eq!(box7.kind, ProvisionKind::Box);
}

#[test]
fn etdz_plan_other_topics_and_passing_mentions() {
    let d = doc("lyg-etdz-plan-2021");
    check(&d, "第一节 筑牢安全生产基础", &["safety"], &[]);
    check(&d, "加快推动绿色低碳发展", &["green"], &["safety"]);
    check(&d, "促进金融创新发展", &["finance"], &["fiscal"]);
    check(&d, "加大有效投入", &["land", "fiscal"], &["talent"]);
    // 人才 in passing: a review of innovation results, health services,
    // regional cooperation (招才引智 once), a reform list.
    check(&d, "创新驱动成效明显", &["innovation"], &["talent"]);
    check(
        &d,
        "加快建设优质高效的医疗卫生服务体系",
        &["livelihood"],
        &["talent"],
    );
    check(
        &d,
        "主动融入长三角区域一体化",
        &["cooperation"],
        &["talent"],
    );
    check(
        &d,
        "突出服务效能，营造国际一流营商环境",
        &["business-env"],
        &["talent"],
    );
    // Not a word of land in the safety chapter.
    check(&d, "扎实开展安全生产专项整治", &["safety"], &["land"]);
}

// ---- lyg-etdz-2021-54: FTZ-linkage plan with a 63-row task table. ----

#[test]
fn etdz_2021_54_items_and_task_rows() {
    let d = doc("lyg-etdz-2021-54");
    let row34 = d
        .provisions
        .iter()
        .find(|p| p.kind == ProvisionKind::TableRow && p.text.contains("开展低效用地清理整治"))
        .expect("task row 34");
    assert!(topics_of(row34).contains(&"land".to_string()));
    check(&d, "14. 深化科技人才开放创新", &["talent"], &["land"]);
    check(&d, "58. ", &["talent"], &[]);
    check(&d, "59. ", &["talent"], &[]);
    check(&d, "52. 积极探索供应链金融", &["finance"], &["fiscal"]);
    check(&d, "62. 探索城镇土地使用税差别化政策", &["fiscal"], &[]);
    // 人才 as one item of 平台、产业、项目、人才.
    check(&d, "5. 强化与江苏自贸试验区", &["opening"], &["talent"]);
    check(&d, "2. 积极推动联动创新发展区", &["opening"], &["talent"]);
    // Rows grouped under 深化科技创新 that are about courts and credit: the
    // group label alone does not make them innovation.
    check(&d, "63. 推进府院联动", &[], &["innovation"]);
    check(
        &d,
        "60. 建立健全以信用监管为核心",
        &["business-env"],
        &["innovation"],
    );
    // 高效低碳燃气轮机 is the name of a facility, not a green measure.
    check(&d, "22. 依托高效低碳燃气轮机", &["innovation"], &["green"]);
}

// ---- lyg-2021-25: Lianyungang high-tech zone opinions （一）–（二十六）. ----

#[test]
fn lyg_2021_25_items() {
    let d = doc("lyg-2021-25");
    check(&d, "（十九）完善土地利用政策", &["land"], &["talent"]);
    check(&d, "（五）加快集聚高层次人才", &["talent"], &["land"]);
    check(&d, "（二十）加大财政投入力度", &["fiscal"], &["land"]);
    check(&d, "（二十一）加大金融支持力度", &["finance"], &["talent"]);
    // Lists of powers and guarantees: 人才引进、…、财政金融 / 财政、土地、金融.
    check(
        &d,
        "（十八）深化“放管服”改革",
        &["admin-reform"],
        &["talent", "fiscal"],
    );
    check(
        &d,
        "（二十二）加强组织领导",
        &[],
        &["talent", "land", "fiscal", "finance"],
    );
}

#[test]
fn every_provision_mentioning_plot_ratio_is_land() {
    let c = corpus();
    let docs = c.documents().unwrap();
    let mut seen = 0;
    for d in &docs {
        for p in d.provisions.iter().filter(|p| p.text.contains("容积率")) {
            seen += 1;
            assert!(topics_of(p).contains(&"land".to_string()), "{}", p.id);
        }
    }
    assert!(seen >= 2);
}

// ---- Properties over the whole corpus. ----

#[test]
fn classification_properties_hold_on_the_corpus() {
    let t = tax();
    let docs = corpus().documents().unwrap();
    for d in &docs {
        for p in &d.provisions {
            let scores = classify(&t, p);
            if p.kind == ProvisionKind::Front {
                assert!(scores.is_empty(), "{} is front matter", p.id);
                continue;
            }
            assert!(scores.windows(2).all(|w| w[0].score >= w[1].score));
            let shown = format!("{}\n{}\n{}", p.heading, p.path.join("\n"), p.text);
            for s in &scores {
                assert!(s.score >= THRESHOLD);
                assert!(t.get(&s.topic).is_some());
                assert!(!s.evidence.is_empty());
                for e in &s.evidence {
                    // Evidence is quoted as written (quotes inside may remain).
                    let plain: String = e.chars().filter(|c| !"“”‘’\"".contains(*c)).collect();
                    assert!(
                        shown.contains(e.as_str())
                            || shown.replace(['“', '”'], "").contains(&plain),
                        "{}: evidence {e:?} not in the provision",
                        p.id
                    );
                }
            }
            assert_eq!(
                topic_ids(&t, p),
                scores.iter().map(|s| s.topic.clone()).collect::<Vec<_>>()
            );
        }
    }
}

/// What the index stores (`topic_ids_folded`, given the folds it already
/// made) is `topic_ids`, on every provision of the seeds (many with a
/// responsible-unit note, whose body is folded again) and of every fifth
/// file of the laws bench corpus.
#[test]
fn topics_from_folded_text_are_the_same() {
    let t = tax();
    let mut provisions: Vec<Provision> = corpus()
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.provisions)
        .collect();
    for path in files_under(&laws_dir()).iter().step_by(5) {
        let text = policy_diff::corpus::load::read_text(path).unwrap().text;
        provisions.extend(policy_diff::corpus::parse("doc", &text).0);
    }
    let (mut on, mut noted) = (0, 0);
    for p in &provisions {
        let want = topic_ids(&t, p);
        let got = topic_ids_folded(&t, p, &fold(&p.heading), &fold(&p.text));
        assert_eq!(got, want, "{}: {}", p.id, p.text);
        on += usize::from(!want.is_empty());
        noted += usize::from(p.body_end() < p.text.len() && !want.is_empty());
    }
    assert!(
        on > 1000 && noted > 20,
        "{on} provisions on a topic, {noted} with a note"
    );
}

#[test]
fn classifying_the_corpus_is_cheap() {
    let t = tax();
    let docs = corpus().documents().unwrap();
    let provisions: Vec<&Provision> = docs.iter().flat_map(|d| &d.provisions).collect();
    let start = Instant::now();
    let rounds = 5;
    let mut n = 0;
    for _ in 0..rounds {
        for p in &provisions {
            n += topic_ids(&t, p).len();
        }
    }
    let per_round = start.elapsed() / rounds;
    assert!(n > 0);
    // Debug build, all ~360 provisions: a few milliseconds; allow a lot.
    assert!(
        per_round.as_millis() < 1500,
        "classifying {} provisions took {per_round:?}",
        provisions.len()
    );
}

// ---- The `topics` command. ----

fn cmd() -> Command {
    cli(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-topics-index-{}", std::process::id())),
    )
}

fn json(c: &mut Command) -> serde_json::Value {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

#[test]
fn topics_json_has_taxonomy_and_coverage() {
    let v = json(cmd().args(["topics", "--format", "json"]));
    assert!(v["taxonomy_version"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(v["threshold"].as_f64(), Some(THRESHOLD));
    let jurisdictions: Vec<&str> = v["jurisdictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j.as_str().unwrap())
        .collect();
    for j in ["南通市", "连云港市", "连云港经济技术开发区"] {
        assert!(jurisdictions.contains(&j), "{j} missing");
    }
    let topics = v["topics"].as_array().unwrap();
    for t in topics {
        for key in [
            "id",
            "label",
            "label_en",
            "description",
            "aliases",
            "counts",
            "documents",
        ] {
            assert!(t.get(key).is_some(), "topic lacks {key}");
        }
        // Per-document counts add up to per-jurisdiction counts.
        let by_j: u64 = t["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        let by_d: u64 = t["documents"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(by_j, by_d, "{}", t["id"]);
        assert_eq!(t["documents"].as_object().unwrap().len(), 5);
    }
    let talent = topics.iter().find(|t| t["id"] == "talent").unwrap();
    assert_eq!(talent["label"], "人才");
    assert!(talent["counts"]["南通市"].as_u64().unwrap() > 0);
    assert!(talent["counts"]["连云港市"].as_u64().unwrap() > 0);
    assert!(talent["documents"]["lyg-etdz-plan-2021"].as_u64().unwrap() >= 5);
    let fiscal = topics.iter().find(|t| t["id"] == "fiscal").unwrap();
    assert!(fiscal["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "financial-autonomy"));
}

#[test]
fn topics_text_is_a_table() {
    cmd().args(["topics"]).assert().success().stdout(
        predicate::str::contains("threshold 2.5")
            .and(predicate::str::contains("talent"))
            .and(predicate::str::contains("南通市"))
            .and(predicate::str::contains("财政体制与财政自主权")),
    );
}

#[test]
fn unknown_topics_file_is_a_user_error_naming_it() {
    let missing = std::env::temp_dir().join("pd-no-such-topics-file.toml");
    cmd()
        .args(["topics", "--topics"])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pd-no-such-topics-file.toml"));
}

#[test]
fn malformed_topics_file_is_a_user_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken-topics.toml");
    std::fs::write(&bad, "[[topic]]\nid = \"ports\"\nlabel = \"港口\"\n").unwrap();
    cmd()
        .args(["topics", "--format", "json", "--topics"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("broken-topics.toml")
                .and(predicate::str::contains("no terms")),
        );
}

#[test]
fn a_user_file_can_extend_or_replace_the_taxonomy() {
    let dir = tempfile::tempdir().unwrap();
    let ext = dir.path().join("ports.toml");
    std::fs::write(
        &ext,
        "extends = \"builtin\"\nversion = \"ports-1\"\n[[topic]]\nid = \"ports\"\nlabel = \"港口\"\nlabel_en = \"Ports\"\n[topic.terms]\n\"港口\" = 2.0\n\"集装箱\" = 2.0\n",
    )
    .unwrap();
    let v = json(
        cmd()
            .args(["topics", "--format", "json", "--topics"])
            .arg(&ext),
    );
    assert!(v["taxonomy_version"]
        .as_str()
        .unwrap()
        .ends_with("+ports-1"));
    let topics = v["topics"].as_array().unwrap();
    assert!(topics.iter().any(|t| t["id"] == "talent"));
    let ports = topics.iter().find(|t| t["id"] == "ports").unwrap();
    assert!(ports["counts"]["连云港经济技术开发区"].as_u64().unwrap() > 0);

    let own = dir.path().join("only-ports.toml");
    std::fs::write(
        &own,
        std::fs::read_to_string(&ext)
            .unwrap()
            .replace("extends = \"builtin\"\n", ""),
    )
    .unwrap();
    let v = json(
        cmd()
            .args(["topics", "--format", "json", "--topics"])
            .arg(&own),
    );
    assert_eq!(v["topics"].as_array().unwrap().len(), 1);
    assert_eq!(v["taxonomy_version"], "ports-1");
}

#[test]
fn a_corpus_topics_file_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("docs")).unwrap();
    for entry in std::fs::read_dir(repo().join("corpus/docs")).unwrap() {
        let e = entry.unwrap();
        std::fs::copy(e.path(), corpus.join("docs").join(e.file_name())).unwrap();
    }
    std::fs::copy(
        repo().join("corpus/catalog.toml"),
        corpus.join("catalog.toml"),
    )
    .unwrap();
    std::fs::write(
        corpus.join("topics.toml"),
        "extends = \"builtin\"\nversion = \"local\"\nremove = [\"safety\"]\n",
    )
    .unwrap();
    let mut c = Command::cargo_bin("policy-diff").unwrap();
    c.arg("--corpus")
        .arg(&corpus)
        .args(["topics", "--format", "json"]);
    let v = json(&mut c);
    assert!(v["taxonomy_version"].as_str().unwrap().ends_with("+local"));
    assert!(!v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "safety"));
}

#[test]
fn explain_shows_scores_and_evidence() {
    let v = json(cmd().args(["topics", "--explain", "lyg-2022-32:9", "--format", "json"]));
    let row = &v.as_array().unwrap()[0];
    assert_eq!(row["heading"], "5. 加大财政政策支持力度");
    assert!(row["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "fiscal"));
    let fiscal = row["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["topic"] == "fiscal")
        .unwrap();
    assert!(fiscal["heading"].as_f64().unwrap() > 0.0);
    assert!(fiscal["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "一级财政"));
    cmd()
        .args(["topics", "--explain", "lyg-2022-32:999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown provision"));
}

/// A search reads the taxonomy's fingerprint from a memo beside the index
/// (no parse); editing the corpus's topics file must still be seen: the
/// next search brings the index up to date, and the one after does not.
#[test]
fn an_edited_topics_file_is_seen_although_the_fingerprint_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    copy_dir(&repo().join("corpus"), &corpus);
    let topics = corpus.join("topics.toml");
    std::fs::write(&topics, "extends = \"builtin\"\nversion = \"one\"\n").unwrap();
    let search = || {
        let mut c = cli(&corpus, &index);
        let out = succeed(c.args(["search", "\"一级财政\"", "--format", "json"]));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(search().contains("updating the index"), "first build");
    assert!(!search().contains("updating the index"));
    let memos = || {
        std::fs::read_dir(&index)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("taxonomy-")
            })
            .count()
    };
    assert_eq!(memos(), 1, "the fingerprint is remembered");
    std::fs::write(
        &topics,
        "extends = \"builtin\"\nversion = \"two\"\nremove = [\"safety\"]\n",
    )
    .unwrap();
    let after = search();
    assert!(after.contains("updating the index"), "{after}");
    assert!(!search().contains("updating the index"));
    assert_eq!(memos(), 1, "the old memo is replaced");
}
