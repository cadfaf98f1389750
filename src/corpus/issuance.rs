//! Who issued an official document, under which number, and when: the
//! 文号 (`连政发〔2022〕32号`), the issuing organisation's line
//! (`连云港市人民政府`, `…办公室`) and the date line (`2022年4月2日`,
//! `二〇二一年九月`). One definition for the three readers of these lines:
//! metadata detection (`meta.rs`), the parser's front matter and signature
//! (`structure.rs`) and the layout's footer (`layout.rs`).
//!
//! Each reader's rule is built here from the same parts (the brackets, the
//! year-and-number tail, the organisation endings) and named for its reader.
//! Where the readers differ, the difference is written down below and kept:
//! making them agree would change what is detected or parsed, which is a
//! change of behaviour for a measured commit of its own (and a
//! `PARSE_VERSION` bump for the parser's), not part of moving the rules.

use std::sync::LazyLock;

use regex::Regex;

/// Brackets around a 文号's year: 〔〕 and the forms typists and OCR use.
pub(crate) const BR_OPEN: &str = r"[〔\[［(（【]";
/// The closing brackets matching [`BR_OPEN`].
pub(crate) const BR_CLOSE: &str = r"[〕\]］)）】]";

/// A 文号's year and number as metadata reads it: `〔2021〕12号`, a number of
/// at most four digits.
pub(crate) fn year_and_number() -> String {
    format!(r"{BR_OPEN}\s*\d{{4}}\s*{BR_CLOSE}\s*\d{{1,4}}\s*号")
}

/// A line that is only a 文号, as metadata detection reads it: an issuer's
/// abbreviation of Chinese characters (at most 12), spaces allowed before
/// the bracket, a number of at most four digits. Captures the abbreviation,
/// the year and the number.
pub static DOC_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^([\p{{Han}}]{{1,12}})\s*{BR_OPEN}\s*(\d{{4}})\s*{BR_CLOSE}\s*(\d{{1,4}})\s*号$"
    ))
    .unwrap()
});

/// A line that is only a 文号, as the parser's front matter reads it. It
/// differs from [`DOC_NUMBER_LINE`] three ways, kept from before the rules
/// were gathered: the abbreviation is any 1 to 12 non-space characters (not
/// only Chinese ones), no space before the bracket, and the number has any
/// number of digits.
pub static FRONT_DOC_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\S{{1,12}}{BR_OPEN}\s*\d{{4}}\s*{BR_CLOSE}\s*\d+\s*号$"
    ))
    .unwrap()
});

/// Canonical 文号: 〔〕 brackets, no spaces.
pub fn canonical_doc_number(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.replace(['[', '［', '(', '（', '【'], "〔")
        .replace([']', '］', ')', '）', '】'], "〕")
}

/// How the name of an issuing organisation ends, for every reader.
/// (`人民政府` ends in `政府`, but is not redundant: the name before an
/// ending has at most 40 characters.)
const ORG_ENDINGS: [&str; 9] = [
    "人民政府",
    "委员会",
    "管委会",
    "办公室",
    "办公厅",
    "政府",
    "局",
    "厅",
    "部",
];

/// A line that is only an organisation's name: 2 to 40 non-space characters
/// before one of [`ORG_ENDINGS`] or of `extra`, then `tail`.
fn org_line(extra: &[&str], tail: &str) -> Regex {
    let endings: Vec<&str> = ORG_ENDINGS.iter().chain(extra).copied().collect();
    Regex::new(&format!(r"^\S{{2,40}}(?:{}){tail}$", endings.join("|"))).unwrap()
}

/// The issuer as metadata detection reads it (above the date of the
/// signature, or a red header's `…文件` without its suffix): the endings,
/// `管理委员会` and `委` (`市发展改革委`).
pub static ISSUER_LINE: LazyLock<Regex> = LazyLock::new(|| org_line(&["管理委员会", "委"], ""));

/// An organisation line of the parser's front matter and signature: the
/// endings, or a red header with `文件` after them; not `委` (a line ending
/// in `委` is body text to the parser).
pub static FRONT_ORG_LINE: LazyLock<Regex> = LazyLock::new(|| org_line(&[], "(?:文件)?"));

