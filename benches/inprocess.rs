//! In-process throughput benchmarks of the pipeline stages, on real text.
//!
//! Run with
//!
//! ```text
//! cargo bench --bench inprocess
//! ```
//!
//! (add `-- NAME` to run only the benchmarks whose name contains NAME). Every
//! benchmark reports its median time per iteration and throughput in bytes/s
//! (divan's `BytesCount`) of the input text it processed. The input is the
//! five seed documents in `../shared/seeds/*.txt` (233 KB of text extracted
//! from PDFs, exactly as received), or two documents of the bundled `corpus/`.
//! Set-up (reading files, warming jieba's lazily loaded dictionary, building
//! the similarity model) happens outside the measured closures.
//!
//! - `stage1_fold`: `text::fold`, the matching normalization (NFKC, lower
//!   case, spaces next to CJK removed), over each seed's raw text.
//! - `stage2_segment`: `text::segment::words`, jieba segmentation with the
//!   domain dictionary, over each seed's folded text (bytes = folded text).
//! - `stage3_parse`: `corpus::parse`, layout and provision structure, over
//!   each seed's raw text.
//! - `stage4_index`: `index::IndexDir::update` of a corpus holding the five
//!   seeds and the first 300 files of the laws bench corpus
//!   (`../shared/bench-corpus/laws`, read in place) into a fresh, empty index directory (a full build: segmentation,
//!   tantivy indexing and commit, folded texts written); bytes =
//!   `Summary::bytes`, the document text indexed. No topic classifier.
//! - `stage_classify`: `topics::topic_ids` with the built-in taxonomy (what
//!   an index build runs per provision) over every provision of the
//!   `stage4_index` corpus (seeds and 300 law files), parsed beforehand;
//!   bytes = the provisions' text.
//! - `stage5_align`: `compare::align`, the provision alignment `diff` used,
//!   of lyg-2022-32 and nt-2021-23 (seeds 002 and 003) with IDF weights over
//!   the bundled corpus (as `diff` computes them); bytes = both documents'
//!   text.
//!   (Since clause alignment, `diff` no longer uses it; `compare` does.)
//! - `stage5_align_clauses`: `compare::clauses::align_clauses`, the clause
//!   alignment `diff` uses, of the same two documents (IDF from the two and
//!   the background model).
//! - `stage5_diff_documents`: `compare::diff_documents`, the whole diff of the
//!   same two documents (clause alignment plus word diffs and figures of each
//!   link).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use policy_diff::compare::{self, SimilarityModel};
use policy_diff::corpus::{self, Corpus, Document, Provision};
use policy_diff::index::{IndexDir, Options, Topics};
use policy_diff::text::{fold, segment};
use policy_diff::topics::{topic_ids, Taxonomy};

fn main() {
    divan::main();
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seeds_dir() -> PathBuf {
    repo().join("../shared/seeds")
}

/// The seed files' paths, sorted.
fn seed_paths() -> Vec<PathBuf> {
    let dir = seeds_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no seed texts in {}", dir.display());
    paths
}

/// (file stem, raw text) of each seed.
static SEEDS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    seed_paths()
        .iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(p).unwrap())
        })
        .collect()
});

/// Each seed's folded text.
static FOLDED: LazyLock<Vec<String>> =
    LazyLock::new(|| SEEDS.iter().map(|(_, text)| fold(text)).collect());

fn bytes_of<'a>(texts: impl IntoIterator<Item = &'a str>) -> BytesCount {
    BytesCount::new(texts.into_iter().map(str::len).sum::<usize>())
}

#[divan::bench(sample_count = 50)]
fn stage1_fold(bencher: Bencher) {
    let seeds = &*SEEDS;
    bencher
        .counter(bytes_of(seeds.iter().map(|(_, t)| t.as_str())))
        .bench(|| {
            seeds
                .iter()
                .map(|(_, text)| fold(black_box(text)).len())
                .sum::<usize>()
        });
}

#[divan::bench(sample_count = 20)]
fn stage2_segment(bencher: Bencher) {
    let folded = &*FOLDED;
    // The dictionary loads on first use: load it before measuring.
    black_box(segment::words("连云港经济技术开发区"));
    bencher
        .counter(bytes_of(folded.iter().map(String::as_str)))
        .bench(|| {
            folded
                .iter()
                .map(|text| segment::words(black_box(text)).len())
                .sum::<usize>()
        });
}

#[divan::bench(sample_count = 30)]
fn stage3_parse(bencher: Bencher) {
    let seeds = &*SEEDS;
    bencher
        .counter(bytes_of(seeds.iter().map(|(_, t)| t.as_str())))
        .bench(|| {
            seeds
                .iter()
                .map(|(id, text)| corpus::parse(id, black_box(text)).0.len())
                .sum::<usize>()
        });
}

