#!/usr/bin/env python3
"""Train the learned layer of instrument coding (src/classify/instruments/model.rs).

    cargo run --release --example instrument_features > /tmp/features.tsv
    python3 tests/eval/instruments/train_model.py /tmp/features.tsv \
        > data/instruments/rothwell-zegveld.model

Needs scikit-learn (pip install scikit-learn numpy scipy). Reads the hand
codes, the rules' codes, the model texts of the clauses and of their
headings (the context) the example prints; trains one logistic regression
per sub-type on the `tune` and `train` clauses (a clause whose text is also
a `test` or `held` clause's text is left out, so that no evaluation clause
is seen in training); chooses the weight of the context block and the
probability threshold by 5-fold cross-validation over those clauses (folds
by provision, the pair with the best family kappa; the table goes to
stderr); writes the model file to stdout. `test` and `held` are never read
beyond their texts.

The features must be computed exactly as model.rs computes them: for the
clause text and, separately, for its context, character 1-3-grams of the
model text (already folded, whitespace squeezed: no lowercasing or
whitespace handling here), sublinear TF (1 + ln tf) times smoothed IDF
(ln((1 + n) / (1 + df)) + 1), scaled to unit length (the context's block
then multiplied by its weight); then one 0/1 feature per rule code and per
rule family.
"""
import sys

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

C = 4.0  # inverse regularisation strength
MIN_DF = 2  # a gram must occur in two training clauses
NGRAMS = (1, 3)
THRESHOLDS = [round(0.30 + 0.05 * k, 2) for k in range(11)]  # 0.30 … 0.80
CONTEXT_WEIGHTS = [0.0, 0.5, 1.0, 1.5]


def read(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")][1:]
    split = lambda s: [c for c in s.split(";") if c]
    return [
        dict(part=r[0], id=r[1], gold=set(split(r[2])), rules=split(r[3]), text=r[4], context=r[5])
        for r in rows
    ]


def kappa(pairs):
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    a = sum(x for x, _ in pairs) / n
    b = sum(y for _, y in pairs) / n
    chance = a * b + (1 - a) * (1 - b)
    return 1.0 if chance >= 1 else (agree - chance) / (1 - chance)


def family(code):
    return code.split(".")[0]


def main():
    rows = read(sys.argv[1])
    evaluation = {r["text"] for r in rows if r["part"] in ("test", "held")}
    train = [r for r in rows if r["part"] in ("tune", "train") and r["text"] not in evaluation]
    labels = sorted({c for r in rows for c in r["gold"]})
    families = sorted({family(c) for c in labels})
    rule_features = labels + families

    def rule_matrix(rs):
        m = np.zeros((len(rs), len(rule_features)))
        for i, r in enumerate(rs):
            for c in r["rules"]:
                for f in (c, family(c)):
                    if f in rule_features:
                        m[i, rule_features.index(f)] = 1
        return csr_matrix(m)

    def vectorizer():
        return TfidfVectorizer(
            analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, min_df=MIN_DF, lowercase=False
        )

    def features(vec, rs, w):
        text, context = vec
        return hstack(
            [
                text.transform([r["text"] for r in rs]),
                w * context.transform([r["context"] for r in rs]),
                rule_matrix(rs),
            ]
        ).tocsr()

    def fit(rs, w):
        vec = (vectorizer(), vectorizer())
        vec[0].fit([r["text"] for r in rs])
        vec[1].fit([r["context"] for r in rs])
        x = features(vec, rs, w)
        models = []
        for label in labels:
            y = np.array([label in r["gold"] for r in rs])
            models.append(
                LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)
                if 0 < y.sum() < len(y)
                else None
            )
        return vec, models

    def probabilities(vec, models, rs, w):
        x = features(vec, rs, w)
        p = np.zeros((len(rs), len(labels)))
        for k, m in enumerate(models):
            if m is not None:
                p[:, k] = m.predict_proba(x)[:, 1]
        return p

    def family_kappa(rs, p, t):
        pairs = []
        for r, row in zip(rs, p):
            got = {family(labels[k]) for k in range(len(labels)) if row[k] >= t}
            gold = {family(c) for c in r["gold"]}
            pairs += [(f in gold, f in got) for f in families]
        return kappa(pairs)

    groups = [r["id"].rsplit(".", 1)[0] for r in train]
    scores = []
    print(f"{len(train)} training clauses, {len(labels)} labels", file=sys.stderr)
    for w in CONTEXT_WEIGHTS:
        p = np.zeros((len(train), len(labels)))
        for fit_idx, ev_idx in GroupKFold(5).split(train, groups=groups):
            vec, models = fit([train[i] for i in fit_idx], w)
            p[ev_idx] = probabilities(vec, models, [train[i] for i in ev_idx], w)
        for t in THRESHOLDS:
            k = family_kappa(train, p, t)
            scores.append((k, -w, t))
            print(
                f"  context weight {w:.1f}, threshold {t:.2f}: cross-validated family kappa {k:.3f}",
                file=sys.stderr,
            )
    best_k, neg_w, threshold = max(scores)
    w = -neg_w
    print(
        f"chosen context weight {w:.1f}, threshold {threshold:.2f} (family kappa {best_k:.3f})",
        file=sys.stderr,
    )

    vec, models = fit(train, w)
    n_text = len(vec[0].vocabulary_)
    n_grams = n_text + len(vec[1].vocabulary_)
    weight = lambda k, j: 0.0 if models[k] is None else models[k].coef_[0, j]
    fmt = lambda x: f"{x:.4g}"
    out = sys.stdout
    out.write("policy-diff-instrument-model\t1\n")
    out.write(
        f"# trained by tests/eval/instruments/train_model.py on {len(train)} hand-coded clauses "
        f"(tune.tsv, train.tsv); C={C}, min_df={MIN_DF}, grams {NGRAMS[0]}-{NGRAMS[1]}; "
        f"context weight and threshold by 5-fold cross-validation (family kappa {best_k:.3f})\n"
    )
    out.write("labels\t" + "\t".join(labels) + "\n")
    out.write(f"threshold\t{threshold}\n")
    out.write(f"ngrams\t{NGRAMS[0]}\t{NGRAMS[1]}\n")
    out.write(f"context\t{w}\n")
    out.write(
        "intercept\t"
        + "\t".join(fmt(0.0 if m is None else m.intercept_[0]) for m in models)
        + "\n"
    )
    for f, name in enumerate(rule_features):
        out.write(
            f"rule\t{name}\t" + "\t".join(fmt(weight(k, n_grams + f)) for k in range(len(labels))) + "\n"
        )
    for record, v, offset in (("gram", vec[0], 0), ("cgram", vec[1], n_text)):
        if record == "cgram" and w == 0:
            continue
        for gram, j in sorted(v.vocabulary_.items(), key=lambda kv: kv[1]):
            if "\t" in gram or "\n" in gram:
                continue
            # The context block's weights are the learned ones times w (the
            # block was scaled by w in training).
            scale = w if record == "cgram" else 1.0
            out.write(
                f"{record}\t{gram}\t{fmt(v.idf_[j])}\t"
                + "\t".join(fmt(scale * weight(k, offset + j)) for k in range(len(labels)))
                + "\n"
            )


if __name__ == "__main__":
    main()
