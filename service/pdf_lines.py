"""A PDF's text with the line breaks that its layout made, not its author, joined.

A PDF holds lines placed on a page, not paragraphs: a sentence, a name or a company
that wrapped at the right margin reaches the model as two lines, and the model reads a
line break as the end of a field. A break is taken for a wrap when the word after it
would not have fitted on the line before it: that line runs to the right edge of the
text, which comes near the page's, spans at least half of it and sits right above the
next one, and neither line holds a wide gap (a right-aligned date is not a wrap). In a
narrower block of lines that start at one place (a table cell, a sidebar), the same
holds against the block's own width for a line that ends in the space a wrap leaves.
Where a line ends is read from its font's glyph widths while pypdf extracts the text,
in the same pass. Everything else stays as pypdf reads it.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from pypdf import PageObject

# pypdf's font metrics (pypdf is pinned in requirements-serve.txt); without them no
# break is joined and the text is pypdf's.
try:
    from pypdf.generic._font import Font
except ImportError:  # pragma: no cover - another pypdf release
    Font = None

# The next line's baseline lies within this many font heights below: line spacing, not
# a blank line or a paragraph gap.
MAX_LINE_ADVANCE = 1.6
# More room than this many characters between the parts of a line sets columns apart,
# as with a right-aligned date.
MAX_WORD_GAP = 3
# Text that wraps runs to within this distance of the page's right edge (1.5 inch).
MAX_RIGHT_MARGIN = 108.0
# Rounding in the producer's positions, in page units (1/72 inch).
EDGE_TOLERANCE = 1.0
# Text within this distance of a baseline sits on it.
BASELINE_TOLERANCE = 0.5


@dataclass
class _Show:
    """One text show operation (Tj or TJ) placed on the page."""

    left: float
    baseline: float
    advance: float
    trailing: float  # the advance of the spaces it ends with
    chars: int
    visible: int  # characters other than spaces
    widest_gap: float  # the widest room that its own spacing (TJ numbers) leaves
    height: float


@dataclass
class _TextState:
    font: object = None  # pypdf's Font, or None where it is unknown
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scaling: float = 100.0


@dataclass
class _Layout:
    """Where a page's text show operations start and end, read as pypdf extracts it."""

    fonts: dict
    cache: dict
    state: _TextState = field(default_factory=_TextState)
    saved: list = field(default_factory=list)
    shows: list[_Show] = field(default_factory=list)
    failed: bool = False  # an operation it could not follow: the page stays unplaced

    def visit(self, op: bytes, args: list, cm: list, tm: list) -> None:
        if self.failed:
            return
        try:
            self._follow(op, args, cm, tm)
        except Exception:  # noqa: BLE001 - odd content costs the joining, not the text
            self.failed = True

    def _follow(self, op: bytes, args: list, cm: list, tm: list) -> None:
        state = self.state
        if op == b"q":
            self.saved.append(_TextState(**vars(state)))
        elif op == b"Q" and self.saved:
            self.state = self.saved.pop()
        elif op == b"Tf" and len(args) == 2:
            state.font, state.size = self._font(args[0]), float(args[1])
        elif op in (b"Tc", b"Tw", b"Tz") and args:
            name = {b"Tc": "char_spacing", b"Tw": "word_spacing", b"Tz": "scaling"}[op]
            setattr(state, name, float(args[0]))
        elif op in (b"Tj", b"TJ") and args and state.font is not None:
            if cm[1] or cm[2] or tm[1] or tm[2]:
                return  # rotated or skewed text: left unplaced
            items = args[0] if op == b"TJ" else [args[0]]
            self.shows.append(self._show(items, cm, tm))

    def _font(self, name):
        font = self.fonts.get(name) if hasattr(self.fonts, "get") else None
        if font is None or Font is None:
            return None
        key = getattr(font, "idnum", None) or id(font)
        if key not in self.cache:
            try:
                self.cache[key] = Font.from_font_resource(font.get_object())
            except Exception:  # noqa: BLE001 - a broken font only costs the joining
                self.cache[key] = None
        return self.cache[key]

    def _show(self, items: list, cm: list, tm: list) -> _Show:
        state, font = self.state, self.state.font
        left, baseline = _origin(cm, tm)
        scale = tm[0] * cm[0] * state.scaling / 100
        advance = trailing = widest_gap = 0.0
        chars = visible = 0
        for item in items:
            if isinstance(item, (int, float)):
                room = -float(item) / 1000 * state.size * scale
                advance += room
                widest_gap = max(widest_gap, room)
                continue
            for char in _codes(font, item):
                units = (
                    font.space_width
                    if char == font.space_char
                    else font.character_widths.get(
                        char, font.character_widths["default"]
                    )
                )
                width = units / 1000 * state.size + state.char_spacing
                if char == font.space_char:
                    width += state.word_spacing
                advance += width * scale
                trailing = trailing + width * scale if char == font.space_char else 0.0
                chars += 1
                visible += char != font.space_char
        return _Show(
            left=left,
            baseline=baseline,
            advance=advance,
            trailing=trailing,
            chars=chars,
            visible=visible,
            widest_gap=widest_gap,
            height=abs(state.size * tm[3] * cm[3]),
        )


