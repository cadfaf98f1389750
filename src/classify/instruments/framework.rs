//! An instrument framework: families (供给型, 环境型, 需求型) and their
//! instruments with cue terms, read from TOML (`data/instruments/*.toml`
//! built in, or a user file that replaces or extends a built-in one).

use std::path::Path;

use serde::Deserialize;

use crate::classify::matcher::Matcher;
use crate::error::{suggest, Error, Result};

/// The built-in frameworks: (id, TOML).
pub const BUILTIN: [(&str, &str); 2] = [
    (
        "rothwell-zegveld",
        include_str!("../../../data/instruments/rothwell-zegveld.toml"),
    ),
    (
        "mcdonnell-elmore",
        include_str!("../../../data/instruments/mcdonnell-elmore.toml"),
    ),
];

/// The framework used when none is named.
pub const DEFAULT: &str = "rothwell-zegveld";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    /// `family.sub`: `supply.talent`.
    pub id: String,
    pub family: String,
    pub label: String,
    pub label_en: String,
    pub description: String,
    pub terms: Vec<(String, f64)>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub label: String,
    pub version: String,
    pub families: Vec<Family>,
    pub instruments: Vec<Instrument>,
    /// The instrument a goal or target statement is coded as
    /// (`environment.targets`); none: goals are coded by their cue terms.
    pub goal_instrument: Option<String>,
    pub(crate) matcher: Matcher,
    /// The learned layer ([`super::model`]): the built-in Rothwell &
    /// Zegveld framework's, kept by files that extend it.
    pub(crate) model: Option<&'static super::model::Model>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    id: Option<String>,
    label: Option<String>,
    version: Option<String>,
    extends: Option<String>,
    goal_instrument: Option<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    family: Vec<RawFamily>,
    #[serde(default)]
    instrument: Vec<RawInstrument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    id: String,
    label: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    id: String,
    family: String,
    label: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    terms: toml::Table,
}

impl Framework {
    /// A built-in framework by id.
    pub fn builtin(id: &str) -> Result<Framework> {
        let names = BUILTIN.iter().map(|(n, _)| *n);
        let (name, text) =
            BUILTIN
                .iter()
                .find(|(n, _)| *n == id)
                .ok_or_else(|| Error::Unknown {
                    what: "instrument framework",
                    name: id.to_string(),
                    suggestions: suggest(id, names),
                })?;
        let mut fw = Framework::parse(
            text,
            Path::new(&format!("<built-in>/data/instruments/{name}.toml")),
        )?;
        fw.model = super::model::builtin(name);
        Ok(fw)
    }

