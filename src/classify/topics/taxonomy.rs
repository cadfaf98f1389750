//! The topic taxonomy: the built-in `data/topics.toml`, users' own files
//! (replacing or extending it), and name resolution.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::classify::matcher::{match_form, Matcher};
use crate::error::{suggest, Error, Result};
use crate::text::fold;

/// The built-in taxonomy, compiled into the binary.
pub const BUILTIN_TOML: &str = include_str!("../../../data/topics.toml");

/// The name of a corpus-local taxonomy file, picked up by [`Taxonomy::resolve_file`].
pub const CORPUS_FILE: &str = "topics.toml";

/// A weighted term or phrase of a topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// As written in the taxonomy file.
    pub text: String,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// Stable ASCII id (`talent`, `admin-reform`).
    pub id: String,
    /// Chinese label (`人才`).
    pub label: String,
    pub label_en: String,
    pub description: String,
    /// Other names users type (`financial-autonomy`, `财政自主权`).
    pub aliases: Vec<String>,
    /// Terms, heaviest first.
    pub terms: Vec<Term>,
    /// Contexts in which a term of this topic does not count (`市人才办`).
    pub exclude: Vec<String>,
}

/// Where a taxonomy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `data/topics.toml`, compiled in.
    Builtin,
    /// A user file that replaces the built-in taxonomy.
    File(PathBuf),
    /// A user file with `extends = "builtin"`: the built-in topics, with the
    /// file's topics replacing those of the same id and adding new ones.
    Extends(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Builtin => write!(f, "built-in"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Extends(p) => write!(f, "built-in extended by {}", p.display()),
        }
    }
}

/// A validated taxonomy with its terms compiled for matching.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// The taxonomy's `version` (for an extended taxonomy, `builtin+user`).
    pub version: String,
    pub source: Source,
    topics: Vec<Topic>,
    pub(crate) matcher: Matcher,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Option<String>,
    extends: Option<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default, rename = "topic")]
    topics: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    id: String,
    label: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    terms: toml::Table,
    #[serde(default)]
    exclude: Vec<String>,
}