def _origin(cm: list, tm: list) -> tuple[float, float]:
    """Where text starts on the page, for text that is neither rotated nor skewed."""
    return tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]


def _codes(font, value) -> str:
    """The character codes of a shown string, as the font's widths are keyed."""
    raw = value.original_bytes if hasattr(value, "original_bytes") else value
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    if isinstance(font.encoding, str):
        try:
            return raw.decode(font.encoding, "surrogatepass")
        except (UnicodeDecodeError, LookupError):
            return raw.decode("latin-1")
    return raw.decode("latin-1")


@dataclass
class _Row:
    """Text on one baseline of a page with no wide gap inside: the whole line, or one
    cell of a table row or a column's part of it."""

    baseline: float
    left: float
    right: float  # where its last glyph other than a space ends
    height: float
    char_width: float  # the mean advance of its characters
    visible: int  # its characters other than spaces
    gapped: bool  # a show operation's own spacing leaves a wide gap inside it
    alone: bool  # the only text on its baseline
    page_right: float  # the right edge of its page


@dataclass
class _Line:
    """A line of pypdf's text and the row it was drawn on, where that is known."""

    text: str
    row: _Row | None = None


@dataclass
class _Column:
    """Where the document's lines start and end."""

    left: float
    right: float


def pdf_text(pages: Iterable[PageObject]) -> str:
    """The pages' text as pypdf extracts it, wrapped lines joined again (across a page
    break too); pages are apart by a blank line."""
    fonts: dict = {}
    texts = [lines for page in pages if (lines := _page_lines(page, fonts))]
    # one column for the whole document: a page of a few short lines has the margins
    # of the others
    rows = [line.row for lines in texts for line in lines if line.row is not None]
    column = None
    if rows:
        column = _Column(min(r.left for r in rows), max(r.right for r in rows))
    text = ""
    for previous, lines in zip([None, *texts], texts, strict=False):
        if previous is not None:
            joined = _wrapped(previous[-1], lines[0], column, across_pages=True)
            text += _glue(previous[-1]) if joined else "\n\n"
        text += _joined(lines, column)
    return text


def _page_lines(page: PageObject, fonts: dict) -> list[_Line]:
    starts: list[tuple[float, float] | None] = [None]  # where each line's text starts

    def visit(text: str, cm: list, tm: list, font: dict | None, size: float) -> None:
        for number, piece in enumerate(text.split("\n")):
            if number:
                starts.append(None)
            if piece.strip() and starts[-1] is None:
                # pypdf passes where the text starts: only a piece before any break
                x, y = _origin(cm, tm)
                starts[-1] = (x, y if number == 0 else math.nan)

    layout = _Layout(_page_fonts(page), fonts)
    extracted = page.extract_text(
        visitor_text=visit, visitor_operand_before=layout.visit
    )
    texts = extracted.split("\n")
    rows = _rows(layout.shows, _page_right(page))
    if layout.failed or len(texts) != len(starts):
        rows = []  # unfollowed operations, or text shown but not kept: pypdf's text
    lines = [
        _Line(text, _row_at(rows, start))
        for text, start in zip(texts, starts, strict=False)
    ]
    while lines and not lines[0].text:
        lines.pop(0)
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def _page_fonts(page: PageObject) -> dict:
    """The page's font resources by name; none where a broken file hides them."""
    try:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        return fonts.get_object() if fonts else {}
    except Exception:  # noqa: BLE001 - the text is read without them
        return {}


def _page_right(page: PageObject) -> float:
    """The right edge of the page's visible area; where a broken file hides it, none
    (only the joining inside narrower blocks is then done)."""
    try:
        return float(page.cropbox.right)
    except Exception:  # noqa: BLE001 - the text is read without it
        return math.inf


def _rows(shows: list[_Show], page_right: float) -> list[_Row]:
    """The page's text as rows: shows on one baseline, split where a wide gap parts
    them."""
    shows = sorted(
        (show for show in shows if show.chars), key=lambda s: (-s.baseline, s.left)
    )
    rows, start = [], 0
    for end in range(1, len(shows) + 1):
        if end == len(shows) or (
            shows[start].baseline - shows[end].baseline > BASELINE_TOLERANCE
        ):
            line = sorted(shows[start:end], key=lambda s: s.left)
            parts = _parts(line)
            rows += [_row(part, len(parts) == 1, page_right) for part in parts]
            start = end
    return rows


def _parts(shows: list[_Show]) -> list[list[_Show]]:
    char_width = sum(s.advance for s in shows) / sum(s.chars for s in shows)
    parts = [[shows[0]]]
    for show in shows[1:]:
        end = max(_end(s) for s in parts[-1])
        if show.left - end > MAX_WORD_GAP * char_width:
            parts.append([show])
        else:
            parts[-1].append(show)
    return parts


def _end(show: _Show) -> float:
    return show.left + show.advance - show.trailing


