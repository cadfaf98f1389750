//! Typed values of a catalog entry: the administrative [`Level`], the
//! [`Kind`] of document and the [`Date`]s. Each is written and read as the
//! string the catalog has always held, and each keeps a value the tool does
//! not know (a hand-edited catalog, `meta --level 特区`) exactly as written,
//! as [`super::Field::Other`] does for field names.

use serde::{Deserialize, Serialize};

/// Administrative level of a jurisdiction, by the names the catalog uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Level {
    National,
    Province,
    /// 北京、上海、天津、重庆.
    Municipality,
    City,
    /// A county or a city's district.
    County,
    /// A state-level 经济技术开发区 or 高新技术产业开发区.
    NationalZone,
    DevelopmentZone,
    /// A value the tool does not know, kept as written.
    Other(String),
}

impl Level {
    const NAMED: [(Level, &'static str); 7] = [
        (Level::National, "national"),
        (Level::Province, "province"),
        (Level::Municipality, "municipality"),
        (Level::City, "city"),
        (Level::County, "county"),
        (Level::NationalZone, "national-level development zone"),
        (Level::DevelopmentZone, "development zone"),
    ];
}

/// The kind of document its title names (条例, 实施方案, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Kind {
    OutlinePlan,
    ImplementationScheme,
    ActionScheme,
    ConstructionScheme,
    WorkScheme,
    ImplementationOpinions,
    GuidingOpinions,
    SeveralOpinions,
    ImplementationRules,
    SeveralMeasures,
    ActionProgram,
    AdministrativeMeasures,
    InterimMeasures,
    Plan,
    Scheme,
    Opinions,
    Measures,
    Regulation,
    Provisions,
    Decision,
    Reply,
    Approval,
    Notice,
    Law,
    /// A value the tool does not know, kept as written.
    Other(String),
}

impl Kind {
    /// Every kind the tool detects, with its word, longest first among
    /// words that end alike (实施方案 before 方案).
    pub const NAMED: [(Kind, &'static str); 24] = [
        (Kind::OutlinePlan, "规划纲要"),
        (Kind::ImplementationScheme, "实施方案"),
        (Kind::ActionScheme, "行动方案"),
        (Kind::ConstructionScheme, "建设方案"),
        (Kind::WorkScheme, "工作方案"),
        (Kind::ImplementationOpinions, "实施意见"),
        (Kind::GuidingOpinions, "指导意见"),
        (Kind::SeveralOpinions, "若干意见"),
        (Kind::ImplementationRules, "实施细则"),
        (Kind::SeveralMeasures, "若干措施"),
        (Kind::ActionProgram, "行动计划"),
        (Kind::AdministrativeMeasures, "管理办法"),
        (Kind::InterimMeasures, "暂行办法"),
        (Kind::Plan, "规划"),
        (Kind::Scheme, "方案"),
        (Kind::Opinions, "意见"),
        (Kind::Measures, "办法"),
        (Kind::Regulation, "条例"),
        (Kind::Provisions, "规定"),
        (Kind::Decision, "决定"),
        (Kind::Reply, "复函"),
        (Kind::Approval, "批复"),
        (Kind::Notice, "通知"),
        (Kind::Law, "法"),
    ];

    /// The English word a document id uses for the kind (`lyg-plan-2021`).
    pub fn slug(&self) -> &'static str {
        let k = self.as_str();
        match self {
            Kind::Regulation | Kind::Provisions | Kind::Law => "law",
            _ if k.contains("规划") => "plan",
            _ if k.contains("方案") => "scheme",
            _ if k.contains("意见") => "opinions",
            _ if k.contains("办法") || k.contains("细则") => "measures",
            _ if k.contains("计划") => "program",
            _ => "doc",
        }
    }
}

/// A date as the catalog writes it: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`,
/// or, by hand, anything else, kept as written. Ordered as written, which
/// is the calendar's order for the catalog's forms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Date(String);