fn no_topics(_: &Provision, _: &str, _: &str) -> Vec<String> {
    vec![]
}

fn index_options() -> Options<'static> {
    Options {
        rebuild: false,
        observer: &policy_diff::app::Quiet,
        topics: Topics {
            version: "none".into(),
            classify: &no_topics,
        },
    }
}

/// A corpus in a temporary directory holding the five seeds (added the way
/// `policy-diff add` adds them).
/// Law files of the bench corpus (read in place), the first `n` by path.
fn law_paths(n: usize) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md")
                && p.file_name().is_some_and(|f| f != "_index.md")
            {
                out.push(p);
            }
        }
    }
    let mut out = vec![];
    walk(&repo().join("../shared/bench-corpus/laws"), &mut out);
    out.sort();
    out.truncate(n);
    out
}

/// A corpus of the seeds plus the first `laws` law files, in a temp dir.
fn seed_corpus(laws: usize) -> (tempfile::TempDir, Corpus) {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let mut paths = seed_paths();
    paths.extend(law_paths(laws));
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    for r in c.add_files(&paths, &Default::default()) {
        r.expect("document added");
    }
    let c = Corpus::open(&corpus_dir).unwrap();
    (dir, c)
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn stage4_index(bencher: Bencher) {
    // Enough text (~4 MB) that the build, not its fixed costs, is measured.
    let (_corpus_dir, corpus) = seed_corpus(300);
    let opts = index_options();
    // One build outside the measurement: loads jieba and gives the byte count.
    let warm = tempfile::tempdir().unwrap();
    let summary = IndexDir::new(warm.path()).update(&corpus, &opts).unwrap();
    assert_eq!(summary.added, corpus.catalog.documents.len());
    assert!(summary.bytes > 0);
    bencher
        .counter(BytesCount::new(summary.bytes))
        .with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let s = IndexDir::new(dir.path()).update(&corpus, &opts).unwrap();
            // The directory is returned so that removing it is not measured.
            (dir, s)
        });
}

#[divan::bench(sample_count = 20)]
fn stage_classify(bencher: Bencher) {
    let (_corpus_dir, corpus) = seed_corpus(300);
    let docs = corpus.documents().unwrap();
    let provisions: Vec<&Provision> = docs.iter().flat_map(|d| d.provisions.iter()).collect();
    let tax = Taxonomy::builtin();
    bencher
        .counter(bytes_of(provisions.iter().map(|p| p.text.as_str())))
        .bench(|| {
            provisions
                .iter()
                .map(|p| topic_ids(&tax, black_box(p)).len())
                .sum::<usize>()
        });
}

/// lyg-2022-32 and nt-2021-23 of the bundled corpus, and the IDF model over
/// every substantive provision of that corpus (what `diff` uses).
struct Pair {
    a: Document,
    b: Document,
    model: SimilarityModel,
}

impl Pair {
    fn load() -> Pair {
        let c = Corpus::open(&repo().join("corpus")).expect("bundled corpus opens");
        let doc = |id: &str| c.document(c.entry(id).unwrap()).unwrap();
        let docs = c.documents().unwrap();
        let all: Vec<&Provision> = docs
            .iter()
            .flat_map(|d| d.provisions.iter())
            .filter(|p| p.is_substantive())
            .collect();
        Pair {
            a: doc("lyg-2022-32"),
            b: doc("nt-2021-23"),
            model: SimilarityModel::new(&all),
        }
    }

    fn bytes(&self) -> BytesCount {
        bytes_of([self.a.text.as_str(), self.b.text.as_str()])
    }
}

fn substantive(d: &Document) -> Vec<&Provision> {
    d.provisions.iter().filter(|p| p.is_substantive()).collect()
}

#[divan::bench(sample_count = 20)]
fn stage5_align(bencher: Bencher) {
    let pair = Pair::load();
    let (pa, pb) = (substantive(&pair.a), substantive(&pair.b));
    bencher.counter(pair.bytes()).bench(|| {
        compare::align(
            &pair.model,
            black_box(&pa),
            black_box(&pb),
            compare::PAIR_THRESHOLD,
        )
    });
}

#[divan::bench(sample_count = 20)]
fn stage5_align_clauses(bencher: Bencher) {
    let pair = Pair::load();
    let (pa, pb) = (substantive(&pair.a), substantive(&pair.b));
    let settings = compare::clauses::Settings::default();
    bencher
        .counter(pair.bytes())
        .bench(|| compare::clauses::align_clauses(black_box(&pa), black_box(&pb), &settings).links);
}

#[divan::bench(sample_count = 20)]
fn stage5_diff_documents(bencher: Bencher) {
    let pair = Pair::load();
    let settings = compare::clauses::Settings::default();
    bencher
        .counter(pair.bytes())
        .bench(|| compare::diff_documents(black_box(&pair.a), black_box(&pair.b), &settings));
}