def _row(shows: list[_Show], alone: bool, page_right: float) -> _Row:
    char_width = sum(s.advance for s in shows) / sum(s.chars for s in shows)
    return _Row(
        baseline=shows[0].baseline,
        left=shows[0].left,
        right=max(map(_end, shows)),
        height=max(s.height for s in shows),
        char_width=char_width,
        visible=sum(s.visible for s in shows),
        gapped=any(s.widest_gap > MAX_WORD_GAP * char_width for s in shows),
        alone=alone,
        page_right=page_right,
    )


def _row_at(rows: list[_Row], start: tuple[float, float] | None) -> _Row | None:
    """The one row where a line starts; None where that is unknown."""
    if start is None:
        return None
    x, y = start
    found = [
        r
        for r in rows
        if abs(r.baseline - y) <= BASELINE_TOLERANCE
        and r.left - EDGE_TOLERANCE <= x <= r.right + EDGE_TOLERANCE
    ]
    return found[0] if len(found) == 1 else None


def _spans_rows(line: _Line) -> bool:
    """Whether a line holds more than its row's text: pypdf put text from across a
    wide gap on its baseline into it (a right-aligned date). A little more is let
    through, as ligatures such as "fi" are one glyph and two letters."""
    if line.row is None or line.row.alone:
        return False
    visible = sum(not char.isspace() for char in line.text)
    return visible > 1.1 * line.row.visible + 1


def _joined(lines: list[_Line], column: _Column | None) -> str:
    parts = [lines[0].text]
    blocks, rights = _blocks(lines)
    for index, (before, after) in enumerate(pairwise(lines)):
        # the width of the block the two lines share, if they share one
        shared = rights[blocks[index]] if blocks[index] == blocks[index + 1] else None
        joined = _wrapped(before, after, column, block_right=shared)
        parts.append((_glue(before) if joined else "\n") + after.text)
    return "".join(parts)


def _blocks(lines: list[_Line]) -> tuple[list[int], list[float | None]]:
    """Each line's block, the run of lines that start where it starts, one below the
    other; and where each block ends on the right: a paragraph's, a table cell's or a
    sidebar's text width, read from its own lines."""
    blocks = [0]
    for upper, lower in pairwise(lines):
        blocks.append(blocks[-1] + (not _same_left(upper, lower)))
    ends: list[list[float]] = [[] for _ in range(blocks[-1] + 1)]
    for line, block in zip(lines, blocks, strict=True):
        if line.row is not None:
            ends[block].append(line.row.right)
    return blocks, [max(block) if block else None for block in ends]


def _same_left(upper: _Line, lower: _Line) -> bool:
    """Whether `lower` starts right below where `upper` starts, a line height down."""
    if upper.row is None or lower.row is None:
        return False
    advance = upper.row.baseline - lower.row.baseline
    return (
        abs(upper.row.left - lower.row.left) <= EDGE_TOLERANCE
        and 0 < advance <= MAX_LINE_ADVANCE * upper.row.height
    )


# Characters that a line may break after inside a word, with no space there: hyphens
# and dashes ("well-being", "2013-2017"), the slash of an address and the bar between
# fields ("7890|jane@example.com") that end a word; a backslash (of a path or an
# escape) even after a space, as text hardly ever has a space after one.
BREAKS_AFTER_A_WORD = frozenset("-\u2010\u2013\u2014/|")


def _glue(before: _Line) -> str:
    """A wrap's stand-in: nothing after a space or where the line broke inside a word
    (`BREAKS_AFTER_A_WORD`), else a space."""
    last, word = before.text[-1:], before.text[-2:-1]
    inside_word = last == "\\" or (
        last in BREAKS_AFTER_A_WORD and word != "" and not word.isspace()
    )
    return "" if last.isspace() or inside_word else " "


def _wrapped(
    before: _Line,
    after: _Line,
    column: _Column | None,
    block_right: float | None = None,
    across_pages: bool = False,
) -> bool:
    upper, lower = before.row, after.row
    if column is None or upper is None or lower is None or not after.text.split():
        return False
    if upper.gapped or lower.gapped or lower.char_width <= 0:
        return False
    if _spans_rows(before) or _spans_rows(after):
        return False
    advance = upper.baseline - lower.baseline
    if not across_pages and not 0 < advance <= MAX_LINE_ADVANCE * upper.height:
        return False
    # the spaces a wrap leaves at the end of the line had to fit before the word did
    spaces = max(len(before.text) - len(before.text.rstrip(" ")), 1)
    needed = (spaces + len(after.text.split()[0])) * lower.char_width
    met_margin = (
        upper.right - upper.left >= (column.right - column.left) / 2
        # a text that never met a margin: its widest line is not a wrap
        and upper.page_right - column.right <= MAX_RIGHT_MARGIN
    )
    if met_margin and needed > column.right + EDGE_TOLERANCE - upper.right:
        return True
    # in a narrower block (a table cell, a sidebar) that both lines are of, only a line
    # that ends in the space a wrap leaves
    return (
        block_right is not None
        and before.text.endswith(" ")
        and needed > block_right + EDGE_TOLERANCE - upper.right
    )
