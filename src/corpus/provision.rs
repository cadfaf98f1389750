//! The unit everything compares: one numbered measure (or paragraph, box,
//! table row, article) with its heading path and responsible units.

use crate::text::fold;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvisionKind {
    /// Notice text, 文号, signature: the document's front and back matter.
    Front,
    /// Unnumbered running text (preamble, section introductions).
    Text,
    /// An unnumbered paragraph opening with a lead phrase (`强化产才融合，…。`).
    Lead,
    /// A numbered measure: 一、 （一） 1. （1） …
    Item,
    /// A legal article: 第X条.
    Article,
    /// A 专栏 box.
    Box,
    /// A whole table (indicator tables).
    Table,
    /// One row of a task-allocation table.
    TableRow,
}

impl ProvisionKind {
    /// Every kind, in declaration order.
    pub const ALL: [ProvisionKind; 8] = [
        ProvisionKind::Front,
        ProvisionKind::Text,
        ProvisionKind::Lead,
        ProvisionKind::Item,
        ProvisionKind::Article,
        ProvisionKind::Box,
        ProvisionKind::Table,
        ProvisionKind::TableRow,
    ];

    /// The name in every output (JSON, CSV, the index): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProvisionKind::Front => "front",
            ProvisionKind::Text => "text",
            ProvisionKind::Lead => "lead",
            ProvisionKind::Item => "item",
            ProvisionKind::Article => "article",
            ProvisionKind::Box => "box",
            ProvisionKind::Table => "table",
            ProvisionKind::TableRow => "table-row",
        }
    }

    /// The kind named `name` ([`ProvisionKind::as_str`]).
    pub fn parse(name: &str) -> Option<ProvisionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// `{doc_id}:{seq}`; stable while the document's text is unchanged.
    pub id: String,
    pub doc_id: String,
    /// 1-based position in the document.
    pub seq: usize,
    pub kind: ProvisionKind,
    /// The numbering marker, e.g. `（三）`, `5.`, `第十条`, `专栏 7`.
    pub number: Option<String>,
    /// e.g. `5. 加大财政政策支持力度`.
    pub heading: String,
    /// Headings above this provision, outermost first.
    pub path: Vec<String>,
    /// Full text as displayed (original characters, lines rejoined).
    pub text: String,
    pub responsible_units: Vec<String>,
}

impl Provision {
    /// The folded text without its numbering marker.
    pub fn folded_body(&self) -> String {
        let folded = fold(&self.text);
        strip_marker(&folded, self.number.as_deref()).to_string()
    }

    /// The folded heading without its numbering marker.
    pub fn folded_heading(&self) -> String {
        let folded = fold(&self.heading);
        strip_marker(&folded, self.number.as_deref())
            .trim_start_matches([' ', '.', '、', ','])
            .to_string()
    }

    /// Does this provision carry policy content (not front matter)?
    pub fn is_substantive(&self) -> bool {
        self.kind != ProvisionKind::Front
    }

