"""Every refusal a person can see carries a message ID: the library's errors are raised
with an ``N_("... {name} ...")`` literal and its parameters (or a line made ahead that
carries one), never with an English f-string, so a page can say it in its own language.
The check reads formgen's source (AST); a Dutch page then shows converted refusals in
Dutch."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import formgen
from formgen import words
from formgen.errors import ConfigError, RecordError, StoreError, checked
from formgen.words import LOCALE_DIR

PACKAGE = Path(formgen.__file__).resolve().parent
ROOT_ERROR = "FormgenError"
# Rules whose ValueError a caller turns into the library's refusal (errors.checked,
# RecordError.of) or shows as a scan's reason: their messages are message IDs too.
RULE_ERRORS = {"ValueError", "TransitionError", "FormIdError"}
RULE_MODULES = ("rules/", "documents/formid.py")
# A refusal joined from refusals already said in the page's language (one per upload or
# pasted line): the page made it, nothing is left to translate.
ALREADY_SAID = {
    ("web/document_pages.py", "said(request, b) for b in bad"),
    ("web/participant_pages.py", "problem=said(request, problem)"),
}


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    code: str
    message: str | None  # the message ID, when the check could read it

    def __str__(self) -> str:
        return f"formgen/{self.path}:{self.line}: {self.code[:160]}"


@cache
def sources() -> dict[str, ast.Module]:
    return {
        path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@cache
def error_classes() -> frozenset[str]:
    """FormgenError and every class of formgen that derives from it."""
    found = {ROOT_ERROR}
    grew = True
    while grew:
        grew = False
        for tree in sources().values():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in found
                    and {_name(base) for base in node.bases} & found
                ):
                    found.add(node.name)
                    grew = True
    return frozenset(found)


def _literal(node: ast.AST) -> str | None:
    """The message ID of ``N_("...")``."""
    if (
        isinstance(node, ast.Call)
        and _name(node.func) == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


@cache
def constants() -> dict[str, str]:
    """Module-level ``NAME = N_("...")`` anywhere in formgen."""
    found = {}
    for tree in sources().values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and (text := _literal(node.value)) is not None:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = text
    return found


def fields(message: str) -> set[str]:
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(message)
        if name is not None
    }


def _with_params(call: ast.Call, message: str) -> bool:
    """``N_`` literal and keywords agree: every placeholder has its parameter."""
    if any(keyword.arg is None for keyword in call.keywords):
        return False
    return fields(message) == {keyword.arg for keyword in call.keywords}


@cache
def message_functions() -> frozenset[str]:
    """Functions of formgen that only ever return a message ID (or None): ``N_``
    literals, ``Message(N_(...), ...)`` lines, their constants or each other."""
    functions = {
        node.name: node
        for tree in sources().values()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    known: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, function in functions.items():
            returns = [
                node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Return)
                and not _inner(function, node)
                and node.value is not None
            ]
            if name in known or not returns:
                continue
            if all(_said(value, known) for value in returns):
                known.add(name)
                grew = True
    return frozenset(known)


def _inner(function: ast.FunctionDef, node: ast.AST) -> bool:
    """``node`` belongs to a function defined inside ``function``."""
    for inner in ast.walk(function):
        if (
            inner is not function
            and isinstance(inner, ast.FunctionDef | ast.Lambda)
            and any(child is node for child in ast.walk(inner))
        ):
            return True
    return False


def _said(node: ast.AST, functions: set[str] | frozenset[str]) -> bool:
    """``node`` is a message with its ID: a literal, a constant, a Message, a message
    function's answer, or None."""
    if isinstance(node, ast.Constant) and node.value is None:
        return True
    if (message := _literal(node)) is not None:
        return not fields(message)
    if isinstance(node, ast.Name | ast.Attribute) and _name(node) in constants():
        return not fields(constants()[_name(node) or ""])
    if isinstance(node, ast.Call) and _name(node.func) == "Message" and node.args:
        message = _literal(node.args[0])
        return message is not None and _with_params(node, message)
    return isinstance(node, ast.Call) and _name(node.func) in functions


