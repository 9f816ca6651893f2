"""The private names of other libraries formgen reads, each behind one small function
(formgen/documents/weasy.py, formgen/record/store.py): an upgrade that removes or changes
one fails here, naming the library and the attribute, instead of as forms whose boxes
are silently missing or readers that wait for writers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, event, text

from formgen.documents import weasy
from formgen.record import store


def _children(box: Any) -> Iterator[Any]:
    """Every box WeasyPrint's public-looking ``children`` reach, without formgen's help."""
    yield box
    for child in getattr(box, "children", ()):
        yield from _children(child)


def test_weasyprint_still_keeps_the_page_box_and_the_placed_box() -> None:
    from weasyprint import HTML

    html = '<p>flow</p><div style="position:absolute;top:1cm" data-x="placed"><b>in</b></div>'
    page = HTML(string=html).render().pages[0]
    assert hasattr(page, "_page_box"), "WeasyPrint: Page._page_box is gone (weasy.page_box)"
    root = weasy.page_box(page)
    assert type(root).__name__ == "PageBox", f"WeasyPrint: Page._page_box is a {root!r}"

    holders = [b for b in _children(root) if type(b).__name__ == "AbsolutePlaceholder"]
    assert holders, "WeasyPrint: absolute boxes no longer stand in an AbsolutePlaceholder"
    assert all(hasattr(b, "_box") for b in holders), (
        "WeasyPrint: AbsolutePlaceholder._box is gone (weasy.placed_box)"
    )
    placed = [weasy.placed_box(b) for b in holders]
    assert [b.element.attrib.get("data-x") for b in placed] == ["placed"], (
        "WeasyPrint: AbsolutePlaceholder._box is not the placed box (weasy.placed_box)"
    )
    assert weasy.placed_box(root) is None  # any other box stands for itself


def test_sqlalchemy_still_makes_our_connection_and_calls_its_autobegin(store_url: str) -> None:
    assert hasattr(Engine, "_connection_cls"), (
        "SQLAlchemy: Engine._connection_cls is gone (store._tell_readers)"
    )
    assert callable(getattr(Connection, "_autobegin", None)), (
        "SQLAlchemy: Connection._autobegin is gone (store._Connection)"
    )
    engine = store.open_store(store_url, make_key=True)
    said: list[str] = []

    def heard(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        said.append(statement)

    event.listen(engine, "before_cursor_execute", heard)
    try:
        with engine.connect() as conn:
            assert isinstance(conn, store._Connection), (
                "SQLAlchemy: Engine._connection_cls no longer makes the connections"
            )
            conn.execute(text("SELECT 1"))  # a statement begins: a reader
        reader, said[:] = list(said), []
        with engine.begin() as conn:  # begun on purpose: a writer
            conn.execute(text("SELECT 1"))
        writer = list(said)
    finally:
        engine.dispose()
    # A writer takes the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
    # lock); a reader must not, or it would wait for every writer.
    takes_lock = ("BEGIN IMMEDIATE", "pg_advisory_xact_lock")
    assert any(lock in s for s in writer for lock in takes_lock), writer
    assert not any(lock in s for s in reader for lock in takes_lock), (
        "SQLAlchemy: Connection._autobegin is no longer how a statement begins a "
        f"transaction, so a reader took the write lock: {reader}"
    )
