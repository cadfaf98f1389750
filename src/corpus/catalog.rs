//! The catalog (`corpus/catalog.toml`): one entry per document with its file,
//! content hash and metadata. Values are detected from the text; a person
//! corrects one by editing it and listing the field in `manual`, which
//! detection then leaves alone. Writes are atomic (temp file + rename).

use std::path::{Path, PathBuf};

use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};

use super::meta::{Detected, Implemented};
use super::values::{self, Date, Kind, Level};
use crate::error::{Error, Result};

pub const CATALOG_FILE: &str = "catalog.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// Path of the text, relative to the corpus directory.
    pub file: String,
    /// `blake3:<hex>` of the file's bytes.
    pub hash: String,
    pub title: String,
    pub jurisdiction: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "values::deserialize_nonblank"
    )]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc_number: String,
    /// The date of the version in force: a law's latest amendment, else its
    /// adoption; a notice's date of issue.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "values::deserialize_nonblank"
    )]
    pub date: Option<Date>,
    /// A law's or regulation's adoption date (from the lines under its title).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "values::deserialize_nonblank"
    )]
    pub adopted: Option<Date>,
    /// Its latest amendment date.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "values::deserialize_nonblank"
    )]
    pub amended: Option<Date>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "values::deserialize_nonblank"
    )]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<Implemented>,
    /// Where the document came from (original file name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The original bytes when the text was extracted from another format.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub original: String,
    /// Set when the text was recognized by OCR (a scan or an image):
    /// Tesseract's mean word confidence, 0 to 100 (`"91.3"`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ocr: String,
    /// Fields set by hand; detection never overwrites them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manual: Vec<Field>,
}

/// A metadata field of an entry, by the name the catalog uses for it (in
/// `manual = ["level"]` and as the entry's key). Written and read as that
/// name; a name the tool does not know (a hand-edited catalog) is kept as
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Field {
    Title,
    Jurisdiction,
    Level,
    Issuer,
    DocNumber,
    Date,
    Adopted,
    Amended,
    Kind,
    Implements,
    Other(String),
}

impl Field {
    /// The fields detection fills, one string each, in the catalog's order.
    pub const DETECTED: [Field; 9] = [
        Field::Title,
        Field::Jurisdiction,
        Field::Level,
        Field::Issuer,
        Field::DocNumber,
        Field::Date,
        Field::Adopted,
        Field::Amended,
        Field::Kind,
    ];

    /// The fields a person may give by hand (`add` and `meta` flags), in the
    /// order `manual` lists them.
    pub const GIVEN: [Field; 7] = [
        Field::Title,
        Field::DocNumber,
        Field::Issuer,
        Field::Date,
        Field::Kind,
        Field::Jurisdiction,
        Field::Level,
    ];

    pub fn name(&self) -> &str {
        match self {
            Field::Title => "title",
            Field::Jurisdiction => "jurisdiction",
            Field::Level => "level",
            Field::Issuer => "issuer",
            Field::DocNumber => "doc_number",
            Field::Date => "date",
            Field::Adopted => "adopted",
            Field::Amended => "amended",
            Field::Kind => "kind",
            Field::Implements => "implements",
            Field::Other(name) => name,
        }
    }

    pub fn parse(name: &str) -> Field {
        match name {
            "title" => Field::Title,
            "jurisdiction" => Field::Jurisdiction,
            "level" => Field::Level,
            "issuer" => Field::Issuer,
            "doc_number" => Field::DocNumber,
            "date" => Field::Date,
            "adopted" => Field::Adopted,
            "amended" => Field::Amended,
            "kind" => Field::Kind,
            "implements" => Field::Implements,
            other => Field::Other(other.to_string()),
        }
    }
}

impl From<String> for Field {
    fn from(name: String) -> Field {
        match Field::parse(&name) {
            Field::Other(_) => Field::Other(name),
            known => known,
        }
    }
}

impl From<Field> for String {
    fn from(f: Field) -> String {
        match f {
            Field::Other(name) => name,
            known => known.name().to_string(),
        }
    }
}