def _assigned(scope: ast.AST, name: str) -> list[ast.AST]:
    """What ``name`` is bound to in ``scope`` (assignments and walrus)."""
    found: list[ast.AST] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.NamedExpr) and node.target.id == name:
            found.append(node.value)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            found.append(node.value)
    return found


def carries_id(call: ast.Call, scope: ast.AST) -> tuple[bool, str | None]:
    """Whether an error's construction carries a message ID (and which, if literal)."""
    if not call.args:
        return True, None
    first = call.args[0]
    if (message := _literal(first)) is not None:
        return _with_params(call, message), message
    if isinstance(first, ast.Attribute) and first.attr == "message_id":
        return True, None  # a refusal passed on with its ID and parameters
    if call.keywords:
        return False, None
    if isinstance(first, ast.Call) and _name(first.func) == "Message":
        return _said(first, message_functions()), _literal(first.args[0])
    if _said(first, message_functions()):
        return True, constants().get(_name(first) or "")
    if isinstance(first, ast.BoolOp):
        return all(
            _said(value, message_functions())
            or (isinstance(value, ast.Constant) and value.value == "")
            for value in first.values
        ), None
    if isinstance(first, ast.Name):
        bound = _assigned(scope, first.id)
        return bool(bound) and all(_said(v, message_functions()) for v in bound), None
    return False, None


def sites() -> list[tuple[Site, bool]]:
    """Every construction of a library error (and of a rule's ValueError) in formgen."""
    classes = error_classes()
    found = []
    for path, tree in sources().items():
        if path == "errors.py":
            continue  # the hierarchy itself passes messages on
        rule_module = path.startswith(RULE_MODULES)
        scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]
        inits = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Attribute)
                        and inner.func.attr == "__init__"
                    ):
                        inits.add(id(inner))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kind = _name(node.func)
            is_rule_error = rule_module and kind in RULE_ERRORS
            if not (kind in classes or id(node) in inits or is_rule_error):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr == "of":
                continue
            scope = min(
                (s for s in scopes if any(child is node for child in ast.walk(s))),
                key=lambda s: len(list(ast.walk(s))),
            )
            ok, message = carries_id(node, scope)
            if is_rule_error and ok and message is None and node.args:
                first = node.args[0]
                ok = isinstance(first, ast.Call) and _name(first.func) in ("Message", "N_")
            code = ast.unparse(node)
            if any(path == where and snippet in code for where, snippet in ALREADY_SAID):
                ok = True
            found.append((Site(path, node.lineno, code, message), ok))
    return found


def test_every_library_error_carries_a_message_id():
    found = sites()
    assert len(found) > 250  # the check sees the library's refusals
    bad = [str(site) for site, ok in found if not ok]
    assert not bad, "raised without a message ID (N_ literal and parameters):\n" + "\n".join(bad)


def test_the_check_fails_on_an_english_f_string(tmp_path):
    tree = ast.parse(
        "def refuse(item, form):\n"
        "    raise RecordError(f'no review item {item!r}')\n"
        "def refuse_half(item):\n"
        "    raise RecordError(N_('no review item {item!r} in {form}'), item=item)\n"
        "def refuse_well(item):\n"
        "    raise RecordError(N_('no review item {item!r}'), item=item)\n"
    )
    calls = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n.func) == "RecordError"
    ]
    verdicts = [carries_id(call, tree)[0] for call in calls]
    assert verdicts == [False, False, True]


@cache
def dutch() -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / "nl" / "LC_MESSAGES" / "service.po"
    with path.open("rb") as file:
        catalogue = read_po(file)
    return {m.id: m.string for m in catalogue if m.id and isinstance(m.id, str)}


def test_every_refusal_has_its_dutch():
    messages = {site.message for site, _ in sites() if site.message}
    messages |= {text for text in constants().values()}
    missing = sorted(m for m in messages if not dutch().get(m))
    assert not missing, "no Dutch in service.po for:\n" + "\n".join(missing)
    wrong = sorted(m for m in messages if fields(dutch()[m]) != fields(m))
    assert not wrong, "the Dutch has other placeholders than:\n" + "\n".join(wrong)


