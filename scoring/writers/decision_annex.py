"""The decision's annex rows written directly as XML (issue 19: `decision` at national scale).

docxtpl renders a template by turning the whole document.xml into Jinja code, running it
and reading the result back with several passes of regular expressions and a walk of every
table cell: for 3,321 communes (~40,000 cells) that took ~4.6 CPU-seconds, ten times the
rest of the command. The bundled template's annex is one table row repeated per commune
(and a heading row per ranking block), so it is rendered once by docxtpl with two
*specimen* rows (a heading and a commune whose every value is a marker made with a random
nonce), and those two rendered rows are then repeated in the XML, each marker replaced by
the row's text escaped for XML (``xml.sax.saxutils.escape``). The result is the same tree
docxtpl would have built (``tests/test_decision_annex.py`` compares the bytes with the
full docxtpl rendering for several documents, hostile text included), at a fraction of
the cost.

Safety: no input text is ever part of the Jinja source (the specimen values are the
markers; the rows' texts are put in after rendering, as escaped XML text), so the
decision's guarantee ("no input text becomes template code") holds as before.

Only the bundled template takes this path: an office's own template may use the rows in
ways the specimen cannot stand for (filters, conditions on values), so it is rendered by
docxtpl whole, as before. Should the specimen rows not be found as expected, the caller
renders the whole document with docxtpl too (:func:`insert_rows` returns False).
"""

from __future__ import annotations

import re
import secrets
from xml.sax.saxutils import escape

from docx.oxml.ns import qn
from lxml import etree

ROW_FIELDS = ("stt", "name", "self_assessed", "appraised", "survey", "bonus", "penalty", "total", "max",
              "index", "rank", "band")
HEADING_FIELDS = ("label",)
_XMLNS = re.compile(r'\sxmlns(?::[A-Za-z0-9_.-]+)?="[^"]*"')


def new_nonce() -> str:
    return secrets.token_hex(8)


def _marker(nonce: str, field: str) -> str:
    return f"CCHCROW{nonce}{field.upper().replace('_', '')}X"


def specimen_rows(nonce: str) -> list[dict]:
    """The two rows docxtpl renders in place of the annex: a block heading and a commune."""
    return [{"heading": True, **{field: _marker(nonce, field) for field in HEADING_FIELDS}},
            {"heading": False, **{field: _marker(nonce, field) for field in ROW_FIELDS}}]


def _row_template(tr, nonce: str, fields) -> list | None:
    """The rendered row as XML text cut at its markers: [text, field, text, field, …, text];
    None unless each field's marker is there exactly once, in the row's text (never in an
    attribute), and no other marker is."""
    if any(nonce in value for element in tr.iter() for value in element.attrib.values()):
        return None
    xml = etree.tostring(tr, encoding="unicode")
    start = xml.index(">")
    xml = _XMLNS.sub("", xml[:start]) + xml[start:]  # the document's root declares them
    names = {_marker(nonce, field): field for field in fields}
    pieces = re.split(f"(CCHCROW{nonce}[A-Z]+X)", xml)
    found = pieces[1::2]
    if sorted(found) != sorted(names):
        return None
    pieces[1::2] = [names[name] for name in found]
    return pieces


def insert_rows(document, rows: list[dict], nonce: str) -> tuple[bytes, bytes] | None:
    """Take the two specimen rows out of ``document`` (python-docx Document rendered with
    :func:`specimen_rows`), leaving a comment in their place, and return (that comment as
    serialized, the XML of ``rows``, build_context's annex rows) for :func:`splice` to put
    into the saved document.xml; None, with the document untouched, when the specimen rows
    are not found as expected.

    The rows are written as text: each row's XML is the specimen's serialization with its
    markers replaced by the escaped values (``&``, ``<``, ``>``, as lxml writes text), so the
    saved part is byte for byte what serializing the whole tree would give, without parsing
    and serializing ~14 MB of XML at 3,321 communes."""
    marked = [tr for tr in document.element.body.iter(qn("w:tr")) if f"CCHCROW{nonce}" in "".join(tr.itertext())]
    if len(marked) != 2 or marked[0].getnext() is not marked[1] or marked[1].tail or marked[0].tail:
        return None
    heading = _row_template(marked[0], nonce, HEADING_FIELDS)
    commune = _row_template(marked[1], nonce, ROW_FIELDS)
    if heading is None or commune is None:
        return None
    out = []
    for row in rows:
        pieces = heading if row.get("heading") else commune
        for position, piece in enumerate(pieces):
            out.append(escape(str(row[piece])) if position % 2 else piece)
    comment = etree.Comment(f"CCHCROWS{nonce}")
    marked[0].addprevious(comment)
    for tr in marked:
        tr.getparent().remove(tr)
    return f"<!--CCHCROWS{nonce}-->".encode(), "".join(out).encode()


def splice(part: bytes, rows: tuple[bytes, bytes]) -> bytes:
    """document.xml with the rows in place of the comment :func:`insert_rows` left."""
    marker, xml = rows
    if part.count(marker) != 1:
        raise ValueError("the decision's annex marker is not in document.xml exactly once")
    return part.replace(marker, xml, 1)