    /// A framework named by a built-in id, or a file path.
    pub fn resolve(name: Option<&str>) -> Result<Framework> {
        let name = name.unwrap_or(DEFAULT);
        if BUILTIN.iter().any(|(n, _)| *n == name) {
            return Framework::builtin(name);
        }
        let path = Path::new(name);
        if path.exists() || name.ends_with(".toml") {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::input(path, format!("cannot read instrument framework: {e}"))
            })?;
            return Framework::parse(&text, path);
        }
        Framework::builtin(name)
    }

    /// Parse framework text; `path` names it in errors, with the line of the
    /// entry at fault.
    pub fn parse(text: &str, path: &Path) -> Result<Framework> {
        let bad = |reason: String| Error::input(path, reason);
        let raw: RawFile =
            toml::from_str(text).map_err(|e| bad(format!("invalid instrument framework: {e}")))?;
        let line_of = |id: &str| -> String {
            let needle = format!("\"{id}\"");
            text.lines()
                .position(|l| l.trim_start().starts_with("id") && l.contains(&needle))
                .map_or(String::new(), |n| format!("line {}: ", n + 1))
        };
        let mut instruments = vec![];
        for r in raw.instrument {
            let mut terms = vec![];
            for (term, w) in &r.terms {
                let weight = w.as_float().or_else(|| w.as_integer().map(|i| i as f64));
                match weight {
                    Some(w) if w > 0.0 && w.is_finite() => terms.push((term.clone(), w)),
                    _ => {
                        return Err(bad(format!(
                            "{}instrument '{}': the weight of \"{term}\" must be a positive number",
                            line_of(&r.id),
                            r.id
                        )))
                    }
                }
            }
            if terms.is_empty() {
                return Err(bad(format!(
                    "{}instrument '{}' has no terms",
                    line_of(&r.id),
                    r.id
                )));
            }
            instruments.push(Instrument {
                id: r.id,
                family: r.family,
                label: r.label,
                label_en: r.label_en,
                description: r.description,
                terms,
                exclude: r.exclude,
            });
        }
        let mut families: Vec<Family> = raw
            .family
            .into_iter()
            .map(|f| Family {
                id: f.id,
                label: f.label,
                label_en: f.label_en,
                description: f.description,
            })
            .collect();
        let mut goal_instrument = raw.goal_instrument;
        let mut model = None;
        let (id, label, version) = match raw.extends.as_deref() {
            None => {
                let id = raw
                    .id
                    .ok_or_else(|| bad("the framework needs an `id`".into()))?;
                let label = raw.label.unwrap_or_else(|| id.clone());
                (id, label, raw.version.unwrap_or_else(|| "file".into()))
            }
            Some(base) => {
                let base_id = if base == "builtin" { DEFAULT } else { base };
                let base =
                    Framework::builtin(base_id).map_err(|e| bad(format!("`extends`: {e}")))?;
                goal_instrument = goal_instrument.or(base.goal_instrument);
                model = base.model;
                instruments =
                    crate::classify::extend(base.instruments, &raw.remove, instruments, |i| &i.id)
                        .map_err(|r| bad(format!("`remove`: no instrument '{r}' in {base_id}")))?;
                families = crate::classify::extend(base.families, &[], families, |f| &f.id)
                    .expect("nothing to remove");
                let user = raw.version.unwrap_or_else(|| "file".into());
                (
                    raw.id.unwrap_or(base.id),
                    raw.label.unwrap_or(base.label),
                    format!("{}+{user}", base.version),
                )
            }
        };
        if instruments.is_empty() {
            return Err(bad("the framework has no instruments".into()));
        }
        for (n, i) in instruments.iter().enumerate() {
            if instruments[..n].iter().any(|o| o.id == i.id) {
                return Err(bad(format!(
                    "{}instrument '{}' is defined twice",
                    line_of(&i.id),
                    i.id
                )));
            }
            if !families.iter().any(|f| f.id == i.family) {
                return Err(bad(format!(
                    "{}instrument '{}': family '{}' is not defined (families: {})",
                    line_of(&i.id),
                    i.id,
                    i.family,
                    families
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        if let Some(g) = &goal_instrument {
            if !instruments.iter().any(|i| &i.id == g) {
                return Err(bad(format!(
                    "`goal_instrument`: no instrument '{g}' in the framework"
                )));
            }
        }
        let matcher = compile(&instruments);
        Ok(Framework {
            id,
            label,
            version,
            families,
            instruments,
            goal_instrument,
            matcher,
            model,
        })
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    /// An instrument or a family by id or label (`supply.talent`,
    /// `人才培养与引进`, `supply`, `供给型`): the instrument ids it stands for.
    pub fn resolve_name(&self, name: &str) -> Result<Vec<String>> {
        if let Some(i) = self
            .instruments
            .iter()
            .find(|i| i.id == name || i.label == name)
        {
            return Ok(vec![i.id.clone()]);
        }
        if let Some(f) = self
            .families
            .iter()
            .find(|f| f.id == name || f.label == name)
        {
            return Ok(self
                .instruments
                .iter()
                .filter(|i| i.family == f.id)
                .map(|i| i.id.clone())
                .collect());
        }
        let names = self
            .instruments
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.families.iter().map(|f| f.id.as_str()));
        Err(Error::Unknown {
            what: "instrument",
            name: name.to_string(),
            suggestions: suggest(name, names),
        })
    }

    /// A short hash of everything coding depends on.
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        h.update(self.id.as_bytes());
        h.update(self.version.as_bytes());
        h.update(format!("{:?}", self.goal_instrument).as_bytes());
        for i in &self.instruments {
            h.update(format!("{i:?}").as_bytes());
        }
        if let Some(m) = self.model {
            h.update(m.hash.as_bytes());
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

fn compile(instruments: &[Instrument]) -> Matcher {
    Matcher::of_classes(instruments.iter().map(|i| {
        (
            i.terms.iter().map(|(t, w)| (t.as_str(), *w)),
            i.exclude.iter().map(String::as_str),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_builtin_frameworks_parse() {
        let rz = Framework::builtin("rothwell-zegveld").unwrap();
        assert_eq!(rz.families.len(), 3);
        assert_eq!(rz.instruments.len(), 15);
        let me = Framework::builtin("mcdonnell-elmore").unwrap();
        assert_eq!(me.families.len(), 4);
        assert!(matches!(
            Framework::builtin("rothwel").unwrap_err(),
            Error::Unknown { .. }
        ));
    }

    #[test]
    fn names_resolve_to_instruments_or_families() {
        let rz = Framework::builtin(DEFAULT).unwrap();
        assert_eq!(rz.resolve_name("supply.talent").unwrap(), ["supply.talent"]);
        assert_eq!(
            rz.resolve_name("人才培养与引进").unwrap(),
            ["supply.talent"]
        );
        assert_eq!(rz.resolve_name("需求型").unwrap().len(), 4);
        let e = rz.resolve_name("supply.talnet").unwrap_err().to_string();
        assert!(e.contains("did you mean supply.talent"), "{e}");
    }

    #[test]
    fn bad_files_name_the_line() {
        let text = "id = \"x\"\n[[family]]\nid = \"a\"\nlabel = \"A\"\n\n[[instrument]]\nid = \"b.one\"\nfamily = \"b\"\nlabel = \"B\"\n[instrument.terms]\n\"人才\" = 1.0\n";
        let e = Framework::parse(text, Path::new("my.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("my.toml") && e.contains("line 7") && e.contains("family 'b'"),
            "{e}"
        );
        let e = Framework::parse("id = \"x\"\n[[instrument]]\nid = 3\n", Path::new("my.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");
        let extended = "extends = \"builtin\"\nremove = [\"demand.trade\"]\n";
        let f = Framework::parse(extended, Path::new("mine.toml")).unwrap();
        assert_eq!(f.instruments.len(), 14);
        assert!(f.version.ends_with("+file"));
        assert_eq!(f.goal_instrument.as_deref(), Some("environment.targets"));
        let e = Framework::parse(
            "extends = \"builtin\"\nremove = [\"demand.trad\"]\n",
            Path::new("mine.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no instrument 'demand.trad'"), "{e}");
        let e = Framework::parse(
            "extends = \"builtin\"\ngoal_instrument = \"environment.goals\"\n",
            Path::new("mine.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("mine.toml") && e.contains("environment.goals"),
            "{e}"
        );
        assert!(Framework::builtin("mcdonnell-elmore")
            .unwrap()
            .goal_instrument
            .is_none());
    }
}
