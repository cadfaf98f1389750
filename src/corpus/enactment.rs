//! The enactment record under a law's or regulation's title: who adopted
//! it, when, and when it was last amended.
//!
//! ```text
//! 2007年3月16日 第十届全国人民代表大会第五次会议通过
//! （2000年9月8日北京市第十一届人民代表大会常务委员会第二十一次会议通过 根据2015年5月29日…《关于修改部分地方性法规的决定》修正）
//! 2014年11月24日 中华人民共和国国务院令第656号公布
//! ```
//!
//! The record is a run of lines right under the title, each opening with a
//! date (in brackets, after 根据, in Arabic or Chinese numerals), plus the
//! lines a long entry was broken into. It is cut into events at its dates;
//! each event is an adoption (通过, 公布, 发布), an approval (批准), an
//! amendment (修正, 修订, 《关于修改…的决定》) or an entry into force (施行).
//! Pure: lines in, events out; never panics.

use std::sync::LazyLock;

use regex::Regex;

use super::meta::{cn_digit, cn_small_number};
use super::numbering::{has_sentence_punct, parse_marker, MarkerKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// 通过, 公布, 发布, 颁布.
    Adopted,
    /// 批准 (a provincial congress approving a city's regulation, the State
    /// Council approving a ministry's).
    Approved,
    /// 修正, 修订, 修改, or a decision 通过的《…》 that changes the text.
    Amended,
    /// 施行, 生效, 执行.
    InForce,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub kind: EventKind,
    /// The body that acted (`全国人民代表大会常务委员会`, `北京市人民代表大会常务委员会`,
    /// `国务院`, `公安部`), when the event names one.
    pub issuer: Option<String>,
    /// An order that promulgated the text (`国务院令第656号`).
    pub order: Option<String>,
    /// The event as written, after its date.
    pub text: String,
}

/// What the record says about a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub events: Vec<Event>,
}

impl Record {
    /// The date of adoption: the earliest adoption (else approval, else an
    /// event that says no more than who: `2017年11月22日 国务院令第692号`).
    pub fn adopted(&self) -> Option<&str> {
        let first = |kind| {
            self.events
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| e.date.as_str())
                .min()
        };
        first(EventKind::Adopted)
            .or_else(|| first(EventKind::Approved))
            .or_else(|| first(EventKind::Other))
    }

    /// The date of the latest amendment, when later than the adoption.
    pub fn amended(&self) -> Option<&str> {
        let last = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Amended)
            .map(|e| e.date.as_str())
            .max()?;
        match self.adopted() {
            Some(a) if a >= last => None,
            _ => Some(last),
        }
    }

    /// The body that adopted the text: that of the first adoption naming
    /// one (an approving body is not the issuer: a province approves a
    /// city's regulation), else of any event.
    pub fn issuer(&self) -> Option<&str> {
        let of = |kind: Option<EventKind>| {
            self.events
                .iter()
                .filter(|e| kind.is_none_or(|k| e.kind == k))
                .find_map(|e| e.issuer.as_deref())
        };
        of(Some(EventKind::Adopted))
            .or_else(|| of(Some(EventKind::Approved)))
            .or_else(|| of(None))
    }

    /// The order that promulgated the text in force: the latest adoption or
    /// full revision by order (an amending decision's own number is not the
    /// document's).
    pub fn order(&self) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| {
                e.kind == EventKind::Adopted
                    || (e.kind == EventKind::Amended
                        && e.text.contains("修订")
                        && !e.text.contains('《'))
            })
            .filter_map(|e| e.order.as_deref())
            .next_back()
    }
}

/// A date inside a line: `2015年5月29日`, `2015 年 5 月 29 日`, `一九九四年十一月一日`.
static DATE_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日",
    )
    .unwrap()
});
/// Longest record text read (bytes).
const MAX_RECORD_BYTES: usize = 16_000;