/// The nine fields detection fills and the [`Field`] naming each, listed
/// once for [`Entry`] and [`Detected`] alike.
macro_rules! detected_fields {
    ($then:ident) => {
        $then! {
            title: Title,
            jurisdiction: Jurisdiction,
            level: Level,
            issuer: Issuer,
            doc_number: DocNumber,
            date: Date,
            adopted: Adopted,
            amended: Amended,
            kind: Kind
        }
    };
}

/// A value of an entry's field as text: "" when it has none.
pub trait AsText {
    fn text(&self) -> &str;
}

impl AsText for String {
    fn text(&self) -> &str {
        self
    }
}

impl<T: AsRef<str>> AsText for Option<T> {
    fn text(&self) -> &str {
        self.as_ref().map_or("", |v| v.as_ref())
    }
}

/// An entry's value made from a detected (or given) one: blank is none.
trait FromDetected<D> {
    fn from_detected(d: &D) -> Self;
}

impl FromDetected<Option<String>> for String {
    fn from_detected(d: &Option<String>) -> String {
        d.clone().unwrap_or_default()
    }
}

impl<T: AsRef<str> + Clone> FromDetected<Option<T>> for Option<T> {
    fn from_detected(d: &Option<T>) -> Option<T> {
        d.clone().filter(|v| !v.as_ref().is_empty())
    }
}

macro_rules! access {
    ($($name:ident: $variant:ident),*) => {
        impl Entry {
            /// The value of one of [`Field::DETECTED`] as text ("" when
            /// it has none); `None` for another field.
            pub fn value(&self, f: &Field) -> Option<&str> {
                match f {
                    $(Field::$variant => Some(self.$name.text()),)*
                    _ => None,
                }
            }

            /// Set field `f` (one of [`Field::DETECTED`]) to its value in
            /// `d`: none (or blank) clears it. False for another field.
            pub fn take(&mut self, f: &Field, d: &Detected) -> bool {
                match f {
                    $(Field::$variant => self.$name = FromDetected::from_detected(&d.$name),)*
                    _ => return false,
                }
                true
            }
        }

        impl Detected {
            /// [`Entry::value`] of what was detected (or given).
            pub fn value(&self, f: &Field) -> Option<&str> {
                match f {
                    $(Field::$variant => Some(self.$name.text()),)*
                    _ => None,
                }
            }

            /// Whether field `f` (one of [`Field::DETECTED`]) has a value
            /// here: detected, or given by hand (blank to clear it).
            pub fn has(&self, f: &Field) -> bool {
                match f {
                    $(Field::$variant => self.$name.is_some(),)*
                    _ => false,
                }
            }

            /// Set field `f` to its value in `o`, when `o` has one.
            pub fn take(&mut self, f: &Field, o: &Detected) {
                match f {
                    $(Field::$variant if o.$name.is_some() => self.$name = o.$name.clone(),)*
                    _ => {}
                }
            }
        }
    };
}
detected_fields!(access);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    #[serde(default, rename = "document")]
    pub documents: Vec<Entry>,
}

const HEADER: &str = "# policy-diff corpus catalog.\n\
# Metadata is detected from each document's text. To correct a value, edit it\n\
# and add the field's name to `manual` (e.g. manual = [\"level\"]) so that\n\
# detection leaves it alone; then run `policy-diff index`.\n\n";

impl Catalog {
    pub fn path(corpus: &Path) -> PathBuf {
        corpus.join(CATALOG_FILE)
    }

