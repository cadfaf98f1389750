//! What a commit records beside tantivy's segments: the payload (versions,
//! the states files, the character chunks, `texts.bin`'s committed length),
//! how it is read back, and the bytes of `texts.bin` documents refer to.

use super::*;
use tantivy::Directory;

/// A generation with the payload of its last commit, or why it cannot be
/// used (it is rebuilt).
pub(super) type Opened = std::result::Result<(Index, Payload, PathBuf), Unusable>;

/// Why there is no generation to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unusable {
    /// No generation yet (or `CURRENT` names none that exists).
    Missing,
    /// The current generation's states or character chunks are missing or
    /// damaged: why.
    Damaged(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Missing => f.write_str("there is no index yet"),
            Unusable::Damaged(why) => f.write_str(why),
        }
    }
}

/// The payload of the last commit with its states file. A states file (or
/// character chunk) removed by a concurrent writer between the reads is
/// retried with the newer commit; a generation whose states file is missing
/// or damaged, or one of whose character chunks is missing or fails the
/// cheap check (`chars::check`: truncated, overwritten), is unusable
/// (`Err(why)`: it is rebuilt). An unreadable payload reads as the
/// default, whose versions force a rebuild.
pub(super) fn load_payload(
    index: &Index,
    dir: &Path,
) -> Result<std::result::Result<Payload, String>> {
    let mut why = String::new();
    for _ in 0..3 {
        let Some(payload) = committed_payload(index)? else {
            return Ok(Ok(Payload::default()));
        };
        if payload.states.is_empty() {
            return Ok(Ok(payload));
        }
        let bad_chunk = payload.chars.iter().find_map(|c| {
            chars::check(dir, c).err().map(|_| {
                let state = if dir.join(&c.file).exists() {
                    "damaged"
                } else {
                    "missing"
                };
                format!("{} in {} is {state}", c.file, dir.display())
            })
        });
        if let Some(bad) = bad_chunk {
            why = bad;
            continue;
        }
        let path = dir.join(&payload.states);
        if let Some(len) = payload.states_len {
            // Opened now (a later writer may remove it), read when the
            // states are needed: a reader found fresh by the signals never
            // reads it. Here only its length is checked.
            let open = |name: &str, len: u64| {
                std::fs::File::open(dir.join(name))
                    .ok()
                    .filter(|f| f.metadata().is_ok_and(|m| m.len() == len))
            };
            let file = open(&payload.states, len);
            let parts: Option<Vec<std::fs::File>> = payload
                .states_parts
                .iter()
                .map(|(name, len)| open(name, *len))
                .collect();
            if let (Some(file), Some(parts)) = (file, parts) {
                return Ok(Ok(payload.with_states_files(file, parts)));
            }
            let bad = std::iter::once((&payload.states, len))
                .chain(payload.states_parts.iter().map(|(n, l)| (n, *l)))
                .find(|(n, l)| open(n, *l).is_none())
                .map_or(&payload.states, |(n, _)| n);
            why = format!("{bad} in {} is missing or damaged", dir.display());
            continue;
        }
        let loaded = std::fs::read(&path)
            .ok()
            .and_then(|bytes| payload.clone().with_states(bytes));
        match loaded {
            Some(payload) => return Ok(Ok(payload)),
            None => {
                why = format!(
                    "{} in {} is missing or damaged",
                    payload.states,
                    dir.display()
                )
            }
        }
    }
    Ok(Err(why))
}

/// The character chunks the last commit lists.
pub(super) fn committed_chunks(index: &Index) -> Result<Vec<chars::ChunkRef>> {
    Ok(committed_payload(index)?
        .map(|p| p.chars)
        .unwrap_or_default())
}

/// The payload of the last commit (`None`: none, or unreadable), read from
/// `meta.json` without the rest of it: tantivy's `load_metas` builds the
/// schema and every segment's meta, which at x64 (14 segments) cost as
/// much as opening a segment; every reading command read the payload
/// twice that way.
fn committed_payload(index: &Index) -> Result<Option<Payload>> {
    /// The one field of `meta.json` read here (serde skips the others).
    #[derive(serde::Deserialize)]
    struct Meta {
        payload: Option<String>,
    }
    let bytes = index
        .directory()
        .atomic_read(std::path::Path::new(META_FILE))
        .map_err(ierr)?;
    let meta: Meta = serde_json::from_slice(&bytes)
        .map_err(|e| Error::index(format!("reading the index's {META_FILE}: {e}")))?;
    Ok(meta
        .payload
        .and_then(|p| serde_json::from_str::<Payload>(&p).ok()))
}

/// tantivy's record of the last commit (its segments and our payload).
const META_FILE: &str = "meta.json";

