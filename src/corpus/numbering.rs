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

/// A Chinese numeral character (`[一二三四五六七八九十百千零〇两]`).
fn is_cn_num(c: char) -> bool {
    matches!(
        c,
        '一' | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '零'
            | '〇'
            | '两'
    )
}

/// `\s` of the regex crate: Unicode White_Space.
fn is_ws(c: char) -> bool {
    c.is_whitespace()
}

/// `\d` of the regex crate: a Unicode decimal digit (general category Nd).
/// ASCII, full-width digits and the ranges without any decimal digit
/// (Latin to Hebrew; punctuation to CJK ideographs) are decided here; the
/// rest, rare in these texts, asks the regex crate itself.
pub(crate) fn is_digit(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_digit(),
        0xFF10..=0xFF19 => true,
        0x80..=0x65F | 0x2000..=0x9FFF => false,
        _ => {
            static DIGIT: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"^\d$").expect("digit regex"));
            let mut buf = [0u8; 4];
            DIGIT.is_match(c.encode_utf8(&mut buf))
        }
    }
}

/// A scanner over one paragraph: byte positions and greedy runs, the way
/// the anchored, greedy marker patterns consume it.
#[derive(Clone, Copy)]
struct Scan<'a> {
    s: &'a str,
}

impl<'a> Scan<'a> {
    fn peek(self, i: usize) -> Option<char> {
        self.s[i..].chars().next()
    }

    /// Past `c` at `i`, if it is there.
    fn eat(self, i: usize, c: char) -> Option<usize> {
        (self.peek(i)? == c).then(|| i + c.len_utf8())
    }

    /// Past one char at `i` accepted by `f`.
    fn eat_if(self, i: usize, f: impl Fn(char) -> bool) -> Option<usize> {
        let c = self.peek(i)?;
        f(c).then(|| i + c.len_utf8())
    }

    /// The end of the run of chars accepted by `f` from `i`, and its length in chars.
    fn run(self, i: usize, f: impl Fn(char) -> bool) -> (usize, usize) {
        let mut end = i;
        let mut n = 0;
        for c in self.s[i..].chars() {
            if !f(c) {
                break;
            }
            end += c.len_utf8();
            n += 1;
        }
        (end, n)
    }

    /// Past the whitespace at `i`.
    fn ws(self, i: usize) -> usize {
        self.run(i, is_ws).0
    }

    fn marker(self, kind: MarkerKind, label_end: usize, rest_start: usize) -> Marker<'a> {
        Marker {
            kind,
            label: &self.s[..label_end],
            rest: &self.s[rest_start..],
        }
    }
}

