//! Numbering markers of Chinese official documents and legal texts:
//! 第X编/章/节/条, 一、 （一） (一) 1. 1． （1） ①, 专栏 N, 表 N, 附件 N and
//! Markdown `#` headings. Pure functions over one paragraph.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// `附件 2` alone on a line.
    Attachment,
    /// Markdown heading with its level (1 = `#`).
    Markdown(u8),
    Part,
    Chapter,
    Section,
    /// 第X条: a legal article, always a leaf provision.
    Article,
    /// 一、
    CnList,
    /// （一） or (一)
    CnParen,
    /// 1. 1． 1、
    Num,
    /// （1） or (1)
    NumParen,
    /// ① ...
    Circled,
    /// 专栏 N
    Box,
    /// 表 N / 附表 N
    TableCaption,
}

impl MarkerKind {
    /// Nesting rank: smaller is outer. Unnumbered headings nest below the
    /// current frame; articles, boxes and tables are leaves.
    pub fn rank(self) -> u8 {
        match self {
            MarkerKind::Attachment => 0,
            MarkerKind::Markdown(n) => n,
            MarkerKind::Part => 10,
            MarkerKind::Chapter => 11,
            MarkerKind::Section => 12,
            MarkerKind::CnList => 20,
            MarkerKind::CnParen => 21,
            MarkerKind::Num => 22,
            MarkerKind::NumParen => 23,
            MarkerKind::Circled => 24,
            MarkerKind::Article => 30,
            MarkerKind::Box | MarkerKind::TableCaption => 40,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker<'a> {
    pub kind: MarkerKind,
    /// The marker as written, e.g. `（三）`, `5.`, `第十二条`.
    pub label: &'a str,
    /// The paragraph after the marker.
    pub rest: &'a str,
}

const CN_NUM: &str = "[一二三四五六七八九十百千零〇两]";

#[cfg(test)]
mod prefilter_tests {
    use super::*;

    #[test]
    fn prefilter_admits_every_pattern_start() {
        // The character class and its list must agree.
        for c in CN_NUM_CHARS.chars() {
            assert!(CN_NUM.contains(c));
        }
        assert_eq!(CN_NUM.chars().count() - 2, CN_NUM_CHARS.chars().count());
        for para in [
            "# 标题",
            "附件1",
            "第一编 总则",
            "第3章 规划",
            "第二节 用地",
            "第十条 内容",
            "一、总体要求",
            "（一）加快",
            "(2) 项目",
            "１．推进",
            "１２、推进",
            "（１）项目",
            "12. 推进",
            "① 内容",
            "专栏1 重点",
            "表2：任务",
            "附表3 清单",
        ] {
            assert!(parse_marker(para).is_some(), "{para}");
        }
        assert!(parse_marker("加快推进").is_none());
    }
}

static PATTERNS: LazyLock<Vec<(MarkerKind, Regex)>> = LazyLock::new(|| {
    let n = CN_NUM;
    let p = |s: String| Regex::new(&s).expect("marker regex");
    vec![
        (
            MarkerKind::Attachment,
            p(r"^(附\s*件\s*\d*)\s*[:：]?\s*$".into()),
        ),
        (MarkerKind::Part, p(format!(r"^(第\s*{n}+\s*编)[\s　]*"))),
        (
            MarkerKind::Chapter,
            p(format!(r"^(第\s*(?:{n}+|\d+)\s*章)[\s　]*")),
        ),
        (
            MarkerKind::Section,
            p(format!(r"^(第\s*(?:{n}+|\d+)\s*节)[\s　]*")),
        ),
        (
            MarkerKind::Article,
            p(format!(r"^(第{n}+条(?:之{n}+)?)(?:[\s　]+|$)")),
        ),
        (
            MarkerKind::CnList,
            p(format!(r"^({n}{{1,3}}\s*[、，,．])\s*")),
        ),
        (
            MarkerKind::CnParen,
            p(format!(r"^([（(]\s*{n}{{1,3}}\s*[）)])\s*")),
        ),
        (
            MarkerKind::NumParen,
            p(r"^([（(]\s*\d{1,3}\s*[）)])\s*".into()),
        ),
        (
            MarkerKind::Num,
            p(r"^(\d{1,5}\s*[.．、])(?:\s+|[^\d\s.．])".into()),
        ),
        (MarkerKind::Circled, p(r"^([①-⑳])\s*".into())),
        (MarkerKind::Box, p(r"^(专栏\s*\d+)[\s：:]*".into())),
        (
            MarkerKind::TableCaption,
            p(r"^(附?表\s*\d+)\s*[：:．.、]?\s*".into()),
        ),
    ]
});

static MARKDOWN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(#{1,6})\s+").unwrap());

/// Can a marker of `kind` start with `c`? (The first characters its
/// pattern above accepts: a paragraph is only matched against the patterns
/// that can match it, and most against none.)
fn may_start(kind: MarkerKind, c: char) -> bool {
    match kind {
        MarkerKind::Markdown(_) => c == '#',
        MarkerKind::Attachment => c == '附',
        MarkerKind::Part | MarkerKind::Chapter | MarkerKind::Section | MarkerKind::Article => {
            c == '第'
        }
        MarkerKind::CnList => CN_NUM_CHARS.contains(c),
        MarkerKind::CnParen | MarkerKind::NumParen => matches!(c, '（' | '('),
        // `\d` in the pattern is any Unicode digit (full-width １ too).
        MarkerKind::Num => c.is_numeric(),
        MarkerKind::Circled => matches!(c, '①'..='⑳'),
        MarkerKind::Box => c == '专',
        MarkerKind::TableCaption => matches!(c, '附' | '表'),
    }
}

const CN_NUM_CHARS: &str = "一二三四五六七八九十百千零〇两";

/// The numbering marker at the start of `para`, if any.
pub fn parse_marker(para: &str) -> Option<Marker<'_>> {
    let first = para.chars().next()?;
    if first == '#' {
        let m = MARKDOWN.captures(para)?;
        let level = m[1].len() as u8;
        let whole = m.get(0).unwrap();
        return Some(Marker {
            kind: MarkerKind::Markdown(level),
            label: &para[..m.get(1).unwrap().end()],
            rest: &para[whole.end()..],
        });
    }
    for (kind, re) in PATTERNS.iter().filter(|(k, _)| may_start(*k, first)) {
        if let Some(c) = re.captures(para) {
            let label = c.get(1).unwrap();
            // The Num pattern consumes one char of lookahead; keep it in `rest`.
            let rest_start = if *kind == MarkerKind::Num {
                let whole = c.get(0).unwrap();
                let tail = &para[label.end()..whole.end()];
                label.end() + tail.len() - tail.trim_start().len()
            } else {
                c.get(0).unwrap().end()
            };
            return Some(Marker {
                kind: *kind,
                label: label.as_str(),
                rest: &para[rest_start..],
            });
        }
    }
    None
}

/// Characters that make a line a sentence rather than a title or heading.
pub fn has_sentence_punct(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(
            c,
            '，' | '。' | '；' | '：' | '、' | ',' | ';' | '！' | '？'
        )
    })
}