/// A record line opens with a date, maybe after a bracket and 根据/经.
static LINE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?\s*(?:根据|经|于)?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)").unwrap()
});
static VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"通过|公布|发布|颁布|印发|批准|修正|修订|修改|施行|生效|执行|实施").unwrap()
});
/// `发布之日施行`, `自公布之日起施行` on a line of their own.
static IN_FORCE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[（(]?\s*自?(?:发布|公布|颁布)之日(?:起)?(?:施行|生效|执行)[）)]?$").unwrap()
});
/// `北京市第十一届人民代表大会常务委员会`, `第十届全国人民代表大会`.
static CONGRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\p{Han}{0,12}?)第[〇零一二三四五六七八九十百]+届(全国)?人民代表大会(常务委员会)?",
    )
    .unwrap()
});
/// `国务院令第656号`, `海关总署第17号令`.
static ORDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}、]{2,60}?)(?:令\s*第\s*([0-9〇零一二三四五六七八九十百]+)\s*号|第\s*([0-9〇零一二三四五六七八九十百]+)\s*号令)")
        .unwrap()
});
/// A meeting with no verb (`最高人民法院审判委员会第1732次会议`): the first of
/// two bodies adopting a text jointly, the second line saying `通过`.
static MEETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{2,40}?第[0-9〇零一二三四五六七八九十百]+次(?:全体|常务)?会议$").unwrap()
});
/// A name that is an organisation: a ministry, commission, court, congress...
static ORG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,30}(?:人民代表大会常务委员会|人民代表大会|委员会|总局|总署|审计署|部|院|局|署|银行|办公室|办公厅|政府|厅|委|军委|中央)$").unwrap()
});

