"""Step 2 of the word-vector table: centre, reduce and quantize the raw
vectors of step 1 (scripts/embed_words.py) into data/word_vectors.bin, the
table src/compare/clauses/semantic.rs reads.

    python3 scripts/build_word_vectors.py RAW.npz data/word_vectors.bin [DIMS] [DROP]

(shipped: /tmp/ppmi_words.npz of scripts/ppmi_vectors.py, DIMS 64, DROP 0).
The raw vectors of a sentence-embedding model share one large common
direction (any two words have cosine about 0.9): the mean is removed, the
first DROP principal components (default 1) are dropped ("all-but-the-top"),
the next DIMS (default 96) kept, and each row scaled to unit length and
stored as int8 with one float scale per row.
"""
import struct
import sys

import numpy as np


def main():
    src, out = sys.argv[1], sys.argv[2]
    dims = int(sys.argv[3]) if len(sys.argv) > 3 else 96
    drop = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    z = np.load(src)
    words, x = list(z["words"]), z["vecs"].astype(np.float64)
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    y = x @ vt[drop : drop + dims].T
    y /= np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    scale = np.abs(y).max(axis=1) / 127.0
    q = np.round(y / scale[:, None]).astype(np.int8)
    keep = [i for i, w in enumerate(words) if 0 < len(w.encode("utf-8")) < 256]
    with open(out, "wb") as f:
        f.write(b"PDWV1\n")
        f.write(struct.pack("<II", len(keep), dims))
        for i in keep:
            b = words[i].encode("utf-8")
            f.write(struct.pack("<B", len(b)) + b)
        for i in keep:
            f.write(struct.pack("<f", float(scale[i])) + q[i].tobytes())
    print(f"{out}: {len(keep)} words x {dims} dims", file=sys.stderr)


if __name__ == "__main__":
    main()
