"""The application core of Claud.IA, shared by every process: no Rasa and no aiohttp in here.

    settings.py       one Settings for every process, read from the environment
    files.py          operator YAML files (conf/), parsed once per change of the file
    names.py          the Rasa domain names the adapters share (slots, intents, actions)
    db/               engine factory, tables, Alembic migrations
    schedule.py       live-chat opening hours and the assistant's clock
    validation.py     what a user may type in a solicitation field
    transcripts.py    the conversation as (author, text) turns, and their labels
    votes.py          👍/👎 on FAQ answers
    handoffs/         the live chat with a human advisor: queue, messages, take, close, expiry
    solicitations/    written requests to the support: catalogue, draft, text, storage, the flow
    privacy.py        masking personal data in every process's logs
    retention.py      purge after the retention of each kind of data; erasure of a conversation
    tracker_events.py Rasa's `events` table, where retention and erasure delete conversations

The adapters over it: actions/ (Rasa action server), desk/ (advisor desk), channels/, nlg/,
policies/ and tracker_stores/ (inside the Rasa server), scripts/ (command line).
"""
