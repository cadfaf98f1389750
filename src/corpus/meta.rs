//! Metadata detection from a document's text: title, 文号, issuer, date,
//! kind, the upper-level documents it implements, and the jurisdiction and
//! level implied by the issuer. Pure: text in, `Detected` out.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::enactment;
use super::issuance::{
    canonical_doc_number, year_and_number, ARABIC_DATE_LINE, CHINESE_DATE_LINE, DOC_NUMBER_LINE,
    ISSUER_LINE,
};
use super::numbering::{has_sentence_punct, parse_marker};
use super::values::{Date, Kind, Level};
use crate::text::normalize::{clean_line, squeeze_cjk_spaces};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implemented {
    pub doc_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detected {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    /// `YYYY-MM-DD` or `YYYY-MM` when the day is not given: the date of the
    /// version in force (a law's latest amendment, else its adoption).
    pub date: Option<Date>,
    /// A law's or regulation's adoption (通过, 公布), from the lines under its title.
    pub adopted: Option<Date>,
    /// Its latest amendment (修正, 修订), when it has one.
    pub amended: Option<Date>,
    pub kind: Option<Kind>,
    pub jurisdiction: Option<String>,
    pub level: Option<Level>,
    pub implements: Vec<Implemented>,
}

/// A standing committee's announcement under a local regulation's title:
/// `杭州市第十二届人民代表大会常务委员会公告` then `第82号` (one line or two;
/// `〔十四届〕第三十一号` too). Its number is the regulation's 文号.
static ANNOUNCEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\p{Han}{2,30}?人民代表大会常务委员会公告)\s*((?:[〔\[［(（]\p{Han}{2,6}[〕\]］)）])?\s*第\s*[0-9〇零一二三四五六七八九十百]{1,8}\s*号)?$").unwrap()
});
static ANNOUNCEMENT_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[〔\[［(（]\p{Han}{2,6}[〕\]］)）])?\s*第\s*[0-9〇零一二三四五六七八九十百]{1,8}\s*号$").unwrap()
});

/// A line that opens an attachment: `附件`, `附件 1`, `附件一：…`, `附件：1. …`.
fn is_attachment_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("附件") else {
        return false;
    };
    let rest = rest.trim_start();
    rest.is_empty()
        || rest.starts_with([':', '：'])
        || rest.chars().next().is_some_and(|c| {
            c.is_ascii_digit() || c.is_numeric() || "一二三四五六七八九十".contains(c)
        })
}

/// `《title》（doc number）` references in the preamble.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"《([^》]{{2,80}})》\s*[（(]\s*([\p{{Han}}]{{1,12}}\s*{})",
        year_and_number()
    ))
    .unwrap()
});
/// A bare follow-up number: `和〔2020〕101号`.
static BARE_REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"[和及、与]\s*({})", year_and_number())).unwrap());

pub(crate) fn cn_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or((c == '零').then_some(0))
}

pub(crate) fn cn_small_number(s: &str) -> Option<u32> {
    // 一 .. 三十一
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        [d] => cn_digit(*d),
        _ => None,
    }
}

/// Parse a date line: `2021年7月30日`, `2021 年 4 月 12 日`, `二〇二一年九月`.
pub fn parse_date(line: &str) -> Option<Date> {
    date_of_line(line).map(|d| Date::parse(&d))
}

fn date_of_line(line: &str) -> Option<String> {
    let line = line.trim();
    if let Some(c) = ARABIC_DATE_LINE.captures(line) {
        let (y, m) = (&c[1], c[2].parse::<u32>().ok()?);
        if !(1..=12).contains(&m) {
            return None;
        }
        return Some(match c.get(3) {
            Some(d) => format!("{y}-{m:02}-{:02}", d.as_str().parse::<u32>().ok()?),
            None => format!("{y}-{m:02}"),
        });
    }
    if let Some(c) = CHINESE_DATE_LINE.captures(line) {
        let y: String = c[1]
            .chars()
            .map(|ch| char::from_digit(cn_digit(ch).unwrap_or(0), 10).unwrap())
            .collect();
        let m = cn_small_number(&c[2])?;
        return Some(match c.get(3) {
            Some(d) => format!("{y}-{m:02}-{:02}", cn_small_number(d.as_str())?),
            None => format!("{y}-{m:02}"),
        });
    }
    None
}