/// Longest lead phrase accepted as a provision heading, in chars.
pub const MAX_LEAD_CHARS: usize = 40;

/// Split the text after a marker into its lead phrase (the heading) and the
/// body: the lead ends at the first 。 or ： (or ！？) within
/// [`MAX_LEAD_CHARS`]; a heading-only paragraph has an empty body.
pub fn split_lead(rest: &str) -> (&str, &str) {
    let rest = rest.trim();
    for (n, (i, c)) in rest.char_indices().enumerate() {
        if n > MAX_LEAD_CHARS {
            break;
        }
        if matches!(c, '。' | '：' | ':' | '！' | '？') {
            return (rest[..i].trim(), rest[i + c.len_utf8()..].trim());
        }
    }
    if !has_sentence_punct(rest) && rest.chars().count() <= MAX_LEAD_CHARS {
        return (rest, "");
    }
    // A long first sentence: the heading is its first clause, the body is everything.
    let clause_end = rest
        .char_indices()
        .take(MAX_LEAD_CHARS)
        .find(|(_, c)| matches!(c, '，' | '；' | ','))
        .map(|(i, _)| i)
        .unwrap_or_else(|| {
            rest.char_indices()
                .nth(MAX_LEAD_CHARS)
                .map(|(i, _)| i)
                .unwrap_or(rest.len())
        });
    (rest[..clause_end].trim(), rest)
}

