"""Dutch for the review pages (see i18n.py): English text -> Dutch."""

NL: dict[str, str] = {}