/// The jurisdiction of national bodies: the NPC, the State Council, the
/// courts, the ministries.
pub const NATIONAL: &str = "全国";

/// Does a national body issue this (全国人民代表大会常务委员会, 国务院,
/// 最高人民法院, 公安部, 国家市场监督管理总局, 中国人民银行, 海关总署)? Bodies
/// named after a place (南通市财政局, 江苏省商务厅, 市委组织部) are local.
pub fn is_national_body(issuer: &str) -> bool {
    let first = issuer.split('、').next().unwrap_or("").trim();
    let first = first.strip_prefix("中华人民共和国").unwrap_or(first);
    const NATIONAL_START: [&str; 8] = [
        "全国",
        "国务院",
        "最高人民",
        "中央",
        "中共中央",
        "国家",
        "中国",
        "政务院",
    ];
    if NATIONAL_START.iter().any(|s| first.starts_with(s)) {
        return true;
    }
    let ministry = ["部", "总署", "署", "总局"]
        .iter()
        .any(|s| first.ends_with(s))
        || (first.ends_with('局') && !first.contains(['区', '园']));
    ministry
        && first.chars().count() >= 2
        && (!first.starts_with(['省', '市', '县', '区', '州', '镇', '乡'])
            || first.starts_with("市场"))
        && jurisdiction_from_title(first).is_none()
        && !["省", "自治区", "自治州"].iter().any(|p| first.contains(p))
}

/// Jurisdiction from the issuing body: 南通市人民政府 → 南通市,
/// 连云港经济技术开发区管理委员会 → 连云港经济技术开发区,
/// 北京市人民代表大会常务委员会 → 北京市; national bodies (国务院, 公安部,
/// 全国人民代表大会常务委员会) → 全国.
pub fn jurisdiction_of(issuer: &str) -> String {
    if is_national_body(issuer) {
        return NATIONAL.to_string();
    }
    const SUFFIXES: [&str; 15] = [
        "人民代表大会常务委员会",
        "人民代表大会",
        "人大常委会",
        "人民政府办公室",
        "人民政府办公厅",
        "人民政府",
        "管理委员会办公室",
        "管理委员会",
        "管委会",
        "党工委",
        "委员会",
        "办公室",
        "办公厅",
        "政府",
        "文件",
    ];
    let mut s = issuer.trim().to_string();
    for suffix in SUFFIXES {
        if let Some(stripped) = s.strip_suffix(suffix) {
            s = stripped.to_string();
            break;
        }
    }
    s
}

/// A title that opens with a place: 无锡市开发区绿色发展实施意见 → 无锡市,
/// 江苏省南京市… → 南京市, 江苏省关于… → 江苏省. For documents without an
/// issuer line (web pages, Markdown, drafts).
static TITLE_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(\p{Han}{2,3}省))?(\p{Han}{2,4}?(?:市|县)|\p{Han}{2,6}?自治州)?").unwrap()
});

pub fn jurisdiction_from_title(title: &str) -> Option<String> {
    let c = TITLE_PLACE.captures(title)?;
    let m = c.get(2).or(c.get(1))?;
    let place = m.as_str();
    // Not a place: 关于全市…, 各县…, 本市…, 城市市容…, 人力资源市场…
    let not_place = ["关于", "全", "各", "本", "我", "城市", "资源"];
    let word_goes_on = title[m.end()..].starts_with(['场', '容', '民']);
    (!word_goes_on && !not_place.iter().any(|w| place.contains(w))).then(|| place.to_string())
}

