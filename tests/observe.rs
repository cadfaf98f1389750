//! What the library reports through the caller's `Observer` while it
//! indexes: the documents indexed as steps of one piece of long work, ended
//! once (the command line draws them as a bar; the library draws nothing).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use policy_diff::app::{Observer, Progress};
use policy_diff::corpus::{Corpus, Provision};
use policy_diff::index::{IndexDir, Options, Topics};

#[derive(Default)]
struct Seen {
    started: Mutex<Vec<(String, u64, String)>>,
    steps: AtomicU64,
    finished: AtomicU64,
}

struct Recorder(Arc<Seen>);

struct Steps(Arc<Seen>);

impl Progress for Steps {
    fn advance(&self, steps: u64) {
        self.0.steps.fetch_add(steps, Ordering::SeqCst);
    }
    fn finish(&self) {
        self.0.finished.fetch_add(1, Ordering::SeqCst);
    }
}

impl Observer for Recorder {
    fn notice(&self, _line: &str) {}
    fn progress(&self, what: &str, total: u64, unit: &str) -> Option<Box<dyn Progress>> {
        let mut started = self.0.started.lock().unwrap();
        started.push((what.to_string(), total, unit.to_string()));
        Some(Box::new(Steps(self.0.clone())))
    }
}

fn no_topics(_: &Provision, _: &str, _: &str) -> Vec<String> {
    vec![]
}

#[test]
fn indexing_reports_each_document_as_a_step() {
    let dir = tempfile::tempdir().unwrap();
    let corpus =
        Corpus::open(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).unwrap();
    let documents = corpus.catalog.documents.len() as u64;
    assert!(documents >= 5);
    let seen = Arc::new(Seen::default());
    let recorder = Recorder(seen.clone());
    let options = |rebuild| Options {
        rebuild,
        observer: &recorder,
        topics: Topics {
            version: "none".into(),
            classify: &no_topics,
        },
    };
    let index = IndexDir::new(&dir.path().join("index"));
    index.update(&corpus, &options(false)).unwrap();
    assert_eq!(
        *seen.started.lock().unwrap(),
        [("indexing".to_string(), documents, "documents".to_string())]
    );
    assert_eq!(seen.steps.load(Ordering::SeqCst), documents);
    assert_eq!(seen.finished.load(Ordering::SeqCst), 1);
    // Nothing changed: no document to index, no step.
    index.update(&corpus, &options(false)).unwrap();
    assert_eq!(seen.steps.load(Ordering::SeqCst), documents);
    // A rebuild indexes every document again.
    index.update(&corpus, &options(true)).unwrap();
    assert_eq!(seen.steps.load(Ordering::SeqCst), 2 * documents);
    let finished = seen.finished.load(Ordering::SeqCst);
    assert_eq!(finished, seen.started.lock().unwrap().len() as u64);
}
