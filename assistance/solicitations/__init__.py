"""Written requests to the Chorus Pro support (« sollicitations »), prepared with the assistant.

    catalogue.py   categories, sub-categories, destinations and their fields (operator file)
    draft.py       the fields and statuses of a draft
    text.py        a draft as plain text (summary, text to paste)
    repository.py  storage: save, resume, read back by reference
    flow.py        the form as a pure function of (draft, user text)
"""