/// Administrative level implied by a jurisdiction's name.
pub fn level_of(jurisdiction: &str) -> Option<Level> {
    let j = jurisdiction;
    let level = if j.ends_with("经济技术开发区") || j.ends_with("高新技术产业开发区")
    {
        Level::NationalZone
    } else if j.ends_with("开发区")
        || j.ends_with("园区")
        || j.ends_with("新区")
        || j.ends_with("高新区")
        || j.ends_with("片区")
    {
        Level::DevelopmentZone
    } else if j.ends_with("省") || j.ends_with("自治区") {
        Level::Province
    } else if j == "北京市" || j == "上海市" || j == "天津市" || j == "重庆市" {
        Level::Municipality
    } else if j.ends_with("市") {
        Level::City
    } else if j.ends_with("县") || j.ends_with("区") {
        Level::County
    } else if j == NATIONAL
        || j.starts_with("国务院")
        || j.starts_with("全国")
        || j.starts_with("中华人民共和国")
    {
        Level::National
    } else {
        return None;
    };
    Some(level)
}

pub fn kind_of(title: &str) -> Option<Kind> {
    let t = title.trim_end_matches("的通知");
    // Prefer the kind nearest the end of the title; the longer word of two
    // that end there (实施方案 over 方案).
    Kind::NAMED
        .iter()
        .filter_map(|(k, w)| t.rfind(w).map(|pos| (pos + w.len(), w.len(), k)))
        .max_by_key(|(end, len, _)| (*end, *len))
        .map(|(_, _, k)| k.clone())
}

/// A national body that names itself in the title: 国务院关于…的规定,
/// 最高人民法院、最高人民检察院关于…的解释. (Local titles such as 市政府关于…
/// name no place, so they are left to the signature.)
fn issuer_in_title(title: &str) -> Option<String> {
    let (head, _) = title.split_once("关于")?;
    let head = head.trim();
    let ok = !head.is_empty()
        && head.chars().count() <= 40
        && head
            .split('、')
            .all(|n| is_national_body(n) && ISSUER_NAME.is_match(n));
    ok.then(|| head.replace("中华人民共和国", ""))
}

static ISSUER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{2,30}(?:人民代表大会常务委员会|人民代表大会|委员会|院|部|局|署|银行|办公室|办公厅|中央)$").unwrap()
});

/// A notice title `…关于印发《X》的通知` or `…印发X的通知` names the real document X.
fn inner_title(title: &str) -> String {
    if let Some(rest) = title.strip_suffix("的通知") {
        if let Some(pos) = rest.find("印发") {
            let inner = &rest[pos + "印发".len()..];
            let inner = inner.trim_start_matches('《').trim_end_matches('》');
            if inner.chars().count() >= 4 {
                return inner.to_string();
            }
        }
    }
    title.to_string()
}