/// `^(#{1,6})\s+`
fn markdown(p: Scan<'_>) -> Option<Marker<'_>> {
    let (end, n) = p.run(0, |c| c == '#');
    let rest = p.ws(end);
    (n <= 6 && rest > end).then(|| p.marker(MarkerKind::Markdown(n as u8), end, rest))
}

/// `^(附\s*件\s*\d*)\s*[:：]?\s*$`
fn attachment(p: Scan<'_>) -> Option<Marker<'_>> {
    let i = p.ws(p.eat(0, '附')?);
    let i = p.ws(p.eat(i, '件')?);
    let (label_end, _) = p.run(i, is_digit);
    let j = p.ws(label_end);
    let j = p.eat_if(j, |c| matches!(c, ':' | '：')).unwrap_or(j);
    (p.ws(j) == p.s.len()).then(|| p.marker(MarkerKind::Attachment, label_end, p.s.len()))
}

/// `^(第\s*{n}+\s*编)[\s　]*`, `^(第\s*(?:{n}+|\d+)\s*章)[\s　]*`,
/// `^(第\s*(?:{n}+|\d+)\s*节)[\s　]*`, else `^(第{n}+条(?:之{n}+)?)(?:[\s　]+|$)`
/// (`{n}`: a Chinese numeral).
fn numbered_heading(p: Scan<'_>) -> Option<Marker<'_>> {
    let after = p.eat(0, '第')?;
    let a = p.ws(after);
    let (cn_end, cn) = p.run(a, is_cn_num);
    let (num_end, numbered) = if cn > 0 {
        (cn_end, true)
    } else {
        let (end, n) = p.run(a, is_digit);
        (end, n > 0)
    };
    let c = p.ws(num_end);
    let kind = match p.peek(c) {
        Some('编') if cn > 0 => Some(MarkerKind::Part),
        Some('章') if numbered => Some(MarkerKind::Chapter),
        Some('节') if numbered => Some(MarkerKind::Section),
        _ => None,
    };
    if let Some(kind) = kind {
        // 编, 章 and 节 are all three bytes.
        let label_end = c + '章'.len_utf8();
        return Some(p.marker(kind, label_end, p.ws(label_end)));
    }
    // An article: no spaces inside the marker.
    if a != after || cn == 0 {
        return None;
    }
    let mut label_end = p.eat(cn_end, '条')?;
    if let Some(z) = p.eat(label_end, '之') {
        let (end, n) = p.run(z, is_cn_num);
        if n > 0 {
            label_end = end;
        }
    }
    let rest = p.ws(label_end);
    (rest > label_end || label_end == p.s.len())
        .then(|| p.marker(MarkerKind::Article, label_end, rest))
}

/// `^({n}{1,3}\s*[、，,．])\s*`
fn cn_list(p: Scan<'_>) -> Option<Marker<'_>> {
    let (end, n) = p.run(0, is_cn_num);
    if !(1..=3).contains(&n) {
        return None;
    }
    let label_end = p.eat_if(p.ws(end), |c| matches!(c, '、' | '，' | ',' | '．'))?;
    Some(p.marker(MarkerKind::CnList, label_end, p.ws(label_end)))
}

/// `^([（(]\s*{n}{1,3}\s*[）)])\s*` (CnParen), else the same with `\d{1,3}`
/// (NumParen); a numeral is never a digit, so the first char after the
/// parenthesis decides.
fn paren(p: Scan<'_>) -> Option<Marker<'_>> {
    let open = p.eat_if(0, |c| matches!(c, '（' | '('))?;
    let a = p.ws(open);
    let (kind, (end, n)) = match p.run(a, is_cn_num) {
        (_, 0) => (MarkerKind::NumParen, p.run(a, is_digit)),
        run => (MarkerKind::CnParen, run),
    };
    if !(1..=3).contains(&n) {
        return None;
    }
    let label_end = p.eat_if(p.ws(end), |c| matches!(c, '）' | ')'))?;
    Some(p.marker(kind, label_end, p.ws(label_end)))
}

/// `^(\d{1,5}\s*[.．、])(?:\s+|[^\d\s.．])`; the char of lookahead stays in `rest`.
fn num(p: Scan<'_>) -> Option<Marker<'_>> {
    let (end, n) = p.run(0, is_digit);
    if !(1..=5).contains(&n) {
        return None;
    }
    let label_end = p.eat_if(p.ws(end), |c| matches!(c, '.' | '．' | '、'))?;
    let next = p.peek(label_end)?;
    if is_ws(next) {
        Some(p.marker(MarkerKind::Num, label_end, p.ws(label_end)))
    } else if is_digit(next) || matches!(next, '.' | '．') {
        None
    } else {
        Some(p.marker(MarkerKind::Num, label_end, label_end))
    }
}

/// `^([①-⑳])\s*`
fn circled(p: Scan<'_>) -> Option<Marker<'_>> {
    let label_end = p.eat_if(0, |c| matches!(c, '①'..='⑳'))?;
    Some(p.marker(MarkerKind::Circled, label_end, p.ws(label_end)))
}

/// `^(专栏\s*\d+)[\s：:]*`
fn box_caption(p: Scan<'_>) -> Option<Marker<'_>> {
    let i = p.ws(p.eat(p.eat(0, '专')?, '栏')?);
    let (label_end, n) = p.run(i, is_digit);
    if n == 0 {
        return None;
    }
    let (rest, _) = p.run(label_end, |c| is_ws(c) || matches!(c, '：' | ':'));
    Some(p.marker(MarkerKind::Box, label_end, rest))
}

/// `^(附?表\s*\d+)\s*[：:．.、]?\s*`
fn table_caption(p: Scan<'_>) -> Option<Marker<'_>> {
    let i = p.eat(0, '附').unwrap_or(0);
    let i = p.ws(p.eat(i, '表')?);
    let (label_end, n) = p.run(i, is_digit);
    if n == 0 {
        return None;
    }
    let j = p.ws(label_end);
    let j = p
        .eat_if(j, |c| matches!(c, '：' | ':' | '．' | '.' | '、'))
        .unwrap_or(j);
    Some(p.marker(MarkerKind::TableCaption, label_end, p.ws(j)))
}

/// The numbering marker at the start of `para`, if any.
///
/// Each kind has a hand-written matcher of the anchored pattern named above
/// it (greedy, as the regex crate matches it; the tests hold the regexes
/// and check the two agree). Patterns are tried in the order Attachment,
/// Part, Chapter, Section, Article, CnList, CnParen, NumParen, Num, Circled,
/// Box, TableCaption; the first char picks the only ones that can match,
/// so most paragraphs cost one char.
pub fn parse_marker(para: &str) -> Option<Marker<'_>> {
    let p = Scan { s: para };
    match para.chars().next()? {
        '#' => markdown(p),
        '附' => attachment(p).or_else(|| table_caption(p)),
        '第' => numbered_heading(p),
        '（' | '(' => paren(p),
        '①'..='⑳' => circled(p),
        '专' => box_caption(p),
        '表' => table_caption(p),
        c if is_cn_num(c) => cn_list(p),
        c if is_digit(c) => num(p),
        _ => None,
    }
}

/// Characters that make a line a sentence rather than a title or heading:
/// `，。；：、,;！？`. Compared as UTF-8 bytes (a lead byte and its two
/// continuation bytes identify the char), without decoding the line.
pub fn has_sentence_punct(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| match c {
        b',' | b';' => true,
        // 、 U+3001, 。 U+3002
        0xE3 => b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x81 | 0x82)),
        // ！ U+FF01, ， U+FF0C, ： U+FF1A, ； U+FF1B, ？ U+FF1F
        0xEF => {
            b.get(i + 1) == Some(&0xBC)
                && matches!(b.get(i + 2), Some(0x81 | 0x8C | 0x9A | 0x9B | 0x9F))
        }
        _ => false,
    })
}

/// `s.chars().count() <= n`, without counting when the length in bytes
/// decides (a char is one to four bytes); else the bytes that start a char
/// (all but continuation bytes, below -0x40 as `i8`) are counted.
pub(crate) fn at_most_chars(s: &str, n: usize) -> bool {
    s.len() <= n
        || (s.len() <= n.saturating_mul(4) && s.bytes().filter(|&b| b as i8 >= -0x40).count() <= n)
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
    if at_most_chars(rest, MAX_LEAD_CHARS) && !has_sentence_punct(rest) {
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
            return (n >= 3 && !at_most_chars(after, 9)).then(|| &para[..i]);
        }
    }
    None
}

/// The regexes `parse_marker` implements, as they were matched before it
/// was written by hand: the specification its tests compare against.
#[cfg(test)]
mod reference {
    use std::sync::LazyLock;

    use regex::Regex;

    use super::{Marker, MarkerKind};

    const CN_NUM: &str = "[一二三四五六七八九十百千零〇两]";

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
}

#[cfg(test)]
mod reference_tests {
    use proptest::prelude::*;

    use super::*;

    /// Characters every pattern turns on, and some it must reject.
    const ALPHABET: &str =
        "第编章节条之一二三十百千零〇两附件表专栏#（()）、，,．.:：①⑳ 　\t\n0１９٣५𝟎²Ⅻ中责。x";

    /// Runs of those characters, for the quantifiers' bounds.
    const RUNS: [&str; 16] = [
        "12",
        "123",
        "1234",
        "12345",
        "123456",
        "１２３",
        "一二",
        "一二三",
        "一二三四",
        "##",
        "###",
        "######",
        "#######",
        "  ",
        " 　\t",
        "之一",
    ];

    fn check(para: &str) {
        assert_eq!(
            parse_marker(para),
            reference::parse_marker(para),
            "{para:?}"
        );
    }

    #[test]
    fn every_pattern_start_matches_like_the_regexes() {
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
            check(para);
        }
        assert!(parse_marker("加快推进").is_none());
        for para in [
            "",
            "附件 ",
            "附件 2 ：",
            "附件：1. 方案",
            "第 十 编",
            "第 3 节",
            "第十条之一",
            "第十条之",
            "第十条之x",
            "第 十条 ",
            "一二三四、",
            "#######  x",
            "# ",
            "#x",
            "123456. x",
            "1.2",
            "1.",
            "1.、",
            "٣. x",
            "𝟎、x",
            "²、x",
            "（ 十 ）",
            "（１２３４）",
            "专栏 ：",
            "表1 ： x",
            "附表",
            "〇、",
            "〇1.",
        ] {
            check(para);
        }
        for c in ('\u{0}'..='\u{2FFFF}').step_by(7) {
            check(&format!("{c}. x"));
            check(&format!("第{c}章"));
            check(&format!("（{c}）"));
        }
    }

    #[test]
    fn char_classes_are_the_regex_classes() {
        let digit = regex::Regex::new(r"^\d$").unwrap();
        let space = regex::Regex::new(r"^\s$").unwrap();
        let mut buf = [0u8; 4];
        for c in '\u{0}'..=char::MAX {
            let s = c.encode_utf8(&mut buf);
            assert_eq!(is_digit(c), digit.is_match(s), "{c:?}");
            assert_eq!(is_ws(c), space.is_match(s), "{c:?}");
        }
    }

    #[test]
    fn sentence_punct_and_char_counts() {
        let reference = |s: &str| {
            s.chars().any(|c| {
                matches!(
                    c,
                    '，' | '。' | '；' | '：' | '、' | ',' | ';' | '！' | '？'
                )
            })
        };
        let mut buf = [0u8; 4];
        for c in '\u{0}'..=char::MAX {
            let s = c.encode_utf8(&mut buf);
            assert_eq!(has_sentence_punct(s), reference(s), "{c:?}");
        }
        for s in ["", "a", "中文", "中，文", "ab;", "〃＜－", "x。"] {
            assert_eq!(has_sentence_punct(s), reference(s), "{s:?}");
            for n in 0..8 {
                assert_eq!(at_most_chars(s, n), s.chars().count() <= n, "{s:?} {n}");
            }
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        let chars: Vec<String> = ALPHABET.chars().map(String::from).collect();
        prop_oneof![
            3 => prop::sample::select(chars),
            1 => prop::sample::select(RUNS.to_vec()).prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(30_000))]

        #[test]
        fn matches_like_the_regexes(pieces in prop::collection::vec(piece(), 0..10)) {
            let para = pieces.concat();
            prop_assert_eq!(parse_marker(&para), reference::parse_marker(&para), "{:?}", para);
        }
    }
}
