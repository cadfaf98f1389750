//! Figures: numbers with units, ranges, deadlines and target years, pulled
//! out of provision text so two provisions can be compared on their targets
//! (`3—4个` vs `2个`, `2022年9月底前` vs `2022年12月底前`).
//!
//! Extraction runs on the folded text (so `2022 年 9 月底前` and
//! `2022年9月底前` are the same figure) and reports the original spelling.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::text::fold_with_map;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureKind {
    /// A number with a unit: `800亿元`, `160家`, `2个`.
    Amount,
    /// A range with a unit: `3—4个`, `1~2个`.
    Range,
    /// A percentage: `50%以上`, `100%`.
    Percent,
    /// A deadline: `2022年12月底前`, `2022年年底前`.
    Deadline,
    /// A calendar date: `2021年6月3日`.
    Date,
    /// A (target) year or month: `到2025年`, `2023年`.
    Year,
    /// A plan period: `“十四五”末`, `“十四五”期间`, `2021—2025年`.
    Period,
}

impl FigureKind {
    /// Figures of one class are compared with each other (time with time,
    /// amounts with amounts of the same unit).
    fn is_time(self) -> bool {
        matches!(
            self,
            FigureKind::Deadline | FigureKind::Date | FigureKind::Year | FigureKind::Period
        )
    }
}

/// One figure found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub kind: FigureKind,
    /// As written in the document.
    pub text: String,
    /// Comparable form: folded, ranges written `a-b`, quotes dropped
    /// (`3-4个`, `2022年12月底前`, `十四五末`).
    pub value: String,
    /// The unit (`亿元`, `个`, `%`); empty for time figures.
    pub unit: String,
    /// Byte range of `text` in the original.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

/// A figure that differs between two texts; `None` where one side has no
/// counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureChange {
    pub kind: FigureKind,
    pub unit: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

const NUM: &str = r"\d+(?:\.\d+)?";
const DASH: &str = r"\s*(?:[-—–~〜]+|至|到)\s*";
/// Units, longer spellings first (the regex takes the first alternative that matches).
const UNITS: &[&str] = &[
    "万平方米",
    "平方公里",
    "平方米",
    "个百分点",
    "亿美元",
    "万美元",
    "万人次",
    "万千瓦",
    "万标箱",
    "个月",
    "亿元",
    "万元",
    "美元",
    "万人",
    "人次",
    "公里",
    "万亩",
    "万吨",
    "千瓦",
    "标箱",
    "小时",
    "元",
    "人",
    "亩",
    "吨",
    "家",
    "个",
    "项",
    "条",
    "位",
    "名",
    "所",
    "座",
    "台",
    "套",
    "件",
    "批",
    "户",
    "倍",
    "岁",
    "年",
    "天",
    "日",
    "次",
    "%",
    "‰",
];
/// Units a Chinese-numeral amount may carry (`百亿元`).
const CN_MONEY: &str = "亿美元|万美元|亿元|万元";

fn regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let units = UNITS
            .iter()
            .map(|u| regex::escape(u))
            .collect::<Vec<_>>()
            .join("|");
        let pattern = format!(
            r#"(?x)
            (?P<period>[“"]?十[一二三四五六七八九]五[”"]?(?:末期|期间|时期|中期|末|初|以来))
            | (?P<yrange>\d{{4}}{DASH}\d{{4}}年)
            | (?P<time>\d{{4}}年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?(?:年?底|年?末|上旬|中旬|下旬|上半年|下半年)?(?:之前|以前|前)?)
            | (?P<amount>(?P<n1>{NUM})(?:{DASH}(?P<n2>{NUM}))?\s*(?P<unit>{units})(?P<q>以上|以下|以内|左右)?)
            | (?P<cn>[一二三四五六七八九十百千两]+(?P<cnunit>{CN_MONEY})(?P<cnq>以上|以下|以内|左右)?)
            "#
        );
        Regex::new(&pattern).expect("figure regex")
    })
}