    /// Load the catalog; a missing file is an empty catalog.
    pub fn load(corpus: &Path) -> Result<Catalog> {
        let path = Self::path(corpus);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Catalog::default()),
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        let catalog = Catalog::parse(committed(&text)).map_err(|e| Error::Catalog {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        drop(text);
        let mut seen = std::collections::HashSet::new();
        for d in &catalog.documents {
            if !seen.insert(d.id.as_str()) {
                return Err(Error::Catalog {
                    path,
                    reason: format!("document id '{}' appears twice", d.id),
                });
            }
        }
        Ok(catalog)
    }

    /// The catalog in `text`, parsed one `[[document]]` table at a time on
    /// all cores: parsed whole, the TOML took about ten times its size in
    /// memory while it was read (43 MB at x64: ~490 MB, most of an index
    /// build's peak). The same entries as parsing it whole, which is what
    /// happens, and whose error is reported, when the tables do not parse
    /// apart, or when a split could read differently: a multi-line string
    /// (which could hold a `[[document]]` line), or anything but comments
    /// before the first table.
    pub fn parse(text: &str) -> std::result::Result<Catalog, toml::de::Error> {
        use rayon::prelude::*;
        let mut starts = vec![0];
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            if at != 0 && line.trim_end() == "[[document]]" {
                starts.push(at);
            }
            at += line.len();
        }
        starts.push(text.len());
        let plain_preamble = text[..starts[1]]
            .lines()
            .take_while(|l| l.trim_end() != "[[document]]")
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if starts.len() < 64 || !plain_preamble || text.contains("\"\"\"") || text.contains("'''") {
            return toml::from_str(text);
        }
        let tables: std::result::Result<Vec<Catalog>, _> = starts
            .par_windows(2)
            .with_min_len(256)
            .map(|w| toml::from_str::<Catalog>(&text[w[0]..w[1]]))
            .collect();
        match tables {
            Ok(tables) => Ok(Catalog {
                documents: tables.into_iter().flat_map(|t| t.documents).collect(),
            }),
            Err(_) => toml::from_str(text),
        }
    }

    pub fn to_toml(&self) -> String {
        format!(
            "{HEADER}{}",
            toml::to_string_pretty(self).expect("catalog serializes")
        )
    }

    /// Write atomically: a reader sees the old or the new catalog, never half.
    /// The file ends with its end line, so that the next `add` can append
    /// to it in place ([`append_in_place`]).
    pub fn save(&self, corpus: &Path) -> Result<()> {
        let mut text = self.to_toml();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let end = end_line(text.len());
        text.push_str(&end);
        crate::atomic::write_atomic(&Self::path(corpus), text.as_bytes())
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.documents.iter().find(|d| d.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.documents.iter().map(|d| d.id.as_str())
    }

    /// A new id, unique in this catalog, derived from the metadata:
    /// `lyg-2022-32`, `nt-2021-23`, `lyg-etdz-plan-2021`.
    /// The first of `base`, `base-2`, `base-3`, … that no entry has. The
    /// ids taken are gathered in one pass over the entries (a lookup per
    /// candidate was quadratic: 64 copies of a document in 97,000 entries).
    pub fn new_id(&self, detected: &Detected) -> String {
        new_id_among(slug(detected), self.ids())
    }
}

/// The first of `base`, `base-2`, `base-3`, … that is none of `ids` (see
/// [`Catalog::new_id`]; ids that do not start with `base` may be left out).
pub fn new_id_among<'a>(base: String, ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut base_taken = false;
    let mut taken = std::collections::HashSet::new();
    for id in ids {
        if id == base {
            base_taken = true;
        } else if let Some(n) = id
            .strip_prefix(base.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|n| n.parse::<u64>().ok().filter(|k| k.to_string() == n))
        {
            taken.insert(n);
        }
    }
    if !base_taken {
        return base;
    }
    let n = (2..).find(|n| !taken.contains(n)).expect("a free number");
    format!("{base}-{n}")
}

/// The text of a catalog file `old` (whose entries are those before `new`)
/// with the entries `new` after them: `old` unchanged (comments and all),
/// then their TOML as [`Catalog::to_toml`] writes it, so that the bytes
/// are those of the whole catalog serialized when `old` was.
pub fn append_toml(old: &str, new: &[Entry]) -> String {
    if new.is_empty() {
        return old.to_string();
    }
    let body = toml::to_string_pretty(&Catalog {
        documents: new.to_vec(),
    })
    .expect("catalog serializes");
    let kept = old.trim_end_matches('\n');
    let mut out = String::with_capacity(kept.len() + 2 + body.len());
    out.push_str(kept);
    out.push_str("\n\n");
    out.push_str(&body);
    out
}

/// The first line of the entries `add` appends to the catalog file in
/// place ([`append_in_place`]).
const APPENDED: &str = "# appended by policy-diff\n";

/// The line that ends a catalog file as policy-diff wrote it, `at` bytes
/// into it: what comes after the last such line, when it starts with
/// [`APPENDED`], is an append a crash (or a failed write) cut short, and is
/// not part of the catalog.
fn end_line(at: usize) -> String {
    format!("{END_LINE_START}{at}{END_LINE_END}")
}