impl Date {
    pub fn parse(s: &str) -> Date {
        Date(s.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first and last day the date covers; None unless it is a real
    /// date (see [`super::dates::span`]).
    pub fn span(&self) -> Option<(super::dates::Day, super::dates::Day)> {
        super::dates::span(&self.0)
    }

    /// Its first four characters, the year in the catalog's forms.
    pub fn year(&self) -> Option<&str> {
        self.0.get(..4)
    }
}

/// `parse` and `as_str` of an enum whose known values are listed in its
/// `NAMED` table and whose `Other` keeps any other as written.
macro_rules! named_value {
    ($($t:ident),*) => {$(
        impl $t {
            /// The value a catalog string names; `Other` for any other.
            pub fn parse(s: &str) -> $t {
                Self::NAMED
                    .iter()
                    .find(|(_, name)| *name == s)
                    .map(|(v, _)| v.clone())
                    .unwrap_or_else(|| $t::Other(s.to_string()))
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $t::Other(s) => s,
                    known => {
                        Self::NAMED
                            .iter()
                            .find(|(v, _)| v == known)
                            .expect("every named value is listed")
                            .1
                    }
                }
            }
        }
    )*};
}
named_value!(Level, Kind);

macro_rules! string_value {
    ($($t:ty),*) => {$(
        impl From<String> for $t {
            fn from(s: String) -> $t {
                <$t>::parse(&s)
            }
        }
        impl From<&str> for $t {
            fn from(s: &str) -> $t {
                <$t>::parse(s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_string()
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}
string_value!(Level, Kind, Date);

/// A catalog value read from text: None when the text is blank (`level =
/// ""` in a hand-edited catalog reads as no level, as it always has).
pub fn nonblank<T: From<String>>(s: &str) -> Option<T> {
    (!s.trim().is_empty()).then(|| T::from(s.to_string()))
}

/// Serde's reading of an optional value: blank is none.
pub fn deserialize_nonblank<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: From<String>,
{
    let s = Option::<String>::deserialize(d)?;
    Ok(s.as_deref().and_then(nonblank))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written_known_or_not() {
        for s in ["city", "national-level development zone", "特区", ""] {
            assert_eq!(Level::parse(s).as_str(), s);
            assert_eq!(String::from(Level::from(s.to_string())), s);
        }
        assert_eq!(Level::parse("city"), Level::City);
        assert_eq!(Level::parse("特区"), Level::Other("特区".into()));
        for (k, word) in Kind::NAMED {
            assert_eq!(Kind::parse(word), k);
            assert_eq!(k.as_str(), word);
        }
        assert_eq!(Kind::parse("公告"), Kind::Other("公告".into()));
        assert_eq!(Date::parse("2021-9").as_str(), "2021-9");
    }

    #[test]
    fn kinds_have_the_slugs_ids_use() {
        let slug = |w: &str| Kind::parse(w).slug();
        assert_eq!(slug("规划纲要"), "plan");
        assert_eq!(slug("实施方案"), "scheme");
        assert_eq!(slug("指导意见"), "opinions");
        assert_eq!(slug("实施细则"), "measures");
        assert_eq!(slug("行动计划"), "program");
        assert_eq!(slug("条例"), "law");
        assert_eq!(slug("通知"), "doc");
        assert_eq!(slug("自定"), "doc");
    }

    #[test]
    fn dates_know_their_span_and_year() {
        assert_eq!(
            Date::parse("2021-09").span().map(|s| s.0),
            Some((2021, 9, 1))
        );
        assert_eq!(Date::parse("2021-02-29").span(), None);
        assert_eq!(Date::parse("2021-02-28").year(), Some("2021"));
        assert!(Date::parse("2021-02-28") < Date::parse("2021-03"));
    }

    #[test]
    fn blank_catalog_values_are_none() {
        assert_eq!(nonblank::<Level>("  "), None);
        assert_eq!(nonblank::<Level>("city"), Some(Level::City));
    }
}