impl Taxonomy {
    /// The built-in taxonomy (`data/topics.toml`).
    pub fn builtin() -> Taxonomy {
        static BUILTIN: OnceLock<Taxonomy> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Taxonomy::parse(BUILTIN_TOML, Path::new("<built-in>/data/topics.toml"))
                    .expect("the built-in taxonomy is valid")
            })
            .clone()
    }

    /// Read a taxonomy file (same format as `data/topics.toml`). A file with
    /// `extends = "builtin"` adds to the built-in taxonomy; any other file
    /// replaces it. Problems are user errors naming the file.
    pub fn load(path: &Path) -> Result<Taxonomy> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(path, format!("cannot read topic taxonomy: {e}")))?;
        Taxonomy::parse(&text, path)
    }

    /// The taxonomy to use for a corpus: `explicit` if given, else
    /// `<corpus_dir>/topics.toml` if it exists, else the built-in one.
    pub fn resolve_file(corpus_dir: &Path, explicit: Option<&Path>) -> Result<Taxonomy> {
        match Taxonomy::source_file(corpus_dir, explicit) {
            Some(p) => Taxonomy::load(&p),
            None => Ok(Taxonomy::builtin()),
        }
    }

    /// The file [`resolve_file`](Self::resolve_file) reads: `explicit` if
    /// given, else `<corpus_dir>/topics.toml` if it exists; `None` for the
    /// built-in taxonomy.
    pub fn source_file(corpus_dir: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        let local = corpus_dir.join(CORPUS_FILE);
        local.is_file().then_some(local)
    }

    /// Parse taxonomy text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Taxonomy> {
        let bad = |reason: String| Error::input(path, reason);
        let raw: RawFile =
            toml::from_str(text).map_err(|e| bad(format!("invalid topic taxonomy: {e}")))?;
        let mut own = Vec::with_capacity(raw.topics.len());
        for t in raw.topics {
            own.push(topic_from_raw(t).map_err(&bad)?);
        }
        let is_builtin = path.starts_with("<built-in>");
        let (version, source, topics) = match raw.extends.as_deref() {
            None => {
                if !raw.remove.is_empty() {
                    return Err(bad("`remove` needs `extends = \"builtin\"`".into()));
                }
                let version = raw
                    .version
                    .unwrap_or_else(|| format!("file-{}", short_hash(text)));
                let source = if is_builtin {
                    Source::Builtin
                } else {
                    Source::File(path.to_path_buf())
                };
                (version, source, own)
            }
            Some("builtin") => {
                let base = Taxonomy::builtin();
                let topics = crate::classify::extend(base.topics, &raw.remove, own, |t| &t.id)
                    .map_err(|r| bad(format!("`remove`: no built-in topic '{r}'")))?;
                let user = raw
                    .version
                    .unwrap_or_else(|| format!("file-{}", short_hash(text)));
                (
                    format!("{}+{user}", base.version),
                    Source::Extends(path.to_path_buf()),
                    topics,
                )
            }
            Some(other) => {
                return Err(bad(format!(
                    "`extends = \"{other}\"`: only \"builtin\" can be extended"
                )))
            }
        };
        if topics.is_empty() {
            return Err(bad("the taxonomy has no topics".into()));
        }
        check_names(&topics).map_err(bad)?;
        let matcher = compile(&topics);
        Ok(Taxonomy {
            version,
            source,
            topics,
            matcher,
        })
    }

    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The topic with this exact id.
    pub fn get(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// A topic by id, Chinese label, English label or alias (full-width,
    /// case and spacing do not matter). Unknown names are user errors with
    /// suggestions.
    pub fn resolve(&self, name: &str) -> Result<&Topic> {
        if let Some(t) = self.get(name) {
            return Ok(t);
        }
        let key = fold(name.trim());
        let found = self
            .topics
            .iter()
            .find(|t| names_of(t).any(|n| fold(n) == key));
        found.ok_or_else(|| Error::Unknown {
            what: "topic",
            name: name.to_string(),
            suggestions: suggest(
                name,
                self.topics
                    .iter()
                    .flat_map(|t| [t.id.as_str(), t.label.as_str()]),
            ),
        })
    }

    /// Changes whenever classification results could change: the taxonomy
    /// content, the scoring rules or the matching normalization. Use it to
    /// version anything that stores topic assignments (the index).
    pub fn fingerprint(&self) -> String {
        let content = serde_json::to_string(&self.topics).expect("topics serialize");
        let hash = blake3::hash(
            format!(
                "{content}|threshold={}|scoring={}|fold={}",
                super::THRESHOLD,
                super::SCORING_VERSION,
                crate::text::normalize::FOLD_VERSION
            )
            .as_bytes(),
        );
        format!("topics-{}-{}", self.version, &hash.to_hex()[..12])
    }
}

/// Every name a topic answers to.
fn names_of(t: &Topic) -> impl Iterator<Item = &str> {
    [t.id.as_str(), t.label.as_str(), t.label_en.as_str()]
        .into_iter()
        .chain(t.aliases.iter().map(String::as_str))
        .filter(|n| !n.is_empty())
}

fn short_hash(text: &str) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..8].to_string()
}

