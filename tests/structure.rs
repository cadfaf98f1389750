//! Provision structure of the real seeds (issue: corpus and provisions).

mod common;

use std::collections::HashMap;

use common::*;
use policy_diff::corpus::layout::{layout, DropReason};
use policy_diff::corpus::{parse, ProvisionKind};
use policy_diff::text::{fold, is_han};

#[test]
fn each_numbered_measure_of_002_is_a_provision() {
    let d = doc("lyg-2022-32");
    let items: Vec<_> = d
        .provisions
        .iter()
        .filter(|p| p.number.as_deref().is_some_and(|n| n.ends_with('.')))
        .collect();
    let numbers: Vec<String> = items.iter().map(|p| p.number.clone().unwrap()).collect();
    let expected: Vec<String> = (1..=31).map(|n| format!("{n}.")).collect();
    assert_eq!(numbers, expected);
    let m5 = find(&d, "5. ");
    assert_eq!(m5.heading, "5. 加大财政政策支持力度");
    assert_eq!(m5.path, vec!["二、主要任务", "（一）体制机制优化工程"]);
    assert!(
        fold(&m5.text).contains("支持有条件的开发区实行“一级财政”管理体制"),
        "page break rejoined: {}",
        m5.text
    );
    assert_eq!(
        m5.responsible_units,
        vec!["市财政局", "市国资委", "各县区", "功能板块"]
    );
    assert_eq!(find(&d, "10. ").heading, "10. 建设全面人才支撑体系");
    assert_eq!(find(&d, "8. ").heading, "8. 提高土地集约利用水平");
    assert_eq!(
        find(&d, "31. ").path,
        vec!["二、主要任务", "（九）开发区干部能力提升工程"]
    );
}

/// Every （一）-style item line of the raw seed becomes its own provision.
fn check_paren_items(id: &str, seed: &str, expected: usize) {
    let d = doc(id);
    let raw = seed_text(seed);
    let item_lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with('（')
                && l.contains('）')
                && l[3..].starts_with(|c: char| "一二三四五六七八九十".contains(c))
        })
        .collect();
    assert_eq!(item_lines.len(), expected, "items in seed {seed}");
    for line in item_lines {
        let number = &line[..line.find('）').unwrap() + '）'.len_utf8()];
        let p = d
            .provisions
            .iter()
            .find(|p| p.number.as_deref() == Some(number) && p.text.starts_with(line))
            .unwrap_or_else(|| panic!("{id}: no provision for {line:?}"));
        assert!(p.heading.starts_with(number));
        assert!(!p.path.is_empty(), "{id} {number} has a heading path");
    }
}

#[test]
fn each_paren_item_of_003_and_004_is_a_provision() {
    check_paren_items("nt-2021-23", "003", 20);
    check_paren_items("lyg-2021-25", "004", 26);
    let nt = doc("nt-2021-23");
    let fiscal = find(&nt, "（三）强化财政金融支持");
    assert_eq!(fiscal.path, vec!["五、坚持创新驱动"]);
    let first = find(&nt, "（一）优化提升利用外资质态");
    // The unit list spans a page break and nested brackets.
    assert_eq!(
        first.responsible_units,
        vec!["市商务局", "各县（市、区）人民政府"]
    );
}

#[test]
fn task_table_rows_of_000_carry_their_departments() {
    let d = doc("lyg-etdz-2021-54");
    let rows: Vec<_> = d
        .provisions
        .iter()
        .filter(|p| p.kind == ProvisionKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 63);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.number.as_deref(), Some((i + 1).to_string().as_str()));
        assert!(
            !r.responsible_units.is_empty(),
            "row {} has departments",
            i + 1
        );
        assert!(r.path[0].starts_with("附件 2"), "{:?}", r.path);
    }
    assert_eq!(
        rows[8].responsible_units,
        vec!["区财政局（金融办）", "区自贸办"]
    );
    assert_eq!(
        rows[0].path.last().unwrap(),
        "全面做好自贸区试验区改革试点经验复制推广工作"
    );
    assert!(rows[33].text.contains("开展低效用地清理整治"));
    assert_eq!(rows[33].responsible_units, vec!["区双清办", "区自然资源局"]);
    // Group labels with spaces from the PDF are cleaned: "推进产 业协同创 新体系建设".
    assert_eq!(rows[24].path.last().unwrap(), "推进产业协同创新体系建设");
}