/// All figures of `text`, in order.
pub fn extract(text: &str) -> Vec<Figure> {
    let (folded, map) = fold_with_map(text);
    let mut starts: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
    starts.push(folded.len());
    let orig_at = |byte: usize| map[starts.partition_point(|&s| s < byte)];
    let mut out = Vec::new();
    for caps in regex().captures_iter(&folded) {
        let m = caps.get(0).expect("whole match");
        // Ordinals (第81次) and list numbers are not figures.
        let before = folded[..m.start()].chars().next_back();
        if before == Some('第') {
            continue;
        }
        if before.is_some_and(|c| c.is_ascii_digit() || c == '.') {
            continue;
        }
        let (kind, unit, value) = if caps.name("period").is_some() {
            (
                FigureKind::Period,
                String::new(),
                m.as_str().replace(['“', '”', '"'], ""),
            )
        } else if caps.name("yrange").is_some() {
            (
                FigureKind::Period,
                String::new(),
                normalize_range(m.as_str()),
            )
        } else if caps.name("time").is_some() {
            let t = m.as_str();
            let kind = if t.ends_with('前') || t.ends_with('底') || t.ends_with('末') {
                FigureKind::Deadline
            } else if t.ends_with('日') {
                FigureKind::Date
            } else {
                FigureKind::Year
            };
            (kind, String::new(), t.to_string())
        } else if caps.name("amount").is_some() {
            let unit = caps["unit"].to_string();
            let q = caps.name("q").map_or("", |q| q.as_str());
            let (kind, value) = match caps.name("n2") {
                Some(n2) => (
                    FigureKind::Range,
                    format!("{}-{}{unit}{q}", &caps["n1"], n2.as_str()),
                ),
                None => (FigureKind::Amount, format!("{}{unit}{q}", &caps["n1"])),
            };
            // A bare year-like number with 年 is a duration only when short.
            if unit == "年" && caps["n1"].len() >= 4 {
                continue;
            }
            let kind = if matches!(unit.as_str(), "%" | "‰" | "个百分点") {
                FigureKind::Percent
            } else {
                kind
            };
            (kind, unit, value)
        } else {
            let unit = caps["cnunit"].to_string();
            (FigureKind::Amount, unit, m.as_str().to_string())
        };
        let start = orig_at(m.start());
        let end = orig_at(m.end());
        out.push(Figure {
            kind,
            text: text[start..end].trim().to_string(),
            value,
            unit,
            span: start..end,
        });
    }
    out
}

fn normalize_range(s: &str) -> String {
    let re = {
        static RE: OnceLock<Regex> = OnceLock::new();
        RE.get_or_init(|| Regex::new(DASH).expect("dash regex"))
    };
    re.replace_all(s, "-").into_owned()
}

/// The figures that differ between `a` and `b`: a value found on both sides
/// is no change (however often each side repeats it); the rest, each value
/// once, are paired in order of appearance within a class (time figures
/// together; amounts, ranges and percentages by unit), leftovers listed
/// against nothing.
pub fn changes(a: &[Figure], b: &[Figure]) -> Vec<FigureChange> {
    pair_changes(a, b, &|x, y| same_class(x, y))
}

/// Time figures together; amounts, ranges and percentages by unit.
fn same_class(x: &Figure, y: &Figure) -> bool {
    if x.kind.is_time() || y.kind.is_time() {
        x.kind.is_time() && y.kind.is_time()
    } else {
        x.unit == y.unit
    }
}