fn topic_from_raw(t: RawTopic) -> std::result::Result<Topic, String> {
    let id = t.id.trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(format!(
            "topic id '{id}': use lower-case ASCII letters, digits and '-'"
        ));
    }
    if t.label.trim().is_empty() {
        return Err(format!("topic '{id}': empty label"));
    }
    let mut terms = Vec::with_capacity(t.terms.len());
    for (text, value) in t.terms {
        let weight = match value {
            toml::Value::Float(f) => f,
            toml::Value::Integer(i) => i as f64,
            _ => {
                return Err(format!(
                    "topic '{id}': term '{text}' needs a number as its weight"
                ))
            }
        };
        if !(weight.is_finite() && weight > 0.0) {
            return Err(format!(
                "topic '{id}': term '{text}' has weight {weight}; weights are positive numbers"
            ));
        }
        if match_form(&text).is_empty() {
            return Err(format!("topic '{id}': empty term"));
        }
        terms.push(Term { text, weight });
    }
    if terms.is_empty() {
        return Err(format!("topic '{id}': no terms"));
    }
    terms.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.text.cmp(&b.text)));
    Ok(Topic {
        id,
        label: t.label.trim().to_string(),
        label_en: t.label_en.trim().to_string(),
        description: t.description.trim().to_string(),
        aliases: t.aliases,
        terms,
        exclude: t
            .exclude
            .into_iter()
            .filter(|e| !match_form(e).is_empty())
            .collect(),
    })
}

/// Ids unique; no name (id, label, alias) shared by two topics.
fn check_names(topics: &[Topic]) -> std::result::Result<(), String> {
    let mut ids = HashSet::new();
    for t in topics {
        if !ids.insert(t.id.as_str()) {
            return Err(format!("topic id '{}' appears twice", t.id));
        }
    }
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for t in topics {
        for n in names_of(t) {
            if let Some(other) = owner.insert(fold(n), &t.id) {
                if other != t.id {
                    return Err(format!(
                        "the name '{n}' belongs to both '{other}' and '{}'",
                        t.id
                    ));
                }
            }
        }
    }
    Ok(())
}