/// How an [`end_line`] starts and ends.
const END_LINE_START: &str = "# end of catalog (";
const END_LINE_END: &str = " bytes before this line)\n";

/// Does the text whose last bytes are `tail` (starting `tail_at` bytes into
/// it) end with its [`end_line`]?
fn ends_whole(tail: &[u8], tail_at: usize) -> bool {
    let Some(body) = tail.strip_suffix(b"\n") else {
        return false;
    };
    let Some(start) = body.iter().rposition(|&b| b == b'\n').map(|i| i + 1) else {
        return tail_at == 0 && tail == end_line(0).as_bytes();
    };
    tail[start..] == *end_line(tail_at + start).as_bytes()
}

/// The catalog in a catalog file's text: all of it, but an append cut
/// short (the last [`APPENDED`] block, when no whole end line follows its
/// header). An append's end line is the last thing it writes, so a block
/// without one is an append a kill or a failed write cut short. The end
/// line's offset is not compared here: an edit by hand anywhere in the
/// file (a title corrected in an entry `add` appended, a field changed
/// further up) moves the end lines' offsets, and must not make an append
/// read as cut short (its entries would be dropped). Entries added by hand
/// at the end are kept: they do not start with [`APPENDED`].
pub fn committed(text: &str) -> &str {
    if ends_whole(text.as_bytes(), 0) {
        return text;
    }
    let Some(at) = text.rfind(&format!("\n{APPENDED}")) else {
        return text;
    };
    let whole = text[at..]
        .split_inclusive('\n')
        .any(|line| line.starts_with(END_LINE_START) && line.ends_with(END_LINE_END));
    if whole {
        text // the block is whole; what follows it was added by hand
    } else {
        &text[..at + 1]
    }
}

/// The bytes that append `new` to a catalog file of `at` bytes that ends
/// with a newline: [`APPENDED`], their TOML, the end line.
fn append_block(at: usize, new: &[Entry]) -> String {
    let body = toml::to_string_pretty(&Catalog {
        documents: new.to_vec(),
    })
    .expect("catalog serializes");
    let mut out = String::with_capacity(body.len() + 100);
    out.push('\n');
    out.push_str(APPENDED);
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let end = end_line(at + out.len());
    out.push_str(&end);
    out
}

/// The whole catalog file `old` (its committed part) with `new` appended,
/// ending with its end line, for [`write_atomic`].
pub fn with_appended(old: &str, new: &[Entry]) -> String {
    let mut out = committed(old).to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let block = append_block(out.len(), new);
    out.push_str(&block);
    out
}

/// Append `new` to the catalog file at `path` in place, when it is still
/// `size` bytes long, ends with its end line and has no other name (a
/// hard link) (else `Ok(false)`: the caller writes it whole). The entries and a new end line are written at
/// the end and synced: a crash before the end line is written leaves the
/// file with an append that [`committed`] drops (the catalog as it was);
/// a failed write is undone (the file cut back to `size`). The cost is that
/// of the new entries, not of the catalog.
pub fn append_in_place(path: &Path, size: u64, new: &[Entry]) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom, Write};
    if new.is_empty() {
        return Ok(false);
    }
    let Ok(mut file) = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(path)
    else {
        return Ok(false);
    };
    // A file with other names (a hard-linked copy or backup, `cp -al`)
    // is not changed in place: they would change with it.
    let linked = |m: &std::fs::Metadata| std::os::unix::fs::MetadataExt::nlink(m) > 1;
    match file.metadata() {
        Ok(m) if m.len() == size && !linked(&m) => {}
        _ => return Ok(false),
    }
    let tail_at = size.saturating_sub(160);
    let mut tail = Vec::new();
    let read = file
        .seek(SeekFrom::Start(tail_at))
        .and_then(|_| file.read_to_end(&mut tail));
    if read.is_err() || !ends_whole(&tail, tail_at as usize) {
        return Ok(false);
    }
    let block = append_block(size as usize, new);
    let written = file
        .write_all(block.as_bytes())
        .and_then(|_| file.sync_data());
    if let Err(e) = written {
        let _ = file.set_len(size).and_then(|_| file.sync_data());
        return Err(Error::io(format!("writing {}", path.display()), e));
    }
    Ok(true)
}

