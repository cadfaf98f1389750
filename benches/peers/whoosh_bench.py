"""The peer a Python researcher would reach for: jieba's ChineseAnalyzer with Whoosh.

    whoosh_bench.py index SRC_DIR INDEX_DIR    # one Whoosh document per file
    whoosh_bench.py search INDEX_DIR QUERY [--phrase]
"""
import os
import sys

import jieba
from jieba.analyse import ChineseAnalyzer
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import QueryParser

jieba.setLogLevel(60)


def build(src, dst):
    os.makedirs(dst, exist_ok=True)
    schema = Schema(path=ID(stored=True), body=TEXT(analyzer=ChineseAnalyzer()))
    ix = index.create_in(dst, schema)
    w = ix.writer(limitmb=256, procs=1)
    for root, _, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            with open(p, encoding="utf-8", errors="replace") as fh:
                w.add_document(path=p, body=fh.read())
    w.commit()


def search(dst, q, phrase):
    ix = index.open_dir(dst)
    with ix.searcher() as s:
        text = f'"{q}"' if phrase else q
        query = QueryParser("body", ix.schema).parse(text)
        hits = s.search(query, limit=10)
        print(len(hits))


if __name__ == "__main__":
    if sys.argv[1] == "index":
        build(sys.argv[2], sys.argv[3])
    else:
        search(sys.argv[2], sys.argv[3], "--phrase" in sys.argv)