/// The office above a footer's `…印发` line, as the layout drops it: the
/// endings, `委`, and `办` (`市政府办`), the short forms a footer uses.
pub static FOOTER_ORG_LINE: LazyLock<Regex> = LazyLock::new(|| org_line(&["委", "办"], ""));

/// A date line in Arabic digits: `2021年7月30日`, `2021 年 4 月`. Captures
/// year, month and day.
pub static ARABIC_DATE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$").unwrap());

/// A date line in Chinese numerals: `二〇二一年九月`, `二〇二一年十二月三十一日`.
/// Captures year, month and day.
pub static CHINESE_DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月(?:([一二三四五六七八九十]{1,3})日)?$").unwrap()
});

/// Is the line only a date (either form; the month is not checked here:
/// `meta::parse_date` reads and checks it)?
pub fn is_date_line(line: &str) -> bool {
    ARABIC_DATE_LINE.is_match(line) || CHINESE_DATE_LINE.is_match(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_number_lines() {
        for (line, meta, front) in [
            ("连政发〔2022〕32号", true, true),
            ("通政发[2021]23号", true, true),
            ("苏政办发（2021）108 号", true, true),
            ("国办函〔 2020 〕55号", true, true),
            // The readers differ here (see FRONT_DOC_NUMBER_LINE).
            ("苏政发 〔2021〕12号", true, false),
            ("DB32〔2021〕12号", false, true),
            ("苏政发〔2021〕12345号", false, true),
            // Neither.
            ("连政发〔22〕32号", false, false),
            ("根据连政发〔2022〕32号文件", false, false),
        ] {
            assert_eq!(DOC_NUMBER_LINE.is_match(line), meta, "{line}");
            assert_eq!(FRONT_DOC_NUMBER_LINE.is_match(line), front, "{line}");
        }
        let c = DOC_NUMBER_LINE.captures("连政发〔2022〕32号").unwrap();
        assert_eq!((&c[1], &c[2], &c[3]), ("连政发", "2022", "32"));
    }

    #[test]
    fn canonical_doc_numbers() {
        assert_eq!(
            canonical_doc_number("通政发[2021] 23号"),
            "通政发〔2021〕23号"
        );
        assert_eq!(
            canonical_doc_number("苏政办发（2021）108 号"),
            "苏政办发〔2021〕108号"
        );
        assert_eq!(
            canonical_doc_number("连开委【2021】54号"),
            "连开委〔2021〕54号"
        );
    }

    #[test]
    fn organisation_lines() {
        for (line, issuer, front, footer) in [
            ("连云港市人民政府", true, true, true),
            ("连云港经济技术开发区管理委员会", true, true, true),
            ("南通市人民政府办公室", true, true, true),
            ("江苏省财政厅", true, true, true),
            // The readers differ here.
            ("连云港市发展改革委", true, false, true),
            ("连云港市人民政府文件", false, true, false),
            ("市政府办", false, false, true),
            // None: too short, a space, or not an organisation.
            ("政府", false, false, false),
            ("连云港市 人民政府", false, false, false),
            ("加快推进开发区高质量发展", false, false, false),
        ] {
            assert_eq!(ISSUER_LINE.is_match(line), issuer, "issuer {line}");
            assert_eq!(FRONT_ORG_LINE.is_match(line), front, "front {line}");
            assert_eq!(FOOTER_ORG_LINE.is_match(line), footer, "footer {line}");
        }
    }

    #[test]
    fn date_lines() {
        for line in [
            "2021年7月30日",
            "2021 年 4 月 12 日",
            "2021年13月",
            "二〇二一年九月",
            "二〇二一年十二月三十一日",
        ] {
            assert!(is_date_line(line), "{line}");
        }
        for line in [
            "2021年7月30日印发",
            "21年7月",
            "二〇二一年9月",
            " 2021年7月30日",
        ] {
            assert!(!is_date_line(line), "{line}");
        }
    }
}
