"""The SQLite FTS5 peer's index build: every file under SRC into DB, one row
each, with the trigram tokenizer (benches/peers.sh, benches/build-alternating.sh).

    python3 benches/peers/fts5_load.py SRC DB
"""
import os
import sqlite3
import sys

src, db = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("create virtual table docs using fts5(path unindexed, body, tokenize='trigram')")
for root, _, files in os.walk(src):
    for f in files:
        p = os.path.join(root, f)
        c.execute("insert into docs values (?, ?)", (p, open(p, encoding='utf-8', errors='replace').read()))
c.commit()