fn compile(topics: &[Topic]) -> Matcher {
    Matcher::of_classes(topics.iter().map(|t| {
        (
            t.terms.iter().map(|x| (x.text.as_str(), x.weight)),
            t.exclude.iter().map(String::as_str),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_has_the_required_topics() {
        let t = Taxonomy::builtin();
        assert_eq!(t.source, Source::Builtin);
        assert!(!t.version.is_empty());
        for id in [
            "talent",
            "land",
            "fiscal",
            "finance",
            "investment",
            "innovation",
            "opening",
            "admin-reform",
            "industry",
            "green",
            "safety",
            "infrastructure",
            "evaluation",
        ] {
            let topic = t.get(id).unwrap_or_else(|| panic!("no topic {id}"));
            assert!(!topic.label.is_empty() && !topic.label_en.is_empty());
            assert!(!topic.description.is_empty(), "{id} has no description");
        }
        let fiscal = t.get("fiscal").unwrap();
        for term in [
            "一级财政",
            "独立核算",
            "财税分成",
            "财政预算管理",
            "财政资金",
            "税收",
            "财政自主权",
        ] {
            assert!(
                fiscal.terms.iter().any(|x| x.text == term),
                "fiscal lacks {term}"
            );
        }
    }

    #[test]
    fn resolves_ids_labels_and_aliases() {
        let t = Taxonomy::builtin();
        for (name, id) in [
            ("talent", "talent"),
            ("人才", "talent"),
            ("financial-autonomy", "fiscal"),
            ("财政自主权", "fiscal"),
            ("Financial-Autonomy", "fiscal"),
            ("ｌａｎｄ", "land"),
            ("admin-reform", "admin-reform"),
        ] {
            assert_eq!(t.resolve(name).unwrap().id, id, "resolving {name}");
        }
        match t.resolve("talnet") {
            Err(Error::Unknown {
                what,
                name,
                suggestions,
            }) => {
                assert_eq!(what, "topic");
                assert_eq!(name, "talnet");
                assert_eq!(suggestions.first().map(String::as_str), Some("talent"));
            }
            other => panic!("expected Unknown, got {other:?}"),
        }
        assert!(t.resolve("人材").is_err());
    }

    #[test]
    fn user_files_replace_or_extend() {
        let p = Path::new("my-topics.toml");
        let own = Taxonomy::parse(
            r#"
version = "mine-1"
[[topic]]
id = "ports"
label = "港口"
[topic.terms]
"港口" = 2
"#,
            p,
        )
        .unwrap();
        assert_eq!(own.topics().len(), 1);
        assert_eq!(own.version, "mine-1");
        assert_eq!(own.source, Source::File(p.to_path_buf()));

        let ext = Taxonomy::parse(
            r#"
extends = "builtin"
remove = ["safety"]
[[topic]]
id = "talent"
label = "人才"
aliases = ["人才工作"]
[topic.terms]
"人才" = 1.0
[[topic]]
id = "ports"
label = "港口"
[topic.terms]
"港口" = 2.0
"#,
            p,
        )
        .unwrap();
        let builtin = Taxonomy::builtin();
        assert_eq!(ext.topics().len(), builtin.topics().len());
        assert!(ext.get("safety").is_none());
        assert_eq!(ext.get("talent").unwrap().terms.len(), 1);
        assert_eq!(ext.resolve("港口").unwrap().id, "ports");
        assert!(ext
            .version
            .starts_with(&format!("{}+file-", builtin.version)));
        assert_ne!(ext.fingerprint(), builtin.fingerprint());
    }

    #[test]
    fn bad_files_are_user_errors_naming_the_file() {
        let p = Path::new("bad-topics.toml");
        for (text, needle) in [
            ("[[topic]]\nid = \"x\"\nlabel = \"X\"\n", "no terms"),
            ("[[topic]]\nid = \"Bad Id\"\nlabel = \"X\"\n[topic.terms]\n\"x\" = 1\n", "lower-case"),
            ("[[topic]]\nid = \"x\"\nlabel = \"X\"\n[topic.terms]\n\"x\" = -1\n", "positive"),
            ("[[topic]]\nid = \"x\"\nlabel = \"X\"\nterm = 3\n", "invalid topic taxonomy"),
            ("extends = \"other\"\n", "only \"builtin\""),
            ("extends = \"builtin\"\nremove = [\"tallent\"]\n", "no built-in topic 'tallent'"),
            (
                "extends = \"builtin\"\n[[topic]]\nid = \"ports\"\nlabel = \"人才\"\n[topic.terms]\n\"港口\" = 1\n",
                "belongs to both",
            ),
            ("version = \"1\"\n", "no topics"),
        ] {
            let e = Taxonomy::parse(text, p).unwrap_err();
            assert!(e.is_user_error());
            let msg = e.to_string();
            assert!(msg.contains("bad-topics.toml"), "{msg}");
            assert!(msg.contains(needle), "{msg} should mention {needle}");
        }
        let missing = Taxonomy::load(Path::new("/nonexistent/topics.toml")).unwrap_err();
        assert!(missing.is_user_error());
        assert!(missing.to_string().contains("/nonexistent/topics.toml"));
    }

    #[test]
    fn resolve_file_prefers_explicit_then_corpus_then_builtin() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Taxonomy::resolve_file(dir.path(), None).unwrap().source,
            Source::Builtin
        );
        let local = dir.path().join(CORPUS_FILE);
        std::fs::write(&local, "extends = \"builtin\"\nversion = \"local\"\n").unwrap();
        let t = Taxonomy::resolve_file(dir.path(), None).unwrap();
        assert_eq!(t.source, Source::Extends(local.clone()));
        let other = dir.path().join("other.toml");
        std::fs::write(
            &other,
            "[[topic]]\nid = \"ports\"\nlabel = \"港口\"\n[topic.terms]\n\"港口\" = 1\n",
        )
        .unwrap();
        let t = Taxonomy::resolve_file(dir.path(), Some(&other)).unwrap();
        assert_eq!(t.source, Source::File(other));
        assert_eq!(t.topics().len(), 1);
    }
}