/// Full-width digits as ASCII (`２０１２年` → `2012年`): the only folding the
/// record needs, keeping byte lengths irrelevant (records are re-read, not
/// sliced back into the document).
fn ascii_digits(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| ('０'..='９').contains(&c)) {
        s.chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                _ => c,
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Does this line open an enactment record (a date then what happened)?
pub fn is_record_line(line: &str) -> bool {
    let line = ascii_digits(line.trim());
    let line = line.as_ref();
    if IN_FORCE_LINE.is_match(line) {
        return true;
    }
    let Some(m) = LINE_START.find(line) else {
        return false;
    };
    let rest = line[m.end()..].replace("。根据", " 根据");
    let rest = rest.as_str();
    // A sentence that opens with a date (`2021年5月10日，市政府…`) is text.
    let after = rest.trim_start_matches([' ', '\u{3000}']);
    if after.starts_with(['，', '。', '；', '：', ',', ';', ':'])
        || rest.matches('，').count() > 2
        || rest
            .trim_end()
            .trim_end_matches("根据")
            .trim_end_matches(['）', ')'])
            .trim_end_matches('。')
            .contains('。')
    {
        return false;
    }
    // A date alone (a signature) is not a record; `2021年6月3日 施行` is.
    let rest = rest.trim();
    VERB.is_match(rest)
        || ORG.is_match(rest)
        || ORDER.is_match(rest)
        || CONGRESS.is_match(rest)
        || MEETING.is_match(rest)
}

/// May this line continue a record whose text so far is `so_far`? A long
/// entry is broken at its 、 (`国务院` / `中央军委发布`), inside a title
/// (`《关于修改〈…〉` / `〈…〉的决定》第三次修正`) or inside the brackets.
pub fn continues_record(so_far: &str, line: &str) -> bool {
    let line = line.trim();
    // Records are a few lines (刑法's, the longest, is 2,000 characters):
    // a bound keeps odd input linear.
    if line.is_empty() || line.chars().count() > 200 || so_far.len() > MAX_RECORD_BYTES {
        return false;
    }
    if is_record_line(line) {
        return true;
    }
    if line.ends_with('。') || line.starts_with('#') || line.starts_with("<!--") {
        return false;
    }
    let open = |s: &str, o: &[char], c: &[char]| {
        s.chars().filter(|x| o.contains(x)).count() > s.chars().filter(|x| c.contains(x)).count()
    };
    let unclosed = open(so_far, &['《', '〈', '<'], &['》', '〉', '>'])
        || open(so_far, &['（', '('], &['）', ')']);
    if unclosed {
        // A bracket left open does not swallow the body.
        return !parse_marker(line).is_some_and(|m| {
            matches!(
                m.kind,
                MarkerKind::Part
                    | MarkerKind::Chapter
                    | MarkerKind::Section
                    | MarkerKind::Article
                    | MarkerKind::Markdown(_)
                    | MarkerKind::Attachment
            )
        });
    }
    let bare = line.trim_end_matches(['）', ')']);
    let ends_with_verb = VERB
        .find_iter(bare)
        .last()
        .is_some_and(|m| m.end() == bare.len());
    (ends_with_verb && !has_sentence_punct(line)) || ORG.is_match(bare)
}

fn date_of(c: &regex::Captures) -> Option<String> {
    let (y, m, d) = if let Some(y) = c.get(1) {
        (
            y.as_str().parse::<u32>().ok()?,
            c[2].parse::<u32>().ok()?,
            c[3].parse::<u32>().ok()?,
        )
    } else {
        let y = c[4]
            .chars()
            .try_fold(0u32, |y, ch| Some(y * 10 + cn_digit(ch)?))?;
        (y, cn_small_number(&c[5])?, cn_small_number(&c[6])?)
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn kind_of(text: &str) -> EventKind {
    let t = text.trim_end_matches(['）', ')', ' ', '。', '，', '、']);
    if t.contains("修正") || t.contains("修订") || t.contains("修改") || t.contains("通过的《")
    {
        EventKind::Amended
    } else if t.ends_with("施行")
        || t.ends_with("生效")
        || t.ends_with("执行")
        || t.ends_with("实施")
    {
        if t.contains("公布") || t.contains("发布") {
            EventKind::Adopted // 全国人民代表大会公告公布施行, 国家统计局令第1号发布 自发布之日施行
        } else {
            EventKind::InForce
        }
    } else if t.contains("批准") {
        EventKind::Approved
    } else if t.contains("通过")
        || t.contains("公布")
        || t.contains("发布")
        || t.contains("颁布")
        || t.contains("印发")
    {
        EventKind::Adopted
    } else {
        EventKind::Other
    }
}

/// Drop `中华人民共和国` from a body's name (`中华人民共和国国务院` → `国务院`).
fn short_name(s: &str) -> String {
    s.replace("中华人民共和国", "")
}

/// The body named at the start of an event's text.
fn issuer_of(text: &str) -> Option<String> {
    let t = text
        .trim_start_matches([' ', '\u{3000}', '，', ','])
        .trim_start_matches(['经', '由'])
        .trim_start();
    if let Some(c) = CONGRESS.captures(t) {
        let place = &c[1];
        let body = if c.get(3).is_some() {
            "人民代表大会常务委员会"
        } else {
            "人民代表大会"
        };
        return if c.get(2).is_some() || place.is_empty() {
            Some(format!("全国{body}"))
        } else {
            let suffixes = ["省", "市", "自治区", "自治州", "县", "区", "盟", "旗"];
            suffixes
                .iter()
                .any(|s| place.ends_with(s))
                .then(|| format!("{place}{body}"))
        };
    }
    let courts: Vec<&str> = ["最高人民法院", "最高人民检察院"]
        .into_iter()
        .filter(|c| t.starts_with(c) || t.contains(&format!("、{c}")))
        .collect();
    if !courts.is_empty() {
        return Some(courts.join("、"));
    }
    if t.starts_with("国务院第") || t.starts_with("国务院常务会议") {
        return Some("国务院".to_string());
    }
    let t = short_name(t);
    if let Some(c) = ORDER
        .captures(&t)
        .filter(|c| c.get(0).unwrap().start() == 0)
    {
        let names = names(&c[1]);
        return (!names.is_empty()).then(|| names.join("、"));
    }
    // The names before the first word that is not part of one.
    let end = [
        "第",
        "令",
        "公告",
        "发布",
        "公布",
        "通过",
        "批准",
        "颁布",
        "印发",
        "修订",
        "修正",
        "《",
        "审议",
        "讨论",
        "部长办公会议",
        "常务会议",
        "办公会议",
        "会议",
    ]
    .iter()
    .filter_map(|w| t.find(w))
    .min()
    .unwrap_or(t.len());
    let head: String = t[..end]
        .chars()
        .take_while(|c| crate::text::is_han(*c) || *c == '、')
        .collect();
    let names = names(&head);
    (!names.is_empty()).then(|| names.join("、"))
}

/// The organisations of `卫生部、交通部、中国民用航空总局`.
fn names(s: &str) -> Vec<String> {
    s.split('、')
        .map(|n| n.trim())
        .filter(|n| ORG.is_match(n))
        .map(str::to_string)
        .collect()
}

fn order_of(text: &str) -> Option<String> {
    let t = short_name(text);
    let c = ORDER.captures(&t)?;
    let names = names(&c[1]);
    if names.is_empty() {
        return None;
    }
    let number = c.get(2).or(c.get(3))?.as_str();
    Some(format!("{}令第{number}号", names.join("、")))
}

/// Cut a record's text into events at its dates.
pub fn parse(text: &str) -> Record {
    let text = ascii_digits(text);
    let text = text.as_ref();
    let dates: Vec<(usize, usize, Option<String>)> = DATE_IN
        .captures_iter(text)
        .map(|c| {
            let m = c.get(0).unwrap();
            (m.start(), m.end(), date_of(&c))
        })
        .collect();
    let mut events: Vec<Event> = vec![];
    // A segment ending in 、 acts with the next one (two courts, two dates):
    // the bodies joined, the text adopted on the later date.
    let mut joint: Option<String> = None;
    let mut joint_date: Option<String> = None;
    // `根据2015年…通过` (the text as changed by a later act): an amendment.
    let mut by_basis = false;
    for (i, (_, end, date)) in dates.iter().enumerate() {
        let next = dates.get(i + 1).map_or(text.len(), |d| d.0);
        let raw = &text[*end..next];
        let after_basis = std::mem::replace(
            &mut by_basis,
            raw.trim_end_matches([' ', '\u{3000}', '（', '('])
                .ends_with("根据"),
        );
        let seg = raw
            .trim_end()
            .trim_end_matches("根据")
            .trim_end_matches(['，', ',', ' ', '\u{3000}'])
            .trim();
        let Some(date) = date.clone() else { continue };
        // `…、` or a bare meeting line: acts with the next segment.
        let with_next = seg.ends_with('、')
            || (MEETING.is_match(seg) && !VERB.is_match(seg) && dates.get(i + 1).is_some());
        if with_next {
            let issuer = issuer_of(seg.trim_end_matches('、'));
            joint = match (joint.take(), issuer) {
                (Some(a), Some(b)) => Some(format!("{a}、{b}")),
                (a, b) => a.or(b),
            };
            joint_date = joint_date.max(Some(date.clone()));
            events.push(Event {
                date,
                kind: EventKind::Other,
                issuer: None,
                order: None,
                text: seg.to_string(),
            });
            continue;
        }
        let mut kind = kind_of(seg);
        if after_basis && matches!(kind, EventKind::Adopted | EventKind::Other) {
            kind = EventKind::Amended;
        }
        let mut issuer = issuer_of(seg);
        if let Some(first) = joint.take() {
            issuer = Some(match issuer {
                Some(b) if !first.contains(&b) && !b.contains(&first) => format!("{first}、{b}"),
                Some(b) if b.contains(&first) => b,
                _ => first,
            });
        }
        events.push(Event {
            date: joint_date.take().max(Some(date)).unwrap_or_default(),
            kind,
            issuer,
            order: order_of(seg),
            text: seg.to_string(),
        });
    }
    // A later 通过 by the body that first adopted the text adopts a new
    // version (司法解释 revised in 2020 list 2002年…通过 and 2020年…通过).
    if let Some(first) = events
        .iter()
        .position(|e| e.kind == EventKind::Adopted && e.text.contains("通过"))
    {
        let (date, issuer) = (events[first].date.clone(), events[first].issuer.clone());
        for e in &mut events[first + 1..] {
            if e.kind == EventKind::Adopted
                && e.text.contains("通过")
                && e.issuer.is_some()
                && e.issuer == issuer
                && e.date.get(..4) != date.get(..4)
            {
                e.kind = EventKind::Amended;
            }
        }
    }
    Record { events }
}

/// The record under a title, read from the first lines of a document
/// (blank lines removed): its line range and the parsed record. The
/// record starts within the first `12` lines, after nothing but title
/// lines, and runs while lines open with a date or continue an entry.
pub fn find(lines: &[&str]) -> Option<(std::ops::Range<usize>, Record)> {
    let start = lines.iter().take(12).position(|l| {
        let l = l.trim();
        is_record_line(l)
    })?;
    // Only title lines may come before it.
    let body_before = lines[..start].iter().any(|l| {
        let l = l.trim();
        match parse_marker(l) {
            Some(m) => !matches!(m.kind, MarkerKind::Markdown(1)),
            None => l.ends_with('。') || l.chars().count() > 60,
        }
    });
    if body_before {
        return None;
    }
    let mut text = ascii_digits(lines[start].trim()).into_owned();
    let mut end = start + 1;
    while let Some(l) = lines.get(end) {
        if text.len() > MAX_RECORD_BYTES {
            break;
        }
        if !continues_record(&text, l) {
            break;
        }
        let l = ascii_digits(l.trim());
        let l = l.as_ref();
        // Broken at a 、 (or inside a title): rejoin with one.
        let sep = if is_record_line(l) || l.starts_with("根据") {
            " "
        } else if text.ends_with(['、', '《', '〈', '<']) || l.starts_with(['〉', '》', '>']) {
            ""
        } else {
            "、"
        };
        text.push_str(sep);
        text.push_str(l);
        end += 1;
    }
    let record = parse(&text);
    (!record.events.is_empty() || IN_FORCE_LINE.is_match(lines[start].trim()))
        .then_some((start..end, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(lines: &str) -> Record {
        let lines: Vec<&str> = lines.lines().filter(|l| !l.trim().is_empty()).collect();
        find(&lines).expect("a record").1
    }

    #[test]
    fn national_law_with_amendments() {
        let r = record(
            "# 中华人民共和国土地管理法\n\
             1986年6月25日 第六届全国人民代表大会常务委员会第十六次会议通过\n\
             1988年12月29日 第七届全国人民代表大会常务委员会第五次会议《关于修改〈中华人民共和国土地管理法〉的决定》第一次修正\n\
             1998年8月29日 第九届全国人民代表大会常务委员会第四次会议修订\n\
             2019年8月26日 第十三届全国人民代表大会常务委员会第十二次会议《关于修改〈中华人民共和国土地管理法〉\n\
             〈中华人民共和国城市房地产管理法〉的决定》第三次修正\n\
             <!-- INFO END -->\n\
             ## 第一章 总则",
        );
        assert_eq!(r.adopted(), Some("1986-06-25"));
        assert_eq!(r.amended(), Some("2019-08-26"));
        assert_eq!(r.issuer(), Some("全国人民代表大会常务委员会"));
        assert_eq!(r.events.len(), 4);
    }

    #[test]
    fn npc_session_and_local_congress_in_brackets() {
        let r = record("2007年3月16日 第十届全国人民代表大会第五次会议通过");
        assert_eq!(r.issuer(), Some("全国人民代表大会"));
        assert_eq!(r.adopted(), Some("2007-03-16"));
        assert_eq!(r.amended(), None);
        let r = record(
            "北京经济技术开发区条例\n（2000年9月8日北京市第十一届人民代表大会常务委员会第二十一次会议通过 根据2015年5月29日北京市第十四届人民代表大会常务委员会第十九次会议《关于修改部分地方性法规的决定》修正）\n第一章 总则",
        );
        assert_eq!(r.issuer(), Some("北京市人民代表大会常务委员会"));
        assert_eq!(r.adopted(), Some("2000-09-08"));
        assert_eq!(r.amended(), Some("2015-05-29"));
    }

    #[test]
    fn a_city_regulation_approved_by_the_province_is_the_citys() {
        let r = record(
            "宁波大榭开发区条例\n（1996年10月31日宁波市第十届人民代表大会常务委员会第二十八次会议通过\n1996年12月19日浙江省第八届人民代表大会常务委员会第三十三次会议批准\n根据2004年6月18日宁波市第十二届人民代表大会常务委员会第十一次会议《关于修改〈宁波大榭开发区条例〉的决定》修正）",
        );
        assert_eq!(r.issuer(), Some("宁波市人民代表大会常务委员会"));
        assert_eq!(r.adopted(), Some("1996-10-31"));
        assert_eq!(r.amended(), Some("2004-06-18"));
        assert_eq!(r.events[1].kind, EventKind::Approved);
    }

    #[test]
    fn chinese_numeral_dates() {
        let r = record("（一九九四年十一月一日河南省第八届人民代表大会常务委员会第十次会议通过）");
        assert_eq!(r.adopted(), Some("1994-11-01"));
        assert_eq!(r.issuer(), Some("河南省人民代表大会常务委员会"));
    }

    #[test]
    fn state_council_orders_and_ministries() {
        let r = record("2014年11月24日 中华人民共和国国务院令第656号公布");
        assert_eq!(r.issuer(), Some("国务院"));
        assert_eq!(r.order(), Some("国务院令第656号"));
        let r = record(
            "2004年11月1日 国务院第68次常务会议通过\n2004年11月1日 中华人民共和国国务院令第423号公布\n2017年3月1日 《国务院关于修改和废止部分行政法规的决定》第一次修订",
        );
        assert_eq!(r.issuer(), Some("国务院"));
        assert_eq!(r.adopted(), Some("2004-11-01"));
        assert_eq!(r.amended(), Some("2017-03-01"));
        assert_eq!(r.order(), Some("国务院令第423号"));
        let r = record(
            "1987年4月24日 国务院、中华人民共和国中央军事委员会令第N号发布"
                .replace('N', "9")
                .as_str(),
        );
        assert_eq!(r.issuer(), Some("国务院、中央军事委员会"));
        let r = record("2008年7月17日 经人力资源和社会保障部第6次部务会议通过");
        assert_eq!(r.issuer(), Some("人力资源和社会保障部"));
        let r = record("1990年1月1日 公安部、外交部、交通部发布");
        assert_eq!(r.issuer(), Some("公安部、外交部、交通部"));
        let r = record("2000年1月1日 海关总署第17号令发布");
        assert_eq!(r.order(), Some("海关总署令第17号"));
        let r = record("1985年6月21日 国务院批准\n1985年7月6日 林业部公布\n公布之日施行");
        assert_eq!(r.issuer(), Some("林业部"));
        assert_eq!(r.adopted(), Some("1985-07-06"));
    }

    #[test]
    fn lines_broken_at_a_comma_are_one_entry() {
        let r = record("1984年4月4日 国务院\n中央军委发布\n发布之日施行\n<!-- INFO END -->");
        assert_eq!(r.issuer(), Some("国务院、中央军委"));
        assert_eq!(r.adopted(), Some("1984-04-04"));
    }

    #[test]
    fn courts_and_joint_interpretations() {
        let r = record("2020年12月23日 最高人民法院审判委员会第1823次会议通过\n2020年12月29日 最高人民法院公告公布\n2021年1月1日 施行");
        assert_eq!(r.issuer(), Some("最高人民法院"));
        assert_eq!(r.adopted(), Some("2020-12-23"));
        assert_eq!(r.amended(), None);
        let r = record("2016年3月28日 最高人民法院审判委员会第1680次会议、2016年3月25日最高人民检察院第十二届检察委员会第五十次会议通过");
        assert_eq!(r.issuer(), Some("最高人民法院、最高人民检察院"));
        // Adopted once both had adopted it.
        assert_eq!(r.adopted(), Some("2016-03-28"));
        // The first court's meeting on a line of its own, without 通过
        // (法释〔2018〕8号, the 批复 on compressed-gas guns).
        let r = record("2018年1月25日 最高人民法院审判委员会第1732次会议\n\n2018年3月2日 最高人民检察院第十二届检察委员会第74次会议通过\n\n2018年3月30日 施行\n<!-- INFO END -->");
        assert_eq!(r.issuer(), Some("最高人民法院、最高人民检察院"));
        assert_eq!(r.adopted(), Some("2018-03-02"));
        // A meeting line alone is no joint act.
        let r = record("2018年1月25日 最高人民法院审判委员会第1732次会议");
        assert_eq!(r.issuer(), Some("最高人民法院"));
    }

    #[test]
    fn a_later_adoption_by_the_same_body_is_an_amendment() {
        let r = record("2002年10月12日 最高人民法院审判委员会第1246次会议通过\n2020年12月23日 最高人民法院审判委员会第1823次会议通过\n<!-- INFO END -->");
        assert_eq!(r.adopted(), Some("2002-10-12"));
        assert_eq!(r.amended(), Some("2020-12-23"));
        // Adopted by the State Council, then promulgated: one adoption.
        let r = record("2006年12月8日 国务院第159次常务会议通过\n2006年12月19日 中华人民共和国国务院令第481号公布");
        assert_eq!(r.amended(), None);
    }

    #[test]
    fn an_act_after_according_to_is_an_amendment() {
        let r = record("1994年10月27日 印发，根据\n2020年12月23日 最高人民法院审判委员会第1823次会议通过\n<!-- INFO END -->");
        assert_eq!(r.adopted(), Some("1994-10-27"));
        assert_eq!(r.amended(), Some("2020-12-23"));
    }

    #[test]
    fn full_width_digits() {
        let r = record("２０１２年１２月３日 公安部部长办公会议通过\n２０１２年１２月１９日 中华人民共和国公安部令第１２５号发布，\n２０１３年１月１日 施行");
        assert_eq!(r.issuer(), Some("公安部"));
        assert_eq!(r.adopted(), Some("2012-12-03"));
        assert_eq!(r.order(), Some("公安部令第125号"));
    }

    #[test]
    fn what_is_not_a_record() {
        assert!(!is_record_line("2021年7月30日"));
        assert!(!is_record_line("第一条 为了规范管理，制定本条例。"));
        assert!(is_record_line("2021年6月3日 施行"));
        assert!(is_record_line("发布之日施行"));
        assert!(!is_record_line(
            "2021年5月10日，市政府召开常务会议审议通过了方案。"
        ));
        assert!(!is_record_line(
            "2021年5月10日市政府发布方案。各地要抓好落实。"
        ));
        // Body text before the date line: no record.
        let lines = ["一、总体要求", "2021年1月1日 施行"];
        assert!(find(&lines).is_none());
        // An open bracket does not swallow the articles.
        let lines = [
            "（1994年9月1日河南省第八届人民代表大会常务委员会第九次会议通过",
            "第一章 总则",
            "第一条　为了促进开发区的建设，制定本条例。",
        ];
        assert_eq!(find(&lines).unwrap().0, 0..1);
        assert!(!continues_record(
            "（1994年…通过",
            "第一条　为了促进开发区的建设"
        ));
        assert!(continues_record(
            "2019年8月26日 …《关于修改〈中华人民共和国土地管理法〉",
            "〈中华人民共和国城市房地产管理法〉的决定》第三次修正"
        ));
        assert!(continues_record(
            "1991年6月29日 …《关于修改<中华人民共和国文物保护法>第三十条",
            "第三十一条的决定》第一次修正"
        ));
        // Odd input never panics.
        for s in [
            "（",
            "9999年99月99日通过",
            "根据",
            "一九九四年十三月一日通过",
            "〇〇〇〇年十月十日",
        ] {
            let _ = find(&[s]);
            let _ = parse(s);
        }
    }
}