fn initials(s: &str) -> String {
    s.to_pinyin().flatten().map(|p| p.first_letter()).collect()
}

fn jurisdiction_slug(j: &str) -> String {
    const ZONES: [(&str, &str); 7] = [
        ("经济技术开发区", "etdz"),
        ("高新技术产业开发区", "hitech"),
        ("高新区", "hitech"),
        ("经济开发区", "edz"),
        ("开发区", "dz"),
        ("新区", "nz"),
        ("工业园区", "ip"),
    ];
    for (suffix, code) in ZONES {
        if let Some(city) = j.strip_suffix(suffix) {
            let city = initials(city.trim_end_matches('市'));
            return if city.is_empty() {
                code.to_string()
            } else {
                format!("{city}-{code}")
            };
        }
    }
    let core = j.trim_end_matches(['市', '省', '县', '区']);
    let s = initials(core);
    if s.is_empty() {
        "doc".to_string()
    } else {
        s
    }
}

pub(crate) fn slug(d: &Detected) -> String {
    // National documents are told apart by their title, not by 全国.
    let j = d
        .jurisdiction
        .as_deref()
        .filter(|j| *j != super::meta::NATIONAL)
        .map(jurisdiction_slug)
        .unwrap_or_else(|| {
            d.title
                .as_deref()
                .map(|t| initials(&t.chars().take(4).collect::<String>()))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "doc".into())
        });
    let number = d.doc_number.as_deref().and_then(|n| {
        let digits: Vec<&str> = n
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .collect();
        (digits.len() >= 2).then(|| format!("{}-{}", digits[0], digits[1]))
    });
    match number {
        Some(n) => format!("{j}-{n}"),
        None => {
            let kind = d.kind.as_ref().map(Kind::slug).unwrap_or("doc");
            match d.date.as_ref().and_then(Date::year) {
                Some(year) => format!("{j}-{kind}-{year}"),
                None => format!("{j}-{kind}"),
            }
        }
    }
}

/// The fields a document should have, which `docs --missing` checks and
/// `add` reports when detection found no value.
pub const EXPECTED_FIELDS: [&str; 6] = [
    "title",
    "doc_number",
    "issuer",
    "jurisdiction",
    "level",
    "date",
];

