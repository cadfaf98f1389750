"""Step 1 of the word-vector table data/word_vectors.bin as shipped: word
vectors counted from the reference collection itself (the seeds and the laws
bench corpus, the same as the background model; read there, never copied) by
PPMI and a truncated SVD. (The alternative, distilled from a multilingual
sentence-embedding model, is scripts/embed_words.py; it did less well on the
tuning part, EVALUATION.md.)

    pip install numpy scipy
    cargo run --release --example build_background -- --clauses > /tmp/clauses.txt
    python3 scripts/ppmi_vectors.py /tmp/clauses.txt /tmp/ppmi_words.npz 128
    python3 scripts/build_word_vectors.py /tmp/ppmi_words.npz data/word_vectors.bin 64 0

Contexts are the other words of the same clause; words in fewer than 3
clauses are left out; PPMI with context-distribution smoothing (0.75), then
the top DIMS (default 128) singular vectors scaled by sqrt(singular value).
"""
import sys
from collections import Counter

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds


def main():
    src, out = sys.argv[1], sys.argv[2]
    dims = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    clauses = [sorted(set(l.split())) for l in open(src, encoding="utf-8")]
    df = Counter(w for c in clauses for w in c)
    vocab = sorted(w for w, n in df.items() if n >= 3)
    index = {w: i for i, w in enumerate(vocab)}
    rows, cols = [], []
    for c in clauses:
        ids = [index[w] for w in c if w in index]
        if len(ids) < 2 or len(ids) > 200:
            continue
        ids = np.array(ids)
        r = np.repeat(ids, len(ids))
        k = np.tile(ids, len(ids))
        m = r != k
        rows.append(r[m])
        cols.append(k[m])
    r, k = np.concatenate(rows), np.concatenate(cols)
    n = len(vocab)
    co = sp.coo_matrix((np.ones(len(r), dtype=np.float64), (r, k)), shape=(n, n)).tocsr()
    total = co.sum()
    row = np.asarray(co.sum(axis=1)).ravel()
    col = np.asarray(co.sum(axis=0)).ravel() ** 0.75
    col /= col.sum()
    co = co.tocoo()
    pmi = np.log(co.data / total / (row[co.row] / total) / col[co.col])
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (co.row[keep], co.col[keep])), shape=(n, n))
    u, s, _ = svds(ppmi, k=dims, random_state=0)
    vecs = (u * np.sqrt(s)).astype(np.float32)
    np.savez(out, words=np.array(vocab), vecs=vecs)
    print(f"{out}: {n} words", file=sys.stderr)


if __name__ == "__main__":
    main()
