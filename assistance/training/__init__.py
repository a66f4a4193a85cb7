"""The trainers' workbench: learning from real conversations (no Rasa and no aiohttp in here).

    workbench.py      the one object the desk and scripts use, built from the core
    tracker.py        Rasa's `events` table, read-only (SQLAlchemy Core)
    conversations.py  a conversation as messages, answers and offers of a human
    text.py           normalised text and similarity: near-identical messages are one
    inbox.py          messages to review: misunderstood, out of scope, 👎, unsure, escalated
    nlu_files.py      the trainers' YAML files, written with ruamel.yaml's round trip
    decisions.py      a trainer's decision on a message, written and stored; the export
    reviews.py        reviews of 👎 answers and edits of the answers' text
    retrain.py        validate, train, gate: one background run at a time
    compare.py        before/after of a run
    models.py         which model runs; activations and restores
    metrics.py        the dashboard's figures and their CSV tables
    errors.py         what the workbench refuses, as codes
"""
