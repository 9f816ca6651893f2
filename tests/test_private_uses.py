"""The private names of other libraries formgen reads, each behind one small function
(formgen/documents/weasy.py, formgen/record/store.py): an upgrade that removes or changes
one fails here, naming the library and the attribute, instead of as forms whose boxes
are silently missing or readers that wait for writers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, text

from formgen.documents import layout, weasy
from formgen.record import store


def test_weasyprint_still_keeps_the_page_box_and_walks_placed_boxes() -> None:
    from weasyprint import HTML

    html = '<p>flow</p><div style="position:absolute;top:1cm" data-x="placed"><b>in</b></div>'
    page = HTML(string=html).render().pages[0]
    assert hasattr(page, "_page_box"), "WeasyPrint: Page._page_box is gone (weasy.page_box)"
    root = weasy.page_box(page)
    assert type(root).__name__ == "PageBox", f"WeasyPrint: Page._page_box is {root!r}"
    assert callable(getattr(root, "descendants", None)), "WeasyPrint: Box.descendants is gone"

    found = list(layout.boxes(root))
    tags = [getattr(box, "element_tag", None) for box in found]
    assert "p" in tags, "WeasyPrint: Box.descendants no longer walks the page"
    assert "div" in tags and "b" in tags, (
        "WeasyPrint: Box.descendants(placeholders=True) no longer enters an absolutely "
        "placed box: every form's QR code, marks and per-form parts would go unread"
    )
    div = found[tags.index("div")]  # an element's first box is its outer one
    # What formgen reads of a box (layout._rect, masters._parts_of).
    for name in ("element", "position_x", "position_y", "margin_left", "margin_top"):
        assert hasattr(div, name), f"WeasyPrint: a box no longer has {name}"
    assert div.element.attrib["data-x"] == "placed"
    assert div.border_width() > 0 and div.border_height() > 0


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