/// A lead phrase opening an unnumbered paragraph (`强化产才融合，突出重点人才引领。…`):
/// a first sentence of at most 30 chars followed by more text.
pub fn lead_phrase(para: &str) -> Option<&str> {
    for (n, (i, c)) in para.char_indices().enumerate() {
        if n > 30 {
            return None;
        }
        if c == '。' {
            let after = para[i + c.len_utf8()..].trim();
            return (n >= 3 && after.chars().count() >= 10).then(|| &para[..i]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(para: &str, kind: Option<MarkerKind>, label: &str, rest: &str) {
        let m = parse_marker(para);
        assert_eq!(m.as_ref().map(|m| m.kind), kind, "kind of {para:?}");
        if let Some(m) = m {
            assert_eq!((m.label, m.rest), (label, rest), "parts of {para:?}");
        }
    }

    #[test]
    fn markers() {
        use MarkerKind::*;
        check("一、总体要求", Some(CnList), "一、", "总体要求");
        check(
            "（三）强化财政金融支持。",
            Some(CnParen),
            "（三）",
            "强化财政金融支持。",
        );
        check(
            "(二)建设目标：充分发挥",
            Some(CnParen),
            "(二)",
            "建设目标：充分发挥",
        );
        check("(一) 复制推广", Some(CnParen), "(一)", "复制推广");
        check(
            "（二十五）健全争先创优机制。",
            Some(CnParen),
            "（二十五）",
            "健全争先创优机制。",
        );
        check(
            "5. 加大财政政策支持力度。",
            Some(Num),
            "5.",
            "加大财政政策支持力度。",
        );
        check(
            "12．强化创新环境建设",
            Some(Num),
            "12．",
            "强化创新环境建设",
        );
        check("1.5亿美元以上", None, "", "");
        check("2022 年 9 月底前", None, "", "");
        check("（1）标准地", Some(NumParen), "（1）", "标准地");
        check(
            "第一章 现实基础与发展环境",
            Some(Chapter),
            "第一章",
            "现实基础与发展环境",
        );
        check(
            "第二节 “十四五”发展形势",
            Some(Section),
            "第二节",
            "“十四五”发展形势",
        );
        check("第十二条 国家建立", Some(Article), "第十二条", "国家建立");
        check(
            "第一百二十五条之一　",
            Some(Article),
            "第一百二十五条之一",
            "",
        );
        check("第一条例外", None, "", "");
        check("## 第一章　总则", Some(Markdown(2)), "##", "第一章　总则");
        check("专栏 7 重点人才工程", Some(Box), "专栏 7", "重点人才工程");
        check(
            "表 1：开发区主要发展指标",
            Some(TableCaption),
            "表 1",
            "开发区主要发展指标",
        );
        check("附件 2", Some(Attachment), "附件 2", "");
        check("附件：1. 方案", None, "", "");
        check("一是产业规模", None, "", "");
    }

    #[test]
    fn leads() {
        assert_eq!(
            split_lead("加大财政政策支持力度。提高开发区财政自主权"),
            ("加大财政政策支持力度", "提高开发区财政自主权")
        );
        assert_eq!(split_lead("指导思想：以习近平"), ("指导思想", "以习近平"));
        assert_eq!(split_lead("体制机制优化工程"), ("体制机制优化工程", ""));
        assert_eq!(
            lead_phrase("强化产才融合，突出重点人才引领。加强高精尖产业人才队伍建设，聚焦自主可控"),
            Some("强化产才融合，突出重点人才引领")
        );
        assert_eq!(
            lead_phrase("本规划的基准年为 2020 年，规划期为 2021-2025 年。"),
            None
        );
    }
}