/// The values only one side has, each paired with the first value of the
/// other side that `fits` it (in order), the rest against nothing.
fn pair_changes(
    a: &[Figure],
    b: &[Figure],
    fits: &dyn Fn(&Figure, &Figure) -> bool,
) -> Vec<FigureChange> {
    fn only_in<'f>(xs: &'f [Figure], other: &[Figure]) -> Vec<&'f Figure> {
        let mut seen = std::collections::HashSet::new();
        xs.iter()
            .filter(|x| !other.iter().any(|o| o.value == x.value))
            .filter(|x| seen.insert(x.value.as_str()))
            .collect()
    }
    let rest_a = only_in(a, b);
    let mut rest_b: Vec<Option<&Figure>> = only_in(b, a).into_iter().map(Some).collect();
    let mut out = Vec::new();
    for fa in rest_a {
        let partner = rest_b
            .iter_mut()
            .find(|f| f.is_some_and(|fb| fits(fa, fb)))
            .and_then(Option::take);
        out.push(FigureChange {
            kind: fa.kind,
            unit: fa.unit.clone(),
            a: Some(fa.text.clone()),
            b: partner.map(|fb| fb.text.clone()),
        });
    }
    for fb in rest_b.into_iter().flatten() {
        out.push(FigureChange {
            kind: fb.kind,
            unit: fb.unit.clone(),
            a: None,
            b: Some(fb.text.clone()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(FigureKind, String)> {
        extract(text)
            .into_iter()
            .map(|f| (f.kind, f.value))
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        extract(text).into_iter().map(|f| f.text).collect()
    }

    #[test]
    fn amounts_with_units() {
        // lyg-2022-32 (二)发展目标
        let t =
            "到“十四五”末，市开发区地区生产总值突破 800 亿元，徐圩新区地区生产总值突破 1000 亿元，\
                 其他开发区至少达到 3500 亿元，占全市比重达到 50%以上";
        assert_eq!(
            values(t),
            vec![
                (FigureKind::Period, "十四五末".to_string()),
                (FigureKind::Amount, "800亿元".to_string()),
                (FigureKind::Amount, "1000亿元".to_string()),
                (FigureKind::Amount, "3500亿元".to_string()),
                (FigureKind::Percent, "50%以上".to_string()),
            ]
        );
        assert_eq!(texts(t)[1], "800 亿元");
        // lyg-2022-32 13. 聚焦招商主责主业
        assert_eq!(
            values(
                "市开发区每年引进百亿元以上项目 2 个，其他开发区每年各引进 50 亿元以上项目 1 个"
            ),
            vec![
                (FigureKind::Amount, "百亿元以上".to_string()),
                (FigureKind::Amount, "2个".to_string()),
                (FigureKind::Amount, "50亿元以上".to_string()),
                (FigureKind::Amount, "1个".to_string()),
            ]
        );
        // nt-2021-23
        assert_eq!(
            values("注重突破1.5亿美元以上先进制造业项目"),
            vec![(FigureKind::Amount, "1.5亿美元以上".to_string())]
        );
        assert_eq!(
            values(
                "“专精特新”小巨人数量突破 160 家，研发机构数量达 300 个，净增高新技术企业数超400家"
            ),
            vec![
                (FigureKind::Amount, "160家".to_string()),
                (FigureKind::Amount, "300个".to_string()),
                (FigureKind::Amount, "400家".to_string()),
            ]
        );
    }

    #[test]
    fn ranges() {
        // lyg-2022-32 6. 打造特色产业园区 and nt-2021-23 （一）培育优势产业集群
        assert_eq!(
            values("国家级开发区确定3—4个主导产业方向，省级开发区确定1—2个主导产业方向"),
            vec![
                (FigureKind::Range, "3-4个".to_string()),
                (FigureKind::Range, "1-2个".to_string()),
            ]
        );
        assert_eq!(
            values("开发区要明确重点打造1~2个特色主导产业，建设不少于3~5家"),
            vec![
                (FigureKind::Range, "1-2个".to_string()),
                (FigureKind::Range, "3-5家".to_string()),
            ]
        );
        assert_eq!(texts("确定3—4个主导产业")[0], "3—4个");
    }

    #[test]
    fn deadlines_and_years() {
        assert_eq!(
            values("按照权责一致原则，2022 年 9 月底前理顺开发区与所在地政府的关系"),
            vec![(FigureKind::Deadline, "2022年9月底前".to_string())]
        );
        assert_eq!(texts("原则，2022 年 9 月底前理顺")[0], "2022 年 9 月底前");
        assert_eq!(
            values("2022年12月底前市开发区创建成为省级安全发展示范城市"),
            vec![(FigureKind::Deadline, "2022年12月底前".to_string())]
        );
        assert_eq!(
            values("2022年年底前，13个省级以上经济开发区全部完成安全风险评估；平台建成率100%"),
            vec![
                (FigureKind::Deadline, "2022年年底前".to_string()),
                (FigureKind::Amount, "13个".to_string()),
                (FigureKind::Percent, "100%".to_string()),
            ]
        );
        assert_eq!(
            values("（三）发展目标。到 2025 年，高新区体制机制更加完善；到 2035 年，建成一批"),
            vec![
                (FigureKind::Year, "2025年".to_string()),
                (FigureKind::Year, "2035年".to_string()),
            ]
        );
        assert_eq!(
            values("“十四五”期间实现省级开发区财政预算管理和独立核算"),
            vec![(FigureKind::Period, "十四五期间".to_string())]
        );
        assert_eq!(
            values("2021—2025年"),
            vec![(FigureKind::Period, "2021-2025年".to_string())]
        );
        assert_eq!(
            values("2021年6月3日"),
            vec![(FigureKind::Date, "2021年6月3日".to_string())]
        );
    }

    #[test]
    fn not_figures() {
        // Document numbers, ordinals, names.
        assert!(values("《省政府关于推进全省经济开发区创新提升打造改革开放新高地的实施意见》（苏政发〔2020〕79号）").is_empty());
        assert!(values("经十五届市人民政府第73次常务会议审议通过").is_empty());
        assert!(values("深入推进开发区人才“十个一工程”和花果山英才计划").is_empty());
        assert!(values("大力推动5G基础设施建设，打造“十四五”开发区").is_empty());
        assert!(values("《江苏省建设用地指标》（2018 版）").is_empty());
    }

    #[test]
    fn changed_figures_side_by_side() {
        let a = extract("国家级开发区确定3—4个主导产业方向，2022 年 9 月底前完成，建成率100%");
        let b = extract("每个开发区明确2个主导产业，2022年12月底前完成，建成率100%");
        let c = changes(&a, &b);
        assert_eq!(
            c,
            vec![
                FigureChange {
                    kind: FigureKind::Range,
                    unit: "个".into(),
                    a: Some("3—4个".into()),
                    b: Some("2个".into()),
                },
                FigureChange {
                    kind: FigureKind::Deadline,
                    unit: String::new(),
                    a: Some("2022 年 9 月底前".into()),
                    b: Some("2022年12月底前".into()),
                },
            ]
        );
        // Only on one side.
        let c = changes(&extract("突破 160 家"), &[]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].b, None);
        // The same figures, spelled differently or repeated, are no change.
        assert!(changes(&extract("2022 年 12 月底前"), &extract("2022年12月底前")).is_empty());
        assert!(changes(&extract("完成率100%，建成率100%"), &extract("建成率100%")).is_empty());
    }
}

/// Words that say how much, not of what: left out of a figure's label.
const MEASURE_WORDS: &[&str] = &[
    "占",
    "比重",
    "达到",
    "达",
    "超过",
    "不低于",
    "不少于",
    "以上",
    "力争",
    "实现",
    "全市",
    "年",
    "增长",
    "总量",
    "规模",
    "突破",
    "至少",
    "每年",
    "累计",
    "比例",
    "到",
    "在",
    "的",
    "和",
    "为",
    "由",
    "其中",
    "约",
    "左右",
    "提高",
    "提升",
    "完成",
    "建成",
    "率",
    "数量",
    "个",
];

/// What a figure measures: the content words before it in its sentence,
/// back to the previous comma, semicolon or colon (one segment further when
/// that one holds only measure words: `占全市比重达到 50%` takes its subject
/// from the segment before).
pub fn label(text: &str, f: &Figure) -> Vec<String> {
    let before = crate::text::fold(&text[..f.span.start.min(text.len())]);
    let segments: Vec<&str> = before
        .split(['，', ',', '；', ';', '：', ':', '。'])
        .rev()
        .take(2)
        .collect();
    let mut out: Vec<String> = vec![];
    for seg in segments {
        for w in crate::text::segment::words(seg) {
            let t = w.text;
            if !MEASURE_WORDS.contains(&t) && !t.chars().any(|c| c.is_ascii_digit()) {
                out.push(t.to_string());
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out.sort();
    out.dedup();
    out
}

/// [`changes`] of two texts' figures, paired by meaning: two amounts,
/// ranges or percentages count as one figure changed only when they have
/// the same unit and their labels (see [`label`]) share a word, wherever
/// each stands in its text; otherwise each is listed against nothing. Time
/// figures pair in order, as in [`changes`].
pub fn changes_in(a_text: &str, a: &[Figure], b_text: &str, b: &[Figure]) -> Vec<FigureChange> {
    let labels = |text: &str, figs: &[Figure]| -> Vec<(String, Vec<String>)> {
        figs.iter()
            .map(|f| (f.value.clone(), label(text, f)))
            .collect()
    };
    let (la, lb) = (labels(a_text, a), labels(b_text, b));
    let label_of = |ls: &[(String, Vec<String>)], f: &Figure| {
        ls.iter()
            .find(|(v, _)| *v == f.value)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    pair_changes(a, b, &|x, y| {
        if x.kind.is_time() || y.kind.is_time() {
            return x.kind.is_time() && y.kind.is_time();
        }
        let (wx, wy) = (label_of(&la, x), label_of(&lb, y));
        x.unit == y.unit && wx.iter().any(|w| wy.contains(w))
    })
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn a_gdp_share_is_not_an_rd_share() {
        let a = "全市开发区地区生产总值力争达到 3500 亿元，占全市比重达到 50%以上。";
        let b = "国家高新区 R&D 经费支出占 GDP比重达到 7%以上。";
        let got = changes_in(a, &extract(a), b, &extract(b));
        assert!(
            got.iter().all(|c| c.a.is_none() || c.b.is_none()),
            "{got:?}"
        );
        // The same measure with another value is a change.
        let c = "全市开发区地区生产总值力争达到 4000 亿元。";
        let got = changes_in(a, &extract(a), c, &extract(c));
        assert!(got
            .iter()
            .any(|x| x.a.as_deref() == Some("3500 亿元") && x.b.as_deref() == Some("4000 亿元")));
        // Reordered, each figure finds its own measure.
        let a = "地区生产总值达到3500亿元，一般公共预算收入达到200亿元。";
        let b = "一般公共预算收入达到300亿元，地区生产总值达到4000亿元。";
        let got = changes_in(a, &extract(a), b, &extract(b));
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got
            .iter()
            .any(|x| x.a.as_deref() == Some("3500亿元") && x.b.as_deref() == Some("4000亿元")));
        assert!(got
            .iter()
            .any(|x| x.a.as_deref() == Some("200亿元") && x.b.as_deref() == Some("300亿元")));
    }
}
