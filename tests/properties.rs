//! Properties (issue: reliability): no panic, bounded time, invariants, for
//! the normalizer, the layout/structure parser, metadata detection and the
//! query parser. Bounded case counts so CI stays fast.

use std::time::{Duration, Instant};

use policy_diff::corpus::{meta, parse};
use policy_diff::query;
use policy_diff::text::{fold, is_han};
use proptest::prelude::*;

/// Text shaped like policy documents: numbering, CJK, brackets, digits,
/// tabs, page numbers, blank lines, stray ASCII.
fn policy_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "一、",
        "（一）",
        "(二)",
        "1.",
        "2．",
        "（3）",
        "第一章 ",
        "第二节 ",
        "第十条 ",
        "专栏 1 ",
        "表 2：",
        "附件 1",
        "\n",
        "\n\n",
        "\t",
        " ",
        "— 3 —",
        "目 录",
        "抄送：",
        "责任单位：",
        "〔",
        "〕",
        "（",
        "）",
        "。",
        "，",
        "、",
        "；",
        "“",
        "”",
        "开发区",
        "人才",
        "土地",
        "财政自主权",
        "2022年9月底前",
        "800 亿元",
        "60%",
        "ＡＢＣ",
        "①",
        "#",
        "## 第一章　总则",
        "连政发〔2022〕32号",
        "南通市人民政府",
        "2021年6月3日",
        "（2000年9月8日北京市第十一届人民代表大会常务委员会第二十一次会议通过",
        " 根据2015年5月29日",
        "《关于修改〈",
        "〉的决定》修正）",
        "2014年11月24日 中华人民共和国国务院令第656号公布",
        "一九九四年十一月一日",
        "最高人民法院审判委员会第1823次会议、",
        "<!-- INFO END -->",
        "发布之日施行",
        "\u{3000}",
        "\r\n",
        "a",
        "Z",
        "0",
        "\u{feff}",
    ]);
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn fold_is_idempotent(s in "\\PC{0,80}") {
        prop_assert_eq!(fold(&fold(&s)), fold(&s));
    }

    #[test]
    fn fold_of_policy_text_is_idempotent(s in policy_like()) {
        prop_assert_eq!(fold(&fold(&s)), fold(&s));
    }

    #[test]
    fn parsing_keeps_every_chinese_character(s in policy_like()) {
        let started = Instant::now();
        let (provisions, dropped) = parse("p", &s);
        let _ = meta::detect(&s);
        prop_assert!(started.elapsed() < Duration::from_secs(2));
        // Every Han character of a line that was not dropped reaches a provision text or heading path.
        let dropped: std::collections::HashSet<usize> = dropped.iter().map(|d| d.line).collect();
        let mut body: usize = 0;
        for (i, line) in s.split('\n').enumerate() {
            if !dropped.contains(&i) {
                body += line.chars().filter(|c| is_han(*c)).count();
            }
        }
        let mut got: usize = provisions.iter().map(|p| p.text.chars().filter(|c| is_han(*c)).count()).sum();
        let mut seen = std::collections::HashSet::new();
        for p in &provisions {
            for d in 1..=p.path.len() {
                if seen.insert(p.path[..d].to_vec()) {
                    got += p.path[d - 1].chars().filter(|c| is_han(*c)).count();
                }
            }
            // A section's own text carries the section's heading, not in its path.
            let mut own = p.path.clone();
            own.push(p.heading.clone());
            if !p.text.contains(p.heading.as_str()) && seen.insert(own) {
                got += p.heading.chars().filter(|c| is_han(*c)).count();
            }
        }
        // Headings that never got a provision under them are the only loss
        // (a chapter line with no article after it): up to 200 characters,
        // or one such line however long (record-like pieces make long ones).
        let longest_heading_line = s
            .split('\n')
            .map(|l| l.trim_start_matches(['#', ' ', '\u{3000}']))
            .filter(|l| l.starts_with('第'))
            .map(|l| l.chars().filter(|c| is_han(*c)).count())
            .max()
            .unwrap_or(0);
        prop_assert!(
            got + 200 + longest_heading_line >= body || provisions.is_empty(),
            "kept {} of {}",
            got,
            body
        );
        for p in &provisions {
            prop_assert!(!p.id.is_empty());
        }
    }

    #[test]
    fn printed_queries_parse_back_to_the_same_query(s in "[人才土地财政 ()\"AND OR NOT+\\-]{0,40}") {
        if let Ok(q) = query::parse(&s) {
            let printed = q.to_string();
            prop_assert_eq!(query::parse(&printed).unwrap(), q);
        }
    }

    #[test]
    fn query_parser_never_panics(s in "\\PC{0,200}") {
        let _ = query::parse(&s);
    }
}

#[test]
fn pathological_inputs_are_bounded() {
    let cases = [
        "（一）".repeat(20_000),
        "1. 条款。\n".repeat(10_000),
        "一、\n（一）\n1.\n（1）\n①\n".repeat(5_000),
        "\t".repeat(50_000),
        "甲".repeat(500_000),
        "— 3 —\n".repeat(10_000),
        format!(
            "标题\n{}",
            "2000年9月8日 国务院令第1号公布（《〈\n".repeat(20_000)
        ),
        format!(
            "标题\n（{}",
            "根据2000年9月8日北京市第十一届人民代表大会常务委员会第二十一次会议《关于修改"
                .repeat(5_000)
        ),
    ];
    for text in &cases {
        let started = Instant::now();
        let (p, _) = parse("x", text);
        let _ = meta::detect(text);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} provisions in {:?}",
            p.len(),
            started.elapsed()
        );
    }
    let q = format!("\"{}\"", "人".repeat(10_000));
    assert!(query::parse(&q).is_ok());
    let q = "(".repeat(5_000);
    assert!(query::parse(&q).is_err());
}
