//! What a clause does, before which instruments it uses: states nothing a
//! coder would code (a preamble, a guiding principle, a review of the past, a
//! table cell), states a goal, or takes a measure. Pure.
//!
//! Cue terms cannot tell these apart: 外贸进出口总额实现翻番 names trade but
//! sets a target, 为贯彻落实…示范… names a pilot but only cites its sources.
//! The markers below follow the decision rules of the hand coding
//! (`tests/eval/instruments/GUIDE.md`, rules 2–4); which of them to use was
//! decided on the tuning part (EVALUATION.md).

use crate::classify::matcher::MatchText;

/// Openings of clauses that state no measure: preambles (为贯彻落实…) and
/// guiding ideology. In matching form.
const UNCODED_OPENINGS: [&str; 10] = [
    "为贯彻",
    "为深入",
    "为认真",
    "为加快",
    "为进一步",
    "为全面",
    "为推动",
    "为促进",
    "坚持以",
    "以习近平",
];

/// Phrases of clauses that state no measure: guiding ideology, reviews of
/// the past (获批, 获评), issuance lines, slogans about the atmosphere.
const UNCODED_PHRASES: [&str; 7] = [
    "习近平新时代",
    "指导思想",
    "获批",
    "获评",
    "此件公开发布",
    "浓厚氛围",
    "良好氛围",
];

/// A table cell or heading fragment: at most this many characters and no
/// closing full stop.
const CELL_CHARS: usize = 14;

/// Markers of a goal or target statement (a dated or quantified outcome, a
/// goal line `——…显著提高`).
const GOAL_MARKERS: [&str; 15] = [
    "到2025年",
    "到2035年",
    "到2030年",
    "力争",
    "基本形成",
    "翻番",
    "全覆盖",
    "显著提高",
    "显著提升",
    "明显提升",
    "增长极",
    "年均增长",
    "打造成",
    "发展目标",
    "——",
];

/// Units after a figure that make it a quantified outcome.
const FIGURE_UNITS: [char; 8] = ['%', '亿', '万', '家', '个', '项', '位', '倍'];

/// What a clause does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Function {
    /// States nothing to code; the reason, for `--explain`.
    Uncoded(String),
    /// States a goal or target; the markers found.
    Goal(Vec<String>),
    /// Anything else: coded by its cue terms alone.
    Measure,
}

/// What `text` does.
pub fn function(text: &str) -> Function {
    let t = MatchText::new(text, false);
    let s: String = t.chars.iter().collect();
    if let Some(o) = UNCODED_OPENINGS.iter().find(|o| s.starts_with(*o)) {
        return Function::Uncoded(format!("opens with {o} (preamble or guiding idea)"));
    }
    if let Some(p) = UNCODED_PHRASES.iter().find(|p| s.contains(*p)) {
        return Function::Uncoded(format!("contains {p} (no measure stated)"));
    }
    if unit_cell(&t.chars) {
        return Function::Uncoded("a table cell (unit in brackets)".into());
    }
    let n = t.chars.iter().filter(|c| !c.is_whitespace()).count();
    if n <= CELL_CHARS && t.chars.last() != Some(&'。') {
        return Function::Uncoded(format!(
            "{n} characters without a full stop (cell or heading)"
        ));
    }
    let mut found: Vec<String> = GOAL_MARKERS
        .iter()
        .filter(|m| s.contains(*m))
        .map(|m| m.to_string())
        .collect();
    if let Some(f) = figure(&t.chars) {
        found.push(f);
    }
    if found.is_empty() {
        Function::Measure
    } else {
        Function::Goal(found)
    }
}

/// `(%)`, `(亿美元)`…: a row label of an indicator table.
fn unit_cell(chars: &[char]) -> bool {
    chars
        .windows(2)
        .any(|w| w[0] == '(' && matches!(w[1], '%' | '亿' | '万' | '个' | '家' | '人'))
}

/// The first figure followed by a unit (`80%`, `1.5亿`, `100 家`).
fn figure(chars: &[char]) -> Option<String> {
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && FIGURE_UNITS.contains(&chars[j]) {
                return Some(chars[start..=j].iter().filter(|c| **c != ' ').collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let got = match function(text) {
            Function::Uncoded(_) => "uncoded",
            Function::Goal(_) => "goal",
            Function::Measure => "measure",
        };
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn clauses_are_told_apart_by_what_they_do() {
        for (text, expected) in [
            ("为贯彻落实《国务院关于推进国家级经济技术开发区创新提升打造改革开放新高地的意见》，制定本方案。", "uncoded"),
            ("坚持以习近平新时代中国特色社会主义思想为指导。", "uncoded"),
            ("获批国家知识产权示范园区，专利授权年均增长 30%以上。", "uncoded"),
            ("累计实际利用外资(亿美元)", "uncoded"),
            ("富驰粉末注射智能制造；", "uncoded"),
            ("一般公共预算收入、外贸进出口总额、高新技术企业数量实现翻番；", "goal"),
            ("新增高新技术企业数 100 家，高新技术产业增加值占规模以上工业增加值比重达到 80% 以上。", "goal"),
            ("——发展质量显著提高。", "goal"),
            ("支持在有条件的经济开发区开展不动产投资信托基金试点。", "measure"),
            ("强化产业协同。", "measure"),
        ] {
            check(text, expected);
        }
    }

    #[test]
    fn figures_need_a_unit() {
        assert_eq!(
            figure(&"达到80% 以上".chars().collect::<Vec<_>>()).as_deref(),
            Some("80%")
        );
        assert_eq!(
            figure(&"突破 1.5 亿美元".chars().collect::<Vec<_>>()).as_deref(),
            Some("1.5亿")
        );
        assert_eq!(figure(&"贯标2.0建设".chars().collect::<Vec<_>>()), None);
    }
}