def test_a_rules_refusal_keeps_its_message_id_through_checked():
    from formgen import rules

    with pytest.raises(RecordError) as caught:
        checked(rules.Period.parse, "two fortnights")
    assert str(caught.value) == (
        "retention 'two fortnights' is not like '4 weeks', '1 year' or '7y'"
    )
    assert words.problem(caught.value, "nl") == (
        "'two fortnights' is geen bewaartermijn: schrijf bijvoorbeeld '4 weeks', '1 year' of '7y'"
    )


def test_a_refusal_inside_a_refusal_is_said_whole():
    from formgen.record.store import _busy

    busy = StoreError(_busy())
    assert str(busy).startswith("the store is busy: another formgen process held it")
    assert words.problem(busy, "nl").startswith("de opslag is bezet")
    day = dt.date(2026, 3, 9)
    late = RecordError(formgen.rules.too_late("R-1", day))
    assert str(late).startswith("recording R-1 was made on 2026-03-09: consent cannot")
    assert "9 maart 2026" in words.problem(late, "nl")
    config = ConfigError(
        words.N_("retention.{key}: {exc}"),
        key="reflection",
        exc=ValueError(
            words.Message(
                words.N_("retention {text!r} is not like '4 weeks', '1 year' or '7y'"), text="x"
            )
        ),
    )
    assert (
        str(config) == "retention.reflection: retention 'x' is not like '4 weeks', '1 year' or '7y'"
    )
    assert "geen bewaartermijn" in words.problem(config, "nl")


def _reader_reasons() -> list[str]:
    """Every kind of reason the reader writes into the record, made by the rules that
    write them (the review queue and a job's page list show them)."""
    from formgen import rules
    from formgen.rules import BoxInk, Decision, Mark, Status, Thresholds

    t = Thresholds()
    empty, ticked = BoxInk(), BoxInk(ink=0.2, stroke_mm=20.0)
    unsure_boxes = [
        BoxInk(crease_mm2=t.crease_mm2),
        BoxInk(ring=t.ring, ring_struck=t.struck),
        BoxInk(ring=(t.ring + t.ring_unsure) / 2),
        BoxInk(stroke_mm=t.speck_mm),
        BoxInk(foreign_mm2=t.foreign_mm2),
        BoxInk(ring_struck=t.struck),
    ]
    reasons = [rules.decide_answers(box, empty, True).reason for box in unsure_boxes]
    reasons.append(rules.decide_answers(BoxInk(ink=0.6), ticked, True).reason)
    reasons.append(rules.decide_answers(empty, empty, True, pencil_lost=True).reason)
    child = rules.child_box_decision(*rules.read_box(BoxInk(stroke_mm=t.speck_mm)))
    reasons.append(child.reason if child else None)
    reasons.append(rules.classify_signature(1.0, 1.0)[1])
    reasons.append(rules.classify_signature(0.0, 0.0, 5.0)[1])  # faint on the frame line
    unclear = Decision(Status.REVIEW, reasons[0])
    for current in (Status.GIVEN, Status.REFUSED, Status.WITHDRAWN):
        for read, withdrawal in ((unclear, True), (Decision(Status.REFUSED), True),
                                 (Decision(Status.GIVEN), False)):  # fmt: skip
            reasons.append(
                rules.decide_scanned(read, current, withdrawal=withdrawal, named=True).reason
            )
    assert Mark.UNSURE  # the boxes above are each unsure for the reason it names
    return sorted({r for r in reasons if r})


def test_every_reason_of_the_reader_reads_in_dutch():
    """A reason the reader writes is English in the record and in the page's language
    on a page: each of its pieces is a message of the catalogue (or a template of
    words.REASON_TEMPLATES), so no English word is left on a Dutch page."""
    reasons = _reader_reasons()
    assert len(reasons) >= 14, reasons
    nl, en = words.translations("nl"), words.translations("en")
    english = {"the", "box", "answer", "mark", "marked", "nothing", "already", "runs", "through",
               "written", "way", "round", "only", "field", "changes", "conflicts", "given",
               "earlier", "withdrawn", "refused", "unclear", "child"}  # fmt: skip
    for text in reasons:
        dutch = words.reason(text, nl)
        assert dutch != text and not (set(re.findall(r"[a-z]+", dutch)) & english), (text, dutch)
        assert "_" not in words.reason(text, en), text  # no status is shown by its code