/// The groups (重点工作) of 000's task table. The PDF prints each label once
/// per page beside some row of its group, and loses one; the truth here is
/// which body measure of 附件 1 each row's wording comes from.
#[test]
fn task_table_rows_of_000_are_in_their_groups() {
    const GROUPS: &[(usize, usize, &str)] = &[
        (1, 3, "全面做好自贸区试验区改革试点经验复制推广工作"),
        (4, 5, "积极推动联动创新发展区与自贸区制度创新联动"),
        (6, 9, "推动区域联动提升辐射能级"),
        (10, 12, "推进新医药产业链联动发展"),
        (13, 16, "探索医药产业开放创新体系"),
        (17, 20, "推动新材料产业链联动发展"),
        (21, 24, "推动高端装备制造业产业链联动发展"),
        (25, 28, "推进产业协同创新体系建设"),
        (29, 32, "培育新业态新模式"),
        (33, 38, "促进区域产业升级"),
        // Printed as 深化行政体制改革 at the foot of one page and 深化行政管理体制改革
        // at the head of the next: one group.
        (39, 46, "深化行政管理体制改革"),
        (47, 51, "创新通关监管机制"),
        (52, 55, "增强金融服务功能"),
        (56, 59, "深化科技创新"),
        // The label is lost in the extraction; the rows come from body measure
        // 15, whose heading names the group.
        (60, 63, "持续打造一流营商环境"),
    ];
    let d = doc("lyg-etdz-2021-54");
    let rows: Vec<_> = d
        .provisions
        .iter()
        .filter(|p| p.kind == ProvisionKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 63);
    let mut wrong = vec![];
    for &(first, last, label) in GROUPS {
        for n in first..=last {
            let got = rows[n - 1].path.last().unwrap();
            if got != label {
                wrong.push(format!("row {n}: {got} (expected {label})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn boxes_and_sections_of_001() {
    let d = doc("lyg-etdz-plan-2021");
    let boxes: Vec<_> = d
        .provisions
        .iter()
        .filter(|p| p.kind == ProvisionKind::Box)
        .collect();
    let numbers: Vec<&str> = boxes.iter().map(|b| b.number.as_deref().unwrap()).collect();
    assert_eq!(
        numbers,
        ["专栏 1", "专栏 2", "专栏 3", "专栏 4", "专栏 5", "专栏 6", "专栏 7"]
    );
    let talent_box = boxes[6];
    assert!(talent_box.text.contains("花果山英才计划"));
    assert_eq!(
        talent_box.path,
        vec![
            "第四章 构筑创新发展新优势，倾力构建创新生态新体系",
            "第一节 打造创新人才高地"
        ]
    );
    // A box row wrapped over lines is one row.
    assert!(
        boxes[3].text.contains("朝阳电商文旅小镇等。"),
        "{}",
        boxes[3].text
    );
    // Lead-phrase paragraphs are provisions of their own.
    let lead = find(&d, "强化产才融合，突出重点人才引领");
    assert_eq!(lead.kind, ProvisionKind::Lead);
    assert_eq!(lead.path.last().unwrap(), "第一节 打造创新人才高地");
    find(&d, "抓好人才引育机制，释放人才政策活力");
}

#[test]
fn page_breaks_never_cut_a_sentence() {
    let cases = [
        ("lyg-etdz-plan-2021", "着力突破一批核心技术"),
        ("lyg-etdz-plan-2021", "放在连云港发展新阶段性特征中去分析"),
        ("lyg-2022-32", "徐圩新区地区生产总值突破1000亿元"),
        ("lyg-2021-25", "构筑竞争优势。"),
        ("nt-2021-23", "推动我市开放型经济高质量发展走在前列"),
        (
            "lyg-etdz-2021-54",
            "推进政务服务下沉到中华药港、中华材料港、综合保税区等区中园。",
        ),
    ];
    for (id, phrase) in cases {
        let d = doc(id);
        let hits = d
            .provisions
            .iter()
            .filter(|p| fold(&p.text).contains(&fold(phrase)))
            .count();
        assert_eq!(hits, 1, "{id}: {phrase:?} appears in one provision");
    }
}

#[test]
fn no_page_numbers_toc_or_footer_in_provisions() {
    let corpus = corpus();
    for d in corpus.documents().unwrap() {
        for p in &d.provisions {
            for bad in ["— 3 —", "—3—", "抄送", "印发\n", "\t6\n", "目 录"] {
                assert!(!p.text.contains(bad), "{} contains {bad:?}", p.id);
            }
            assert!(!p.text.ends_with("印发"), "{}", p.id);
        }
    }
    let d = doc("lyg-etdz-plan-2021");
    assert!(
        d.layout_dropped
            .iter()
            .filter(|x| x.reason == DropReason::TableOfContents)
            .count()
            >= 49
    );
    assert!(!d.provisions.iter().any(|p| p
        .text
        .contains("第十一章 突出管理保障，切实确保规划落到实处\t91")));
}

/// Chinese characters of the body (all lines except dropped page numbers,
/// TOC and footer) that reach the provisions, as a multiset.
#[test]
fn nothing_is_lost() {
    for (id, seed) in [
        ("lyg-etdz-2021-54", "000"),
        ("lyg-etdz-plan-2021", "001"),
        ("lyg-2022-32", "002"),
        ("nt-2021-23", "003"),
        ("lyg-2021-25", "004"),
    ] {
        let raw = seed_text(seed);
        let l = layout(&raw);
        let dropped: std::collections::HashSet<usize> = l.dropped.iter().map(|d| d.line).collect();
        let mut body: HashMap<char, usize> = HashMap::new();
        for (i, line) in raw.split('\n').enumerate() {
            if !dropped.contains(&i) {
                for c in line.chars().filter(|c| is_han(*c)) {
                    *body.entry(c).or_default() += 1;
                }
            }
        }
        let (provisions, _) = parse(id, &raw);
        // Text of the provisions, plus each section heading once (exported in `path`).
        let mut got: HashMap<char, usize> = HashMap::new();
        let mut sections = std::collections::HashSet::new();
        let mut count = |s: &str| {
            for c in s.chars().filter(|c| is_han(*c)) {
                *got.entry(c).or_default() += 1;
            }
        };
        for p in &provisions {
            count(&p.text);
            for depth in 1..=p.path.len() {
                if sections.insert(p.path[..depth].to_vec()) {
                    count(&p.path[depth - 1]);
                }
            }
        }
        let total: usize = body.values().sum();
        let kept: usize = body
            .iter()
            .map(|(c, n)| (*n).min(*got.get(c).unwrap_or(&0)))
            .sum();
        let ratio = kept as f64 / total as f64;
        assert!(
            ratio >= 0.99,
            "{id}: {kept}/{total} = {ratio:.4} of the body's Chinese characters kept"
        );
        let extra: usize = got.values().sum::<usize>().saturating_sub(total);
        assert!(
            extra * 100 < total * 3,
            "{id}: {extra} characters duplicated"
        );
    }
}

#[test]
fn provision_ids_are_unique_and_stable() {
    let corpus = corpus();
    let docs = corpus.documents().unwrap();
    let again = corpus.documents().unwrap();
    let mut seen = std::collections::HashSet::new();
    for (a, b) in docs.iter().zip(&again) {
        assert_eq!(a.provisions, b.provisions);
        for p in &a.provisions {
            assert!(seen.insert(p.id.clone()), "duplicate id {}", p.id);
        }
    }
}

/// A numbered measure that is one sentence, followed by another numbered
/// measure, is a provision (regression: it was taken for a heading and lost).
#[test]
fn one_sentence_measures_are_kept() {
    let text = "一、引育高层次人才\n\n（一）对顶尖人才团队给予最高一亿元综合资助，支持建设紫金山英才实验室。\n\n（二）对新引进的青年人才给予生活补贴。\n\n二、保障措施\n\n（一）加强组织领导。\n";
    let (p, _) = parse("x", text);
    let headings: Vec<&str> = p.iter().map(|p| p.heading.as_str()).collect();
    assert_eq!(headings.len(), 3, "{headings:?}");
    assert!(p[0].text.contains("紫金山英才实验室"));
    assert!(p[1].text.contains("生活补贴"));
    assert_eq!(p[1].path, vec!["一、引育高层次人才"]);
    assert_eq!(p[2].heading, "（一）加强组织领导");
    // A heading whose text follows in its own paragraph is still one provision.
    let (p, _) = parse(
        "y",
        "（一）指导思想\n\n以习近平新时代中国特色社会主义思想为指导，全面贯彻。\n",
    );
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].heading, "（一）指导思想");
}

/// `path` holds the headings above a provision: a section's own text (under
/// 第一节 …, before its numbered measures) has the section's heading, and its
/// path stops above the section, so citations do not repeat it.
#[test]
fn no_path_ends_with_its_own_heading() {
    let mut sections_own_text = 0;
    for id in [
        "lyg-etdz-2021-54",
        "lyg-etdz-plan-2021",
        "lyg-2022-32",
        "nt-2021-23",
        "lyg-2021-25",
    ] {
        let d = doc(id);
        for p in &d.provisions {
            assert_ne!(p.path.last(), Some(&p.heading), "{}", p.id);
        }
        sections_own_text += d
            .provisions
            .iter()
            .filter(|p| p.kind == ProvisionKind::Text && p.heading.starts_with("第一节"))
            .count();
    }
    assert!(
        sections_own_text > 0,
        "the plan's sections have their own text"
    );
    let d = doc("lyg-etdz-plan-2021");
    let own = find(&d, "第一节 “十三五”发展回顾");
    assert_eq!(own.path, ["第一章 现实基础与发展环境"]);
}

/// The signature of 004 is right-aligned in the PDF (set far in, after the
/// last measure's closing line): it belongs to the 落款, not to the measure.
#[test]
fn signature_set_apart_is_not_glued_to_the_last_measure() {
    let d = doc("lyg-2021-25");
    let last_measure = d
        .provisions
        .iter()
        .rev()
        .find(|p| p.kind != ProvisionKind::Front)
        .unwrap();
    assert!(
        last_measure.text.trim_end().ends_with("各县、区人民政府）"),
        "{}",
        last_measure.text
    );
    let back = d.provisions.last().unwrap();
    assert_eq!(back.kind, ProvisionKind::Front);
    assert!(
        back.text
            .starts_with("连云港市人民政府\n2021 年 4 月 12 日"),
        "{}",
        back.text
    );
}