    /// Byte offset in `text` where the body starts: after the heading when
    /// the text opens with it and goes on (`5. 加大财政政策支持力度。…`),
    /// else after the numbering marker; the punctuation and spaces that
    /// follow are skipped.
    pub fn body_start(&self) -> usize {
        let t = self.text.as_str();
        let skip = |at: usize| {
            let rest = &t[at..];
            at + rest.len()
                - rest
                    .trim_start_matches(|c: char| {
                        c.is_whitespace()
                            || matches!(c, '。' | '．' | '.' | '，' | ',' | '：' | ':' | '、')
                    })
                    .len()
        };
        let heading = self.heading.trim();
        // Numbered items and boxes have titles; a legal article's or a
        // paragraph's heading is its first words.
        // A title names the measure in a few words (`加大财政政策支持力度`); a
        // first sentence with a comma, a semicolon or a figure states it and
        // is a clause (`对新引进的博士给予每人50万元安家补贴`).
        let short_title = {
            let bare = heading
                .strip_prefix(self.number.as_deref().unwrap_or_default())
                .unwrap_or(heading);
            bare.chars().count() <= 24
                && !bare.contains(['，', ',', '；', ';'])
                && !bare.chars().any(|c| c.is_ascii_digit())
        };
        let titled = matches!(self.kind, ProvisionKind::Item | ProvisionKind::Box)
            && short_title
            && !heading.is_empty()
            && t.starts_with(heading)
            && t[heading.len()..]
                .trim_start_matches([' ', '\u{3000}'])
                .starts_with(['。', '.', '．', '\n', '\r', '：', ':']);
        if titled {
            let at = skip(heading.len());
            let rest = &t[at..self.body_end().max(at)];
            if rest.chars().filter(|c| c.is_alphanumeric()).count()
                >= crate::text::clauses::MIN_CLAUSE_CHARS
            {
                return at;
            }
        }
        match self.number.as_deref() {
            Some(n) if !n.is_empty() && t.starts_with(n) => skip(n.len()),
            _ => 0,
        }
    }

    /// Byte offset in `text` where the body ends: before a trailing
    /// `（责任单位：…）` / `〔牵头单位：…〕` note, or before the last cell of a
    /// task-table row when that cell names the responsible units. The note
    /// is never policy content: not a clause, not a shared phrase.
    pub fn body_end(&self) -> usize {
        let t = self.text.as_str();
        if self.kind == ProvisionKind::TableRow {
            if let (Some(first), Some(tab)) = (self.responsible_units.first(), t.rfind('\t')) {
                if t[tab + 1..].contains(first.as_str()) {
                    return tab;
                }
            }
        }
        crate::text::units::unit_note_start(t).unwrap_or(t.len())
    }

    /// The provision's clauses (see [`crate::text::clauses`]): the body
    /// between [`Self::body_start`] and [`Self::body_end`] cut into
    /// sentences, numbered from 1. A task-table row's leading number cell is
    /// not a clause. Ids (`{provision_id}.{n}`) are stable while the text is.
    pub fn clauses(&self) -> Vec<Clause> {
        let mut start = self.body_start();
        let end = self.body_end().max(start);
        if self.kind == ProvisionKind::TableRow {
            // `34\t开展低效用地清理整治。` : skip a number cell.
            if let Some(tab) = self.text[start..end].find('\t') {
                let cell = self.text[start..start + tab].trim();
                if cell
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c.is_whitespace())
                {
                    start += tab + 1;
                }
            }
        }
        crate::text::clauses::split(&self.text, start..end)
            .into_iter()
            .enumerate()
            .map(|(i, range)| Clause {
                id: format!("{}.{}", self.id, i + 1),
                n: i + 1,
                range,
            })
            .collect()
    }
}

/// One clause of a provision: a sentence that states (part of) a measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// `{provision_id}.{n}`.
    pub id: String,
    /// 1-based position in the provision.
    pub n: usize,
    /// Byte range in the provision's `text`.
    pub range: std::ops::Range<usize>,
}

impl Clause {
    /// The clause's display text.
    pub fn text<'p>(&self, p: &'p Provision) -> &'p str {
        &p.text[self.range.clone()]
    }
}

pub use crate::text::units::responsible_units;

fn strip_marker<'a>(folded: &'a str, number: Option<&str>) -> &'a str {
    if let Some(n) = number {
        let n = fold(n);
        if !n.is_empty() {
            if let Some(rest) = folded.strip_prefix(n.as_str()) {
                return rest.trim_start();
            }
        }
    }
    folded
}

#[cfg(test)]
mod kind_tests {
    use super::ProvisionKind;

    #[test]
    fn a_kind_is_named_as_serde_names_it_and_parses_back() {
        for k in ProvisionKind::ALL {
            let serde = serde_json::to_value(k).unwrap();
            assert_eq!(serde.as_str(), Some(k.as_str()));
            assert_eq!(ProvisionKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProvisionKind::parse("row"), None);
    }
}