/// Detect metadata from the text of a document.
pub fn detect(text: &str) -> Detected {
    let lines: Vec<&str> = text
        .lines()
        .map(clean_line)
        .filter(|l| !l.is_empty())
        .collect();
    let mut d = Detected::default();
    let head = &lines[..lines.len().min(40)];

    // Markdown title (legal texts): "# 中华人民共和国…法".
    if let Some(i) = head.iter().position(|l| l.starts_with("# ")) {
        d.title = Some(head[i][2..].trim().to_string());
        // A bare date right under it.
        d.date = head.get(i + 1).and_then(|l| parse_date(l));
    }

    // Laws and regulations: adoption and amendments under the title.
    if let Some((_, record)) = enactment::find(head) {
        d.adopted = record.adopted().map(Date::parse);
        d.amended = record.amended().map(Date::parse);
        if let Some(date) = d.amended.clone().or(d.adopted.clone()) {
            d.date = Some(date);
        }
        d.issuer = record.issuer().map(str::to_string);
        d.doc_number = record.order().map(str::to_string);
    }

    // 文号: a line that is only a doc number, near the top.
    if let Some(n) = head.iter().find(|l| DOC_NUMBER_LINE.is_match(l)) {
        d.doc_number = Some(canonical_doc_number(n));
    }
    // A local regulation's announcement: `…人民代表大会常务委员会公告` and
    // `第82号` (on the same line or the next).
    if d.doc_number.is_none() {
        d.doc_number = head.iter().enumerate().find_map(|(i, l)| {
            let c = ANNOUNCEMENT.captures(l)?;
            let number = match c.get(2) {
                Some(n) => n.as_str().to_string(),
                None => head
                    .get(i + 1)
                    .filter(|n| ANNOUNCEMENT_NUMBER.is_match(n))?
                    .to_string(),
            };
            Some(canonical_doc_number(&format!("{}{number}", &c[1])))
        });
    }

    // The document proper ends where its attachments begin (附件 1, 附件：…
    // after the body): an attachment's signature, dates and headings are
    // not the document's. A text that opens with one is all attachment.
    // A list of attachments above the signature (附件：1. …, then the
    // issuer and the date) is the document's own: a line counts as an
    // attachment's start only when no date line follows within 8 lines.
    let main = (3..lines.len())
        .find(|&i| {
            is_attachment_line(lines[i])
                && !lines[i + 1..lines.len().min(i + 9)]
                    .iter()
                    .any(|l| parse_date(l).is_some())
        })
        .unwrap_or(lines.len());
    let whole = &lines[..];
    let lines = &lines[..main];

    // Issuer and date: an organisation line directly above a date line.
    let signature = lines.windows(2).find_map(|w| {
        let date = parse_date(w[1])?;
        ISSUER_LINE.is_match(w[0]).then(|| (w[0].to_string(), date))
    });
    if let Some((issuer, date)) = signature {
        d.issuer.get_or_insert_with(|| squeeze_cjk_spaces(&issuer));
        d.date.get_or_insert(date);
    }
    if d.issuer.is_none() {
        // A red-header line: "连云港经济技术开发区管理委员会文件".
        if let Some(h) = head
            .iter()
            .find_map(|l| l.strip_suffix("文件"))
            .filter(|h| ISSUER_LINE.is_match(h))
        {
            d.issuer = Some(h.to_string());
        }
    }
    if d.date.is_none() {
        d.date = lines.iter().rev().take(15).find_map(|l| parse_date(l));
    }

    // Title: the first run of unpunctuated, unnumbered lines that is not a
    // doc number, organisation, or date line.
    if d.title.is_none() {
        let mut run: Vec<&str> = vec![];
        for l in head {
            let skip = DOC_NUMBER_LINE.is_match(l)
                || ANNOUNCEMENT.is_match(l)
                || ANNOUNCEMENT_NUMBER.is_match(l)
                || parse_date(l).is_some()
                || enactment::is_record_line(l)
                || (ISSUER_LINE.is_match(l) && !l.contains("关于"))
                || l.ends_with("文件")
                || l.starts_with("（此件")
                || l.starts_with('-');
            let titleish = !skip
                && !has_sentence_punct(l)
                && parse_marker(l).is_none()
                && l.chars().count() <= 60
                && !l.ends_with('。');
            if titleish {
                run.push(l);
            } else if !run.is_empty() {
                break;
            }
        }
        if !run.is_empty() {
            let joined = squeeze_cjk_spaces(&run.concat());
            d.title = Some(squeeze_cjk_spaces(&inner_title(&joined)));
        }
    }
    d.kind = d.title.as_deref().and_then(kind_of);
    if d.issuer.is_none() {
        d.issuer = d.title.as_deref().and_then(issuer_in_title);
    }

    // Implemented documents: 《title》（number） references before the first
    // numbered heading, and bare follow-up numbers such as 和〔2020〕101号.
    // Read over the whole text, attachments included: a notice that issues
    // a plan (印发…的通知, 附件 1 the plan) implements what the plan's
    // preamble says it implements.
    let body_start = whole
        .iter()
        .position(|l| parse_marker(l).is_some_and(|m| m.kind.rank() <= 21 && m.kind.rank() >= 10))
        .unwrap_or(whole.len().min(60));
    let preamble = whole[..body_start].join("");
    let own = d.doc_number.clone();
    for c in REFERENCE.captures_iter(&preamble) {
        // A reply's request (你院《关于…的请示》（沪高法〔2021〕215号）收悉)
        // or a report is answered, not implemented.
        if c[1].ends_with("请示") || c[1].ends_with("报告") {
            continue;
        }
        let number = canonical_doc_number(&c[2]);
        if Some(&number) != own.as_ref() && !d.implements.iter().any(|i| i.doc_number == number) {
            d.implements.push(Implemented {
                doc_number: number,
                title: Some(squeeze_cjk_spaces(&c[1])),
            });
        }
    }
    for c in BARE_REFERENCE.captures_iter(&preamble) {
        let number = canonical_doc_number(&c[1]);
        if !d.implements.iter().any(|i| i.doc_number.ends_with(&number)) {
            d.implements.push(Implemented {
                doc_number: number,
                title: None,
            });
        }
    }

    let jurisdiction = match (&d.issuer, &d.title) {
        (Some(issuer), _) => Some(jurisdiction_of(issuer)),
        (None, Some(title)) => jurisdiction_from_title(title),
        _ => None,
    };
    if let Some(j) = jurisdiction {
        d.level = level_of(&j);
        d.jurisdiction = Some(j);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::AsText;

    /// Issue 19: a local regulation with its standing committee's
    /// announcement (real header: 杭州大江东产业集聚区管理条例, 2016).
    #[test]
    fn a_local_regulation_and_its_announcement() {
        let d = detect(include_str!(
            "../../tests/eval/meta/fixtures/local-regulation-hangzhou.txt"
        ));
        assert_eq!(d.title.as_deref(), Some("杭州大江东产业集聚区管理条例"));
        assert_eq!(d.kind.text(), "条例");
        assert_eq!(
            d.doc_number.as_deref(),
            Some("杭州市第十二届人民代表大会常务委员会公告第82号")
        );
        // Adopted by the city's committee; the province only approved it.
        assert_eq!(d.issuer.as_deref(), Some("杭州市人民代表大会常务委员会"));
        assert_eq!(d.jurisdiction.as_deref(), Some("杭州市"));
        assert_eq!(d.level.text(), "city");
        assert_eq!(d.adopted.text(), "2016-12-29");
        assert_eq!(d.date.text(), "2016-12-29");
        // The announcement on one line, with the session in brackets.
        let d = detect(
            "福建省招标投标条例\n福建省人民代表大会常务委员会公告〔十四届〕第三十一号\n\
             第一条 为了规范招标投标活动，制定本条例。\n",
        );
        assert_eq!(
            d.doc_number.as_deref(),
            Some("福建省人民代表大会常务委员会公告〔十四届〕第三十一号")
        );
        assert_eq!(d.title.as_deref(), Some("福建省招标投标条例"));
    }

    /// A reply (批复, 复函): the issuer is the body replying, not the one
    /// addressed; the request it answers is not a document it implements.
    /// Real text: 法释〔2021〕11号.
    #[test]
    fn a_reply_names_its_issuer_not_its_addressee() {
        let text = "# 最高人民法院关于知识产权侵权诉讼中被告以原告滥用权利为由请求赔偿合理开支问题的批复\n\n\
            法释〔2021〕11号\n\n2021年5月31日 最高人民法院审判委员会第1840次会议通过\n\n\
            2021年6月3日 施行\n\n<!-- INFO END -->\n\n上海市高级人民法院：\n\n\
            你院《关于知识产权侵权诉讼中被告以原告滥用权利为由请求赔偿合理开支问题的请示》\
            （沪高法〔2021〕215号）收悉。经研究，批复如下：\n\n\
            在知识产权侵权诉讼中，被告提交证据证明原告的起诉构成法律规定的滥用权利损害其合法权益,\
            依法请求原告赔偿其因该诉讼所支付的合理的律师费、交通费、食宿费等开支的，人民法院依法予以支持。\n";
        let d = detect(text);
        assert_eq!(d.issuer.as_deref(), Some("最高人民法院"));
        assert_eq!(d.doc_number.as_deref(), Some("法释〔2021〕11号"));
        assert_eq!(d.kind.text(), "批复");
        assert_eq!(d.date.text(), "2021-05-31");
        assert_eq!(d.jurisdiction.as_deref(), Some("全国"));
        assert!(d.implements.is_empty(), "{:?}", d.implements);
        // A government's reply, addressed to a province, signed at the end
        // (written on the form of 国办函〔2020〕55号, whose text is not in
        // our corpora).
        let text = "国务院办公厅关于同意建立职业病防治工作部际联席会议制度的复函\n\
            国办函〔2020〕55号\n江苏省人民政府：\n\
            你省《关于建立职业病防治工作协作机制的请示》（苏政发〔2020〕12号）收悉。经国务院同意，现函复如下：\n\
            一、同意建立职业病防治工作部际联席会议制度。\n国务院办公厅\n2020年7月22日\n";
        let d = detect(text);
        assert_eq!(d.issuer.as_deref(), Some("国务院办公厅"));
        assert_eq!(d.doc_number.as_deref(), Some("国办函〔2020〕55号"));
        assert_eq!(d.kind.text(), "复函");
        assert_eq!(d.date.text(), "2020-07-22");
        assert_eq!(d.jurisdiction.as_deref(), Some("全国"));
        assert!(d.implements.is_empty(), "{:?}", d.implements);
    }

    /// A notice with attachments (seed 000, 连开委〔2021〕54号): the
    /// attachment's heading is not the title, and a signature inside an
    /// attachment is not the notice's.
    #[test]
    fn attachments_do_not_steal_the_title_or_the_signature() {
        let seed = include_str!("../../corpus/docs/lyg-etdz-2021-54.txt");
        let d = detect(seed);
        assert_eq!(
            d.title.as_deref(),
            Some("中国（江苏）自由贸易试验区连云港经济技术开发区联动创新发展中区建设方案")
        );
        assert_eq!(d.doc_number.as_deref(), Some("连开委〔2021〕54号"));
        assert_eq!(d.issuer.as_deref(), Some("连云港经济技术开发区管理委员会"));
        assert_eq!(d.date.text(), "2021-07-30");
        // The notice without its own signature, its attachment 1 (the whole
        // plan) ending in another body's signature (seed 004's 落款).
        let cut = seed
            .find("连云港经济技术开发区管理委员会\n\n2021年7月30日")
            .unwrap();
        let start = seed.find("附件 1").unwrap();
        let end = seed.find("附件 2").unwrap();
        let text = format!(
            "{}{}\n连云港市人民政府 \n 2021 年 4 月 12 日 \n",
            &seed[..cut],
            &seed[start..end]
        );
        let d = detect(&text);
        assert_eq!(d.issuer.as_deref(), Some("连云港经济技术开发区管理委员会"));
        assert_eq!(d.date, None);
        assert_eq!(d.doc_number.as_deref(), Some("连开委〔2021〕54号"));
        // A list of attachments above the signature stays the notice's.
        let d = detect(
            "南通市人民政府关于印发南通市企业技术中心认定管理办法的通知\n通政发〔2021〕9号\n\
             各县（市、区）人民政府：\n现将《南通市企业技术中心认定管理办法》印发给你们，请认真贯彻执行。\n\
             附件：南通市企业技术中心认定管理办法\n南通市人民政府\n2021年3月1日\n\
             附件\n南通市企业技术中心认定管理办法\n第一条 为推动企业技术创新，制定本办法。\n",
        );
        assert_eq!(d.issuer.as_deref(), Some("南通市人民政府"));
        assert_eq!(d.date.text(), "2021-03-01");
        assert_eq!(d.title.as_deref(), Some("南通市企业技术中心认定管理办法"));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2021年7月30日").unwrap().as_str(), "2021-07-30");
        assert_eq!(parse_date("2021 年 4 月 12 日").text(), "2021-04-12");
        assert_eq!(parse_date("二〇二一年九月").unwrap().as_str(), "2021-09");
        assert_eq!(parse_date("二〇二一年十二月三十一日").text(), "2021-12-31");
        assert_eq!(parse_date("2021年13月1日"), None);
    }

    #[test]
    fn jurisdictions_and_levels() {
        assert_eq!(jurisdiction_of("南通市人民政府"), "南通市");
        assert_eq!(jurisdiction_of("苏州工业园区管理委员会"), "苏州工业园区");
        assert_eq!(
            jurisdiction_of("连云港经济技术开发区管委会"),
            "连云港经济技术开发区"
        );
        assert_eq!(level_of("南通市").text(), "city");
        assert_eq!(
            level_of("连云港经济技术开发区").text(),
            "national-level development zone"
        );
        assert_eq!(level_of("江苏省").text(), "province");
    }

    #[test]
    fn national_bodies_issue_for_the_whole_country() {
        for issuer in [
            "全国人民代表大会常务委员会",
            "国务院",
            "国务院、中央军事委员会",
            "最高人民法院、最高人民检察院",
            "劳动部",
            "中华人民共和国人事部",
            "公安部、外交部、交通部",
            "国家市场监督管理总局",
            "市场监督管理总局",
            "中国人民银行",
            "海关总署",
        ] {
            assert_eq!(jurisdiction_of(issuer), NATIONAL, "{issuer}");
            assert_eq!(level_of(&jurisdiction_of(issuer)).text(), "national");
        }
        for (issuer, place) in [
            ("北京市人民代表大会常务委员会", "北京市"),
            ("河南省人民代表大会常务委员会", "河南省"),
            ("宁波市人民代表大会常务委员会", "宁波市"),
            ("南通市财政局", "南通市财政局"),
            ("江苏省商务厅", "江苏省商务厅"),
            ("连云港经济技术开发区管理委员会", "连云港经济技术开发区"),
        ] {
            assert_eq!(jurisdiction_of(issuer), place, "{issuer}");
        }
        assert!(!is_national_body("市委组织部"));
        assert_eq!(level_of("北京市").text(), "municipality");
        assert_eq!(level_of("宁波市").text(), "city");
    }

    #[test]
    fn a_law_is_dated_by_its_latest_amendment() {
        let d = detect(
            "# 中华人民共和国土地管理法\n\n1986年6月25日 第六届全国人民代表大会常务委员会第十六次会议通过\n\n\
             2004年8月28日 第十届全国人民代表大会常务委员会第十一次会议《关于修改〈中华人民共和国土地管理法〉的决定》第二次修正\n\n\
             <!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了加强土地管理，制定本法。\n",
        );
        assert_eq!(d.title.as_deref(), Some("中华人民共和国土地管理法"));
        assert_eq!(d.adopted.text(), "1986-06-25");
        assert_eq!(d.amended.text(), "2004-08-28");
        assert_eq!(d.date.text(), "2004-08-28");
        assert_eq!(d.issuer.as_deref(), Some("全国人民代表大会常务委员会"));
        assert_eq!(d.jurisdiction.as_deref(), Some("全国"));
        assert_eq!(d.level.text(), "national");
        assert_eq!(d.kind.text(), "法");
    }

    #[test]
    fn a_local_regulation_in_plain_text() {
        let d = detect(
            "河南省开发区条例\n（1994年11月1日河南省第八届人民代表大会常务委员会第十次会议通过\n\
             根据2004年11月26日河南省第十届人民代表大会常务委员会第十二次会议《关于修改部分地方性法规的决定》修正\n\
             根据2010年7月30日河南省第十一届人民代表大会常务委员会第十六次会议《关于修改部分地方性法规的决定》修正）\n\
             第一章 总则\n第一条 为了促进开发区的建设和发展，制定本条例。\n",
        );
        assert_eq!(d.title.as_deref(), Some("河南省开发区条例"));
        assert_eq!(d.issuer.as_deref(), Some("河南省人民代表大会常务委员会"));
        assert_eq!(d.jurisdiction.as_deref(), Some("河南省"));
        assert_eq!(d.level.text(), "province");
        assert_eq!(d.adopted.text(), "1994-11-01");
        assert_eq!(d.amended.text(), "2010-07-30");
        assert_eq!(d.date.text(), "2010-07-30");
        assert_eq!(d.doc_number, None);
    }

    #[test]
    fn a_national_body_in_the_title_is_the_issuer() {
        assert_eq!(
            issuer_in_title(
                "最高人民法院、最高人民检察院关于办理危害生产安全刑事案件适用法律若干问题的解释"
            )
            .as_deref(),
            Some("最高人民法院、最高人民检察院")
        );
        assert_eq!(
            issuer_in_title("国务院关于口岸开放的若干规定").as_deref(),
            Some("国务院")
        );
        assert_eq!(issuer_in_title("市政府关于加快推进开发区发展的意见"), None);
        assert_eq!(issuer_in_title("南通市人民政府关于印发方案的通知"), None);
    }

    #[test]
    fn a_state_council_order_is_the_doc_number() {
        let d = detect("# 不动产登记暂行条例\n\n2014年11月24日 中华人民共和国国务院令第656号公布\n\n<!-- INFO END -->\n\n## 第一章 总则\n");
        assert_eq!(d.doc_number.as_deref(), Some("国务院令第656号"));
        assert_eq!(d.issuer.as_deref(), Some("国务院"));
        assert_eq!(d.date.text(), "2014-11-24");
        assert_eq!(d.amended, None);
    }

    #[test]
    fn jurisdictions_from_titles() {
        let j = |t: &str| jurisdiction_from_title(t);
        assert_eq!(j("无锡市开发区绿色发展实施意见").as_deref(), Some("无锡市"));
        assert_eq!(j("常州市开发区土地集约利用办法").as_deref(), Some("常州市"));
        assert_eq!(j("江苏省南京市人才安居办法").as_deref(), Some("南京市"));
        assert_eq!(
            j("江苏省关于推进开发区改革的意见").as_deref(),
            Some("江苏省")
        );
        assert_eq!(
            j("延边朝鲜族自治州招商引资办法").as_deref(),
            Some("延边朝鲜族自治州")
        );
        assert_eq!(j("关于全市开发区的通知"), None);
        assert_eq!(
            j("市政府关于加快推进高新技术产业开发区高质量发展的实施意见"),
            None
        );
        assert_eq!(j("中华人民共和国城市房地产管理法"), None);
        assert_eq!(j("各县区人民政府"), None);
        assert_eq!(j("人力资源市场暂行条例"), None);
        assert_eq!(j("城市市容和环境卫生管理条例"), None);
        assert_eq!(
            j("北京市新技术产业开发试验区暂行条例").as_deref(),
            Some("北京市")
        );
    }

    #[test]
    fn a_page_without_an_issuer_takes_its_place_from_the_title() {
        let d = detect("# 无锡市开发区绿色发展实施意见\n\n锡政发〔2022〕5号\n\n## 一、总体要求\n\n推进园区绿色低碳发展。\n");
        assert_eq!(d.jurisdiction.as_deref(), Some("无锡市"));
        assert_eq!(d.level.text(), "city");
    }

    #[test]
    fn kinds_and_titles() {
        assert_eq!(
            kind_of("连云港市“十四五”开发区高质量发展行动方案").text(),
            "行动方案"
        );
        assert_eq!(
            kind_of(
                "连云港经济技术开发区国民经济和社会发展第十四个五年规划纲要和二〇三五年远景目标"
            ),
            Some(Kind::OutlinePlan)
        );
        assert_eq!(
            inner_title("市政府关于印发连云港市“十四五”开发区高质量发展行动方案的通知"),
            "连云港市“十四五”开发区高质量发展行动方案"
        );
        assert_eq!(
            canonical_doc_number("连政发〔2021〕25 号"),
            "连政发〔2021〕25号"
        );
    }
}