impl Entry {
    /// The value of one of [`EXPECTED_FIELDS`] (or `kind`, `adopted`,
    /// `amended`); `None` for another name.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.value(&Field::parse(name))
    }

    /// The [`EXPECTED_FIELDS`] that have no value, in that order.
    pub fn missing(&self) -> Vec<&'static str> {
        EXPECTED_FIELDS
            .into_iter()
            .filter(|f| self.field(f).is_some_and(|v| v.trim().is_empty()))
            .collect()
    }

    /// Was this field set by hand?
    pub fn is_manual(&self, field: &Field) -> bool {
        self.manual.contains(field)
    }

    /// Refresh the detected fields, keeping those marked manual.
    pub fn apply_detected(&mut self, d: &Detected) {
        for f in Field::DETECTED {
            if !self.is_manual(&f) {
                self.take(&f, d);
            }
        }
        if !self.is_manual(&Field::Implements) {
            self.implements = d.implements.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_parsed_table_by_table_is_the_catalog_parsed_whole() {
        let bundled =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/catalog.toml"))
                .unwrap();
        // Enough tables to be parsed apart: the bundled ones, renamed.
        let tables = bundled.find("[[document]]").unwrap();
        let mut text = bundled.clone();
        for n in 0..40 {
            text.push_str(&bundled[tables..].replace("id = \"", &format!("id = \"c{n}-")));
        }
        let whole: Catalog = toml::from_str(&text).unwrap();
        let parsed = Catalog::parse(&text).unwrap();
        assert!(parsed.documents.len() >= 64, "{}", parsed.documents.len());
        assert_eq!(parsed, whole);
        assert!(parsed.documents.iter().any(|e| !e.implements.is_empty()));
        // An error is the whole file's (its line numbers).
        let bad = format!("{text}\n[[document]]\nid = \"x\"\nid = \"y\"\n");
        assert_eq!(
            Catalog::parse(&bad).unwrap_err().to_string(),
            toml::from_str::<Catalog>(&bad).unwrap_err().to_string()
        );
        // A multi-line string holding a table's header line: parsed whole.
        let tricky = text.replacen(
            "title = \"",
            "note = \"\"\"\n[[document]]\n\"\"\"\ntitle = \"",
            1,
        );
        assert_eq!(
            Catalog::parse(&tricky).unwrap(),
            toml::from_str::<Catalog>(&tricky).unwrap()
        );
    }

    #[test]
    fn hand_written_values_are_kept_as_written_and_blanks_read_as_none() {
        let text = "[[document]]\nid = \"a\"\nfile = \"docs/a.txt\"\nhash = \"blake3:00\"\n\
                    title = \"某某条例\"\njurisdiction = \"深圳市\"\nlevel = \"特区\"\n\
                    date = \"2021年\"\namended = \"\"\nkind = \"公告\"\n\
                    manual = [\"level\", \"kind\"]\n";
        let c = Catalog::parse(text).unwrap();
        let e = &c.documents[0];
        assert_eq!(e.level, Some(Level::Other("特区".into())));
        assert_eq!(e.kind, Some(Kind::Other("公告".into())));
        assert_eq!(e.date.as_ref().map(Date::as_str), Some("2021年"));
        assert_eq!(e.date.as_ref().and_then(Date::span), None);
        assert_eq!(e.amended, None);
        let written = c.to_toml();
        for line in ["level = \"特区\"", "kind = \"公告\"", "date = \"2021年\""] {
            assert!(written.contains(line), "{line} in\n{written}");
        }
        assert!(!written.contains("amended"), "{written}");
        // Detection leaves the manual ones and fills the rest.
        let mut e = e.clone();
        e.apply_detected(&Detected {
            level: Some(Level::City),
            kind: Some(Kind::Regulation),
            date: Some(Date::parse("2021-05-01")),
            ..Default::default()
        });
        assert_eq!(e.level, Some(Level::Other("特区".into())));
        assert_eq!(e.kind, Some(Kind::Other("公告".into())));
        assert_eq!(e.value(&Field::Date), Some("2021-05-01"));
        assert_eq!(e.value(&Field::Title), Some(""));
        assert_eq!(e.value(&Field::Implements), None);
    }

    #[test]
    fn new_ids_take_the_first_free_number() {
        let nt = Detected {
            jurisdiction: Some("南通市".into()),
            doc_number: Some("通政发〔2021〕23号".into()),
            ..Default::default()
        };
        let with = |ids: &[&str]| Catalog {
            documents: ids
                .iter()
                .map(|id| Entry {
                    id: id.to_string(),
                    ..Default::default()
                })
                .collect(),
        };
        assert_eq!(with(&[]).new_id(&nt), "nt-2021-23");
        assert_eq!(with(&["nt-2021-23-2"]).new_id(&nt), "nt-2021-23");
        assert_eq!(
            with(&["nt-2021-23", "nt-2021-23-3"]).new_id(&nt),
            "nt-2021-23-2"
        );
        // Only `base-N` as the loop of lookups wrote it counts as taken.
        let many = with(&[
            "nt-2021-23",
            "nt-2021-23-2",
            "nt-2021-23-02",
            "nt-2021-23-+3",
            "nt-2021-23-x",
            "nt-2021-23-4",
            "nt-2021-23-2-2",
        ]);
        assert_eq!(many.new_id(&nt), "nt-2021-23-3");
    }

    #[test]
    fn slugs() {
        let d = |j: &str, n: Option<&str>, kind: &str, date: &str| Detected {
            jurisdiction: Some(j.into()),
            doc_number: n.map(Into::into),
            kind: Some(kind.into()),
            date: Some(date.into()),
            ..Default::default()
        };
        assert_eq!(
            slug(&d(
                "连云港市",
                Some("连政发〔2022〕32号"),
                "行动方案",
                "2022-04-02"
            )),
            "lyg-2022-32"
        );
        assert_eq!(
            slug(&d(
                "南通市",
                Some("通政发〔2021〕23号"),
                "实施方案",
                "2021-06-03"
            )),
            "nt-2021-23"
        );
        assert_eq!(
            slug(&d("连云港经济技术开发区", None, "规划纲要", "2021-09")),
            "lyg-etdz-plan-2021"
        );
    }

    #[test]
    fn national_documents_take_their_slug_from_the_title() {
        let d = Detected {
            title: Some("中华人民共和国土地管理法".into()),
            jurisdiction: Some("全国".into()),
            kind: Some("法".into()),
            date: Some("2019-08-26".into()),
            ..Default::default()
        };
        assert_eq!(slug(&d), "zhrm-law-2019");
    }

    #[test]
    fn missing_fields_in_order() {
        let e = Entry {
            title: "河南省开发区条例".into(),
            jurisdiction: "河南省".into(),
            level: Some("province".into()),
            date: Some("2010-07-30".into()),
            ..Default::default()
        };
        assert_eq!(e.missing(), vec!["doc_number", "issuer"]);
        assert_eq!(e.field("date"), Some("2010-07-30"));
        assert_eq!(e.field("colour"), None);
    }

    #[test]
    fn manual_fields_survive_detection() {
        let mut e = Entry {
            level: Some("special zone".into()),
            manual: vec![Field::Level],
            ..Default::default()
        };
        e.apply_detected(&Detected {
            level: Some("city".into()),
            title: Some("T".into()),
            ..Default::default()
        });
        assert_eq!(e.level, Some(Level::Other("special zone".into())));
        assert_eq!(e.title, "T");
    }

    #[test]
    fn manual_fields_read_and_write_as_their_names() {
        let text = "[[document]]\nid = \"a\"\nfile = \"docs/a.txt\"\nhash = \"h\"\n\
                    title = \"T\"\njurisdiction = \"J\"\n\
                    manual = [\"level\", \"doc_number\", \"implements\", \"colour\"]\n";
        let catalog: Catalog = toml::from_str(text).unwrap();
        assert_eq!(
            catalog.documents[0].manual,
            [
                Field::Level,
                Field::DocNumber,
                Field::Implements,
                Field::Other("colour".into())
            ]
        );
        // The same bytes as the names themselves, in TOML and in JSON.
        #[derive(Serialize)]
        struct Names<T> {
            manual: Vec<T>,
        }
        let names = ["level", "doc_number", "implements", "colour"].map(String::from);
        assert_eq!(
            toml::to_string(&Names {
                manual: catalog.documents[0].manual.clone()
            })
            .unwrap(),
            toml::to_string(&Names {
                manual: names.to_vec()
            })
            .unwrap()
        );
        let back: Catalog = toml::from_str(&catalog.to_toml()).unwrap();
        assert_eq!(back, catalog);
        assert_eq!(
            serde_json::to_string(&catalog.documents[0].manual).unwrap(),
            r#"["level","doc_number","implements","colour"]"#
        );
        for f in Field::DETECTED {
            assert_eq!(Field::parse(f.name()), f);
            assert!(Entry::default().value(&f).is_some(), "{f:?}");
        }
    }

    /// A catalog saved whole, then appended to in place: every prefix of
    /// the append (a kill at any byte) reads as the catalog before it, the
    /// whole append as the catalog after it; a failed append is undone; the
    /// next writer rewrites a file with a torn tail whole, without it; and
    /// entries added by hand after the end line are kept.
    #[test]
    fn an_append_cut_short_reads_as_the_catalog_before_it() {
        let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let all = Catalog::load(&bundled).unwrap();
        let n = all.documents.len();
        assert!(n >= 3);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = Catalog::path(dir);
        let head = Catalog {
            documents: all.documents[..n - 2].to_vec(),
        };
        head.save(dir).unwrap();
        let saved = std::fs::read(&path).unwrap();
        assert!(ends_whole(&saved, 0));
        let new = &all.documents[n - 2..];
        assert!(append_in_place(&path, saved.len() as u64, new).unwrap());
        let after = std::fs::read(&path).unwrap();
        assert!(after.starts_with(&saved), "appended in place");
        assert_eq!(Catalog::load(dir).unwrap(), all);
        // The same bytes as `with_appended` writes whole.
        let whole = with_appended(std::str::from_utf8(&saved).unwrap(), new);
        assert!(whole.as_bytes() == &after[..]);
        for cut in saved.len()..after.len() {
            let torn = &after[..cut];
            let Ok(text) = std::str::from_utf8(torn) else {
                continue; // inside a character: read as bytes, not text
            };
            let parsed: Catalog =
                toml::from_str(committed(text)).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            assert_eq!(parsed, head, "cut at {cut}");
            // No writer appends after a torn tail; rewritten whole, without it.
            assert!(!ends_whole(torn, 0) || cut == saved.len());
            let rewritten = with_appended(text, new);
            assert!(ends_whole(rewritten.as_bytes(), 0), "cut at {cut}");
            let back: Catalog = toml::from_str(committed(&rewritten)).unwrap();
            assert!(back == all, "cut at {cut}");
        }
        // A file not of the size the writer read is not appended to.
        assert!(!append_in_place(&path, saved.len() as u64, new).unwrap());
        // Entries added by hand after the end line are kept (and the next
        // writer rewrites the file whole: it no longer ends with one).
        let mut hand = all.documents[0].clone();
        hand.id = "by-hand".into();
        let by_hand = format!(
            "{}\n{}",
            std::str::from_utf8(&after).unwrap(),
            toml::to_string_pretty(&Catalog {
                documents: vec![hand]
            })
            .unwrap()
        );
        assert!(!ends_whole(by_hand.as_bytes(), 0));
        assert_eq!(committed(&by_hand), by_hand);
        let parsed: Catalog = toml::from_str(committed(&by_hand)).unwrap();
        assert_eq!(parsed.documents.len(), n + 1);
        // An old catalog without end lines reads whole.
        let old = all.to_toml();
        assert_eq!(committed(&old), old);
    }

    /// An edit by hand moves the end lines' offsets: the entries of every
    /// append are still read (the next writer rewrites the file whole), and
    /// a catalog file with another name (a hard-linked copy) is not
    /// appended to in place.
    #[test]
    fn hand_edits_and_hard_links_lose_no_append() {
        let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let all = Catalog::load(&bundled).unwrap();
        let n = all.documents.len();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let path = Catalog::path(dir);
        Catalog {
            documents: all.documents[..n - 2].to_vec(),
        }
        .save(dir)
        .unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(append_in_place(&path, size, &all.documents[n - 2..n - 1]).unwrap());
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(append_in_place(&path, size, &all.documents[n - 1..]).unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        let last = &all.documents[n - 1];
        // A title corrected by hand in the last appended entry, and one
        // further up: longer, so every later offset moves.
        for title in [&last.title, &all.documents[0].title] {
            let edited = text.replacen(
                &format!("title = \"{title}\""),
                &format!("title = \"{title}（修订）\""),
                1,
            );
            assert_ne!(edited, text);
            assert!(!ends_whole(edited.as_bytes(), 0));
            let read: Catalog = toml::from_str(committed(&edited)).unwrap();
            assert_eq!(read.documents.len(), n, "no append dropped");
            std::fs::write(&path, &edited).unwrap();
            let size = edited.len() as u64;
            assert!(!append_in_place(&path, size, &all.documents[..1]).unwrap());
            let rewritten = with_appended(&edited, &[]);
            let back: Catalog = toml::from_str(committed(&rewritten)).unwrap();
            assert_eq!(back.documents.len(), n);
        }
        // A hard-linked copy: the file is left as it is.
        std::fs::write(&path, &text).unwrap();
        let link = dir.join("catalog-copy.toml");
        std::fs::hard_link(&path, &link).unwrap();
        let size = text.len() as u64;
        assert!(!append_in_place(&path, size, &all.documents[..1]).unwrap());
        assert_eq!(std::fs::read_to_string(&link).unwrap(), text);
        std::fs::remove_file(&link).unwrap();
        assert!(append_in_place(&path, size, &all.documents[..1]).unwrap());
    }

    #[test]
    fn appended_toml_is_the_whole_catalog_serialized() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let catalog = Catalog::load(&dir).unwrap();
        let n = catalog.documents.len();
        assert!(n >= 3);
        for k in 1..n {
            let head = Catalog {
                documents: catalog.documents[..k].to_vec(),
            };
            let appended = append_toml(&head.to_toml(), &catalog.documents[k..]);
            assert_eq!(appended, catalog.to_toml(), "split at {k}");
            let back: Catalog = toml::from_str(&appended).unwrap();
            assert_eq!(back, catalog);
        }
    }
}
