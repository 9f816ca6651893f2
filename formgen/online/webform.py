"""The declaration as a web form: the paper's own HTML (same template, same message
catalogues, so the same words) with each clause's box pair turned into a yes/no radio
pair, or, once the form is answered, into what still can be taken back. The service's
phone page puts it inside its form and hides the page furniture (marks, QR place,
lines to write on); the hash of this HTML is the version of the text a person saw.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Mapping
from html.parser import HTMLParser

from formgen.config import Config
from formgen.documents import render
from formgen.errors import RenderError
from formgen.rules import TAKE_BACK, OnlineMode
from formgen.words import N_

# The box pair as _form.html prints it (the layout reader relies on the same attributes).
_ANSWER = re.compile(
    r'<span class="answer"><span class="box" data-clause="(?P<key>[\w-]+)" '
    r'data-answer="(?P<answer>yes|no)"></span><span class="label">(?P<label>[^<]*)</span></span>'
)
_ANSWERS = re.compile(
    r'<div class="answers">\s*(?P<pair>(?:<span class="answer">.*?</span></span>\s*){2})</div>',
    re.S,
)

# A box that stands alone on paper (the child's refusal): the online form asks no such
# question yet, so it is left out there rather than shown as a box nobody can tick.
_SINGLE = re.compile(
    r'<div class="clause single" data-single="[\w-]+">\s*<div class="text">.*?</div>\s*'
    r'<div class="answers">.*?</div>\s*</div>',
    re.S,
)

STATE_WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "requested": "nog niet beantwoord",
        "given": "ja",
        "refused": "nee",
        "no_answer": "geen antwoord (geen toestemming)",
        "review": "wordt nagekeken",
        "withdrawn": "ingetrokken",
        "expired": "verlopen",
        "invalidated": "vervallen",
        "now": "Nu:",
        "keep": "Ja, zo laten",
        "take_back": "Nee, intrekken",
    },
    "en": {
        "requested": "not answered yet",
        "given": "yes",
        "refused": "no",
        "no_answer": "no answer (no consent)",
        "review": "being checked",
        "withdrawn": "withdrawn",
        "expired": "expired",
        "invalidated": "no longer valid",
        "now": "Now:",
        "keep": "Yes, keep it",
        "take_back": "No, withdraw",
    },
}


def _paper(spec: render.FormSpec, config: Config) -> str:
    """The declaration as printed, but that the page has no QR code to show: a template
    that still asks for one gets a blank image."""
    return render.form_html(spec, config, qr=lambda page: render.BLANK_PNG)


def page_html(spec: render.FormSpec, config: Config, mode: OnlineMode) -> str:
    """The declaration's HTML with radio buttons ``clause:KEY`` (values yes / no, none
    chosen) where the person may still decide."""
    paper = _SINGLE.sub("", _paper(spec, config))
    statuses = spec.context.get("statuses") or {}
    words = STATE_WORDS.get(spec.lang, STATE_WORDS["en"])

    def radios(match: re.Match[str]) -> str:
        pairs = list(_ANSWER.finditer(match["pair"]))
        key = pairs[0]["key"]
        status = statuses.get(key, "requested")
        if mode is OnlineMode.ANSWER:
            labels = {m["answer"]: m["label"] for m in pairs}
        elif mode is OnlineMode.STRICTER and status in TAKE_BACK:
            labels = {"yes": words["keep"], "no": words["take_back"]}
        else:
            return (
                f'<div class="answers state"><b>{words["now"]}</b> '
                f"{htmllib.escape(words.get(status, status))}</div>"
            )
        now = (
            ""
            if mode is OnlineMode.ANSWER
            else f'<p class="state"><b>{words["now"]}</b> {htmllib.escape(words[status])}</p>'
        )
        inputs = "".join(
            f'<span class="answer"><input type="radio" id="c-{key}-{answer}" '
            f'name="clause:{key}" value="{answer}"><label for="c-{key}-{answer}">'
            f"{label}</label></span>"
            for answer, label in labels.items()
        )
        return f'<div class="answers" role="radiogroup">{now}{inputs}</div>'

    page, pairs = _ANSWERS.subn(radios, paper)
    if pairs != len(spec.clauses):  # a faculty's template that prints its boxes otherwise
        raise RenderError(
            N_(
                "the declaration template shows {pairs} answer box pairs for {clauses} clauses: "
                "it cannot be answered online"
            ),
            pairs=pairs,
            clauses=len(spec.clauses),
        )
    return page


class _Text(HTMLParser):
    """Text of the sheets the person keeps, without the page furniture."""

    SKIP = frozenset({"formid", "foot", "qr", "qrspace", "mark"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0  # inside a skipped element
        self.stack: list[bool] = []
        self.sheets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "section" and "sheet" in classes:
            self.sheets += 1
        # The information is on sheets 1 and 2 (sheet 3 is handed in); sheet 2's heading
        # only repeats sheet 1's.
        skip = bool(classes & self.SKIP) or self.sheets not in (1, 2)
        skip = skip or (self.sheets == 2 and "head" in classes)
        if tag in ("br", "img", "input"):
            return
        self.stack.append(skip)
        self.depth += skip
        if tag in ("p", "li", "h1", "h2", "div") and not self.depth:
            self.parts.append("\n")
        if tag == "li" and not self.depth:
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "input") or not self.stack:
            return
        self.depth -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.depth and self.sheets in (1, 2):
            self.parts.append(data)


def first_page_text(spec: render.FormSpec, config: Config) -> str:
    """Pages 1 and 2 of a declaration (what the person keeps) as plain text, for an e-mail."""
    parser = _Text()
    parser.feed(_paper(spec, config))
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n\n".join(line for line in lines if line)
