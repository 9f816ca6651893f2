"""Dutch for the recording pages (see i18n.py): English text -> Dutch."""

NL: dict[str, str] = {}