/// Write the states file of `payload` into the generation directory (named
/// by its content, synced; in the catalog's order) and return the payload
/// JSON that names it: the file exists before the commit that refers to it.
pub(super) fn payload_json(dir: &Path, payload: &mut Payload, corpus: &Corpus) -> Result<String> {
    let order = corpus.catalog.documents.iter().map(|e| e.id.as_str());
    let bytes = state::encode_states(payload.documents(), order);
    let name = format!("states-{}.bin", &blake3::hash(&bytes).to_hex()[..16]);
    let path = dir.join(&name);
    if !path.is_file() {
        write_atomic(&path, &bytes, "states-")?;
    }
    payload.states = name;
    payload.states_len = Some(bytes.len() as u64);
    serde_json::to_string(payload).map_err(|e| Error::Other(e.to_string()))
}

/// Write the states of documents an update only added as a part of
/// `previous`'s states (named by its content, synced; see
/// [`Payload::states_parts`]) and return the payload JSON that names
/// `previous`'s states and parts and it.
pub(super) fn payload_json_appended(
    dir: &Path,
    payload: &mut Payload,
    previous: &Payload,
    order: &[String],
) -> Result<String> {
    let bytes = state::encode_states(payload.documents(), order.iter().map(String::as_str));
    let name = format!("states-{}.bin", &blake3::hash(&bytes).to_hex()[..16]);
    let path = dir.join(&name);
    if !path.is_file() {
        write_atomic(&path, &bytes, "states-")?;
    }
    payload.states = previous.states.clone();
    payload.states_len = previous.states_len;
    payload.states_parts = previous.states_parts.clone();
    payload.states_parts.push((name, bytes.len() as u64));
    serde_json::to_string(payload).map_err(|e| Error::Other(e.to_string()))
}

/// What to record per document after an update: the observed states, with
/// the provision counts, fingerprints and content hashes of the documents
/// just indexed (`fresh`: what was parsed) or else the provision counts of
/// what was indexed before.
pub(super) fn recorded_states(
    observed: &state::Observed,
    indexed: &std::collections::BTreeMap<String, state::DocState>,
    fresh: &std::collections::HashMap<&str, &build::Indexed>,
) -> std::collections::BTreeMap<String, state::DocState> {
    let mut documents = observed.docs.clone();
    for (id, d) in documents.iter_mut() {
        match fresh.get(id.as_str()) {
            Some(f) => {
                d.provisions = f.substantive;
                d.fingerprint.clone_from(&f.fingerprint);
                d.file_hash.clone_from(&f.file_hash);
            }
            None => d.provisions = indexed.get(id).map(|i| i.provisions).unwrap_or(0),
        }
    }
    documents
}

/// Bytes of `texts.bin` that the live provisions of documents `ids` refer
/// to (`None` if unreadable): looked up by id, so it costs what those
/// documents cost.
pub(super) fn text_bytes_of(
    index: &Index,
    doc_id: tantivy::schema::Field,
    ids: &[&String],
) -> Option<u64> {
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;
    let reader = index.reader().ok()?;
    let searcher = reader.searcher();
    let mut total = 0;
    for id in ids {
        let q = TermQuery::new(Term::from_field_text(doc_id, id), IndexRecordOption::Basic);
        let found = searcher
            .search(&q, &tantivy::collector::DocSetCollector)
            .ok()?;
        for addr in found {
            total += stored_bytes(searcher.segment_reader(addr.segment_ord))?(addr.doc_id);
        }
    }
    Some(total)
}

/// Bytes of `texts.bin` that live documents refer to (`None` if unreadable).
pub(super) fn live_text_bytes(index: &Index) -> Option<u64> {
    let reader = index.reader().ok()?;
    let searcher = reader.searcher();
    let mut live = 0;
    for segment in searcher.segment_readers() {
        let bytes = stored_bytes(segment)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                live += bytes(doc);
            }
        }
    }
    Some(live)
}

/// Bytes of `texts.bin` each document of `segment` refers to: its text,
/// and its heading when the heading was written before the text (`None` if
/// a column is unreadable).
pub(super) fn stored_bytes(
    segment: &tantivy::SegmentReader,
) -> Option<impl Fn(tantivy::DocId) -> u64> {
    let column = |name| {
        segment
            .fast_fields()
            .u64(name)
            .ok()
            .map(|c| c.first_or_default_col(0))
    };
    let (lens, heads_at, heads_len, texts_at) = (
        column(schema::TEXT_LEN)?,
        column(schema::HEAD_AT)?,
        column(schema::HEAD_LEN)?,
        column(schema::TEXT_AT)?,
    );
    Some(move |doc| {
        let heading = if heads_at.get_val(doc) < texts_at.get_val(doc) {
            heads_len.get_val(doc)
        } else {
            0
        };
        lens.get_val(doc) + heading
    })
}
