"""Structure of UN human-rights documents, found from their text (pure Python, no Django).

`parse_bytes(name, data)` reads a plain-text, DOCX or PDF document in Spanish or English and
returns a `ParsedDocument`: symbol, kind, language, numbered paragraphs with their section
heading and lettered sub-items; for concluding observations and UPR reports, which paragraphs
recommend, which express concern and which note positive aspects; for summary records, each
speaker's turn (chair, Committee member or delegation member with the country in brackets),
the questions asked, and which delegation paragraphs answer them, so the questions left
unanswered are listed. A `ParseError` carries a message for the person who sent the file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParseError, _
from .language import detect_language
from .sources import read_source
from .textutil import TfIdf, cosine

KINDS = ("loipr", "state_report", "summary_record", "concluding_observations", "upr_report")


@dataclass
class SubItem:
    label: str  # "a", "b", ... or "128.1" in UPR reports
    text: str


@dataclass
class Paragraph:
    number: int
    heading: str
    text: str
    sub_items: list[SubItem] = field(default_factory=list)
    section: str = ""  # the lettered section ("C. Principal subjects of concern ...")
    category: str = ""  # recommendation / concern / positive / "" (concluding observations)
    line: int = 0


@dataclass
class Recommendation:
    paragraph: int
    sub_item: str | None
    text: str
    chapeau: str = ""  # the paragraph's lead-in when the recommendation is a sub-item


@dataclass
class Question:
    paragraph: int
    text: str
    answered_in: list[int] = field(default_factory=list)
    score: float = 0.0


@dataclass
class Turn:
    paragraph: int
    speaker: str
    country: str | None
    role: str  # chair / committee / delegation
    function: str = ""  # "Country Rapporteur", ...
    paragraphs: list[int] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    procedural: bool = False


@dataclass
class ParsedDocument:
    symbol: str | None
    kind: str
    language: str
    title: str
    paragraphs: list[Paragraph]
    recommendations: list[Recommendation] = field(default_factory=list)
    concerns: list[int] = field(default_factory=list)
    positive_aspects: list[int] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    related_symbols: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def unanswered(self) -> list[tuple[Turn, Question]]:
        return [(t, q) for t in self.turns for q in t.questions if not q.answered_in]

    def to_json(self) -> dict[str, Any]:
        """The command-line contract (docs/recommendations.md)."""
        out: dict[str, Any] = {
            "symbol": self.symbol,
            "kind": self.kind,
            "language": self.language,
            "title": self.title,
            "related_symbols": self.related_symbols,
            "paragraphs": [
                {
                    "number": p.number,
                    "heading": p.heading,
                    "section": p.section,
                    "category": p.category or None,
                    "text": p.text,
                    "sub_items": [asdict(s) for s in p.sub_items],
                }
                for p in self.paragraphs
            ],
            "recommendations": [asdict(r) for r in self.recommendations],
            "concerns": self.concerns,
            "positive_aspects": self.positive_aspects,
        }
        if self.kind == "summary_record":
            out["turns"] = [
                {
                    "paragraph": t.paragraph,
                    "paragraphs": t.paragraphs,
                    "speaker": t.speaker,
                    "country": t.country,
                    "role": t.role,
                    "function": t.function or None,
                    "procedural": t.procedural,
                    "questions": [
                        {"paragraph": q.paragraph, "text": q.text, "answered_in": q.answered_in}
                        for q in t.questions
                    ],
                }
                for t in self.turns
            ]
            out["unanswered_questions"] = [
                {"paragraph": q.paragraph, "speaker": t.speaker, "text": q.text}
                for t, q in self.unanswered()
            ]
        return out


# ---------------------------------------------------------------------------------------------
# Entry points


def parse_file(path: str | Path) -> ParsedDocument:
    p = Path(path)
    return parse_bytes(p.name, p.read_bytes())


def parse_bytes(name: str, data: bytes) -> ParsedDocument:
    if not data.strip():
        raise ParseError(_("The file is empty."))
    source = read_source(name, data)
    return parse_lines(source.lines, wrapped=source.wrapped, filename=name)


def parse_text(text: str, *, filename: str = "") -> ParsedDocument:
    return parse_lines(text.splitlines(), wrapped=False, filename=filename)


def parse_lines(lines: list[str], *, wrapped: bool, filename: str = "") -> ParsedDocument:
    full_text = "\n".join(lines)
    language = detect_language(full_text)
    blocks = _blocks(lines, wrapped=wrapped)
    title, paragraphs, notes = _structure(blocks)
    if not paragraphs:
        raise ParseError(
            _('No numbered paragraphs were found ("1. ...", "2. ..."): is this a UN document?')
        )
    symbols = find_symbols(full_text)
    kind = detect_kind(full_text, symbols, filename_symbol(filename))
    symbol = choose_symbol(kind, symbols, filename_symbol(filename))
    doc = ParsedDocument(
        symbol=symbol,
        kind=kind,
        language=language,
        title=title,
        paragraphs=paragraphs,
        related_symbols=[s for s in symbols if s != symbol],
        notes=notes,
    )
    if kind in ("concluding_observations", "upr_report"):
        _classify_observations(doc)
    if kind == "summary_record":
        doc.turns = find_turns(paragraphs, "\n".join(title.splitlines() + notes), language)
        link_answers(doc.turns, paragraphs)
    return doc


# ---------------------------------------------------------------------------------------------
# Lines → blocks → paragraphs

_NUMBERED = re.compile(r"^(\d{1,3})\.[ \t\u00a0]+(\S.*)$")
_UPR_ITEM = re.compile(r"^(\d{1,3})\.(\d{1,3})\.?[ \t\u00a0]+(\S.*)$")
_LETTERED = re.compile(r"^\(([a-z]{1,2}|[ivx]{1,5})\)[ \t\u00a0]+(\S.*)$")
_SECTION = re.compile(r"^([A-H]|[IVX]{1,4})\.[ \t\u00a0]+(\S.*)$")
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
_PROCEDURAL = re.compile(
    r"^(The meeting (was|rose|resumed|was suspended|was called)|The discussion covered|"
    r"Se (levanta|suspende|reanuda|abre) la sesión|La sesión|El debate|\*|In the absence of|"
    r"En ausencia de)",
    re.IGNORECASE,
)


@dataclass
class _Block:
    kind: str  # para / upr / sub / section / heading / note
    text: str
    line: int
    number: int = 0
    label: str = ""


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", _BOOKMARK.sub("", line.replace("\x00", ""))).strip()


def _classify_line(text: str, line_no: int) -> _Block:
    if m := _UPR_ITEM.match(text):
        return _Block("upr", m.group(3), line_no, int(m.group(1)), f"{m.group(1)}.{m.group(2)}")
    if m := _NUMBERED.match(text):
        return _Block("para", m.group(2), line_no, int(m.group(1)))
    if m := _LETTERED.match(text):
        return _Block("sub", m.group(2), line_no, label=m.group(1))
    if _PROCEDURAL.match(text):
        return _Block("note", text, line_no)
    if m := _SECTION.match(text):
        if len(text) < 160 and not text.endswith((".", ";", ",")):
            return _Block("section", text, line_no, label=m.group(1))
    if len(text) < 200 and not text.endswith((".", ";", ",", ":")):
        return _Block("heading", text, line_no)
    return _Block("note", text, line_no)


def _blocks(lines: list[str], *, wrapped: bool) -> list[_Block]:
    blocks: list[_Block] = []
    for i, raw in enumerate(lines, start=1):
        text = _clean(raw)
        if not text:
            continue
        block = _classify_line(text, i)
        if wrapped and blocks and _continues(blocks[-1], block):
            prev = blocks[-1]
            joiner = "" if prev.text.endswith("-") and text[:1].islower() else " "
            prev.text = (prev.text[:-1] if joiner == "" else prev.text) + joiner + text
            continue
        blocks.append(block)
    return blocks


def _continues(prev: _Block, block: _Block) -> bool:
    """In wrapped (PDF) text, whether a line goes on with the previous block."""
    if block.kind in ("para", "upr", "sub", "section"):
        return False
    if prev.kind in ("para", "upr", "sub", "note"):
        # A paragraph goes on until a line ends it; a heading after a finished sentence starts.
        return not (block.kind == "heading" and prev.text.endswith((".", ":", ";")))
    return False


def _is_numbered_heading(block: _Block, expected: int | None) -> bool:
    """Concluding observations number their thematic headings "1. General measures ..."."""
    return (
        block.kind == "para"
        and expected is not None
        and block.number != expected
        and len(block.text) < 160
        and not block.text.endswith((".", ";", ":", ","))
    )


def _structure(blocks: list[_Block]) -> tuple[str, list[Paragraph], list[str]]:
    title_lines: list[str] = []
    notes: list[str] = []
    paragraphs: list[Paragraph] = []
    heading = ""
    section = ""
    for block in blocks:
        expected = paragraphs[-1].number + 1 if paragraphs else None
        if _is_numbered_heading(block, expected):
            heading = f"{block.number}. {block.text}"
            continue
        if block.kind == "para":
            if expected is not None and block.number != expected:
                raise ParseError(
                    _(
                        "Paragraph %(number)s (line %(line)s) comes after paragraph "
                        "%(previous)s: the paragraphs are out of order or one is missing."
                    )
                    % {"number": block.number, "line": block.line, "previous": expected - 1},
                    line=block.line,
                )
            paragraphs.append(
                Paragraph(block.number, heading, block.text, section=section, line=block.line)
            )
        elif block.kind in ("sub", "upr"):
            if not paragraphs:
                title_lines.append(block.text)
                continue
            target = paragraphs[-1]
            if block.kind == "upr" and block.number != target.number:
                raise ParseError(
                    _("Item %(label)s (line %(line)s) does not belong to paragraph %(number)s.")
                    % {"label": block.label, "line": block.line, "number": target.number},
                    line=block.line,
                )
            target.sub_items.append(SubItem(block.label, block.text))
        elif block.kind == "section":
            section = heading = block.text
        elif block.kind == "heading":
            if paragraphs:
                heading = block.text
            else:
                title_lines.append(block.text)
                heading = block.text
        else:
            (notes if paragraphs else title_lines).append(block.text)
    for p in paragraphs:
        if not p.sub_items:
            p.text, p.sub_items = _inline_sub_items(p.text)
    return "\n".join(title_lines), paragraphs, notes


_INLINE = re.compile(r"(?:(?<=[:;.])|(?<=;\s)|(?<=:\s))\s*\(([a-z])\)\s+")


def _inline_sub_items(text: str) -> tuple[str, list[SubItem]]:
    """Sub-items written inside the paragraph: "...: (a) Adopt ...; (b) Ensure ..."."""
    marks = list(re.finditer(r"(?:^|(?<=[:;.]))\s*\(([a-z])\)\s+", text))
    letters = [m.group(1) for m in marks]
    if len(letters) < 2 or letters != [chr(ord("a") + i) for i in range(len(letters))]:
        return text, []
    head = text[: marks[0].start()].strip()
    items = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        items.append(SubItem(m.group(1), text[m.end() : end].strip()))
    return head, items


# ---------------------------------------------------------------------------------------------
# Symbol and kind

_SYMBOL = re.compile(
    r"\b(?:CMW|CERD|CRC|CEDAW|CAT|CCPR|CED|CRPD|E/C\.12|A/HRC|A|HRI)"
    r"(?:/[A-Z0-9][A-Za-z0-9.\-]*)+(?:/Add\.\d+)?"
)


def find_symbols(text: str) -> list[str]:
    seen: list[str] = []
    for m in _SYMBOL.finditer(text):
        s = m.group(0).rstrip(".")
        if s.count("/") >= 2 and s not in seen:
            seen.append(s)
    return seen


def filename_symbol(filename: str) -> str | None:
    """ "CMW-C-SR.413.txt" → "CMW/C/SR.413" (UN files name documents by their symbol)."""
    stem = Path(filename).name
    stem = re.sub(r"\.(txt|docx|pdf|doc)$", "", stem, flags=re.IGNORECASE)
    candidate = stem.replace("-", "/").replace("_", "/")
    m = _SYMBOL.fullmatch(candidate)
    return m.group(0) if m and candidate.count("/") >= 2 else None


def _kind_of_symbol(symbol: str) -> str | None:
    if re.search(r"/SR\.\d+", symbol):
        return "summary_record"
    if "/CO/" in symbol:
        return "concluding_observations"
    if "/QPR/" in symbol or "/LOIPR/" in symbol:
        return "loipr"
    if re.match(r"A/HRC/\d+/\d+", symbol):
        return "upr_report"
    if re.search(r"/[A-Z]{3}/\d+$", symbol):
        return "state_report"
    return None


_KIND_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "concluding_observations",
        re.compile(r"concluding observations|observaciones finales", re.I),
    ),
    (
        "loipr",
        re.compile(
            r"list of issues prior to|lista de cuestiones previa|list of issues in relation|"
            r"lista de cuestiones relativa",
            re.I,
        ),
    ),
    (
        "upr_report",
        re.compile(
            r"universal periodic review|examen periódico universal|examen periodico universal",
            re.I,
        ),
    ),
    (
        "state_report",
        re.compile(r"periodic report|informe periódico|informes periódicos", re.I),
    ),
]

_SPEECH = re.compile(
    r"^(?:Mr|Ms|Mrs|Sr|Sra|Srta|El Sr|La Sra)\.? [^\n]{0,200}?\b(?:said|asked|dice|pregunta)\b",
    re.M,
)


def detect_kind(text: str, symbols: list[str], from_filename: str | None) -> str:
    if from_filename and (kind := _kind_of_symbol(from_filename)):
        return kind
    head = text[:3000]
    if (
        re.search(r"summary record|acta resumida", head, re.I)
        or len(_SPEECH.findall(text)) >= 3
        and re.search(r"(?:^|\n)\s*\d+\.\s+(?:Mr|Ms|Sr|Sra|El Sr|La Sra)\.? ", text)
    ):
        return "summary_record"
    for kind, cue in _KIND_CUES:
        if cue.search(head):
            return kind
    for symbol in symbols[:3]:
        if kind := _kind_of_symbol(symbol):
            return kind
    raise ParseError(
        _(
            "The kind of document could not be told (list of issues, State report, summary "
            "record, concluding observations or UPR report): choose it when importing."
        )
    )


def choose_symbol(kind: str, symbols: list[str], from_filename: str | None) -> str | None:
    if from_filename:
        return from_filename
    for symbol in symbols:
        if _kind_of_symbol(symbol) == kind:
            return symbol
    return None


# ---------------------------------------------------------------------------------------------
# Concluding observations: recommendations, concerns, positive aspects

_RECOMMEND = re.compile(
    r"\b(?:(?:The )?Committee (?:also |further |strongly )?(?:recommends|urges|encourages|"
    r"calls upon|calls on|requests|invites|reiterates its (?:previous )?recommendation|"
    r"draws the attention)|"
    r"(?:El )?Comité (?:también |además )?(?:recomienda|insta|alienta|exhorta|pide|solicita|"
    r"invita|reitera su (?:anterior )?recomendación|alienta encarecidamente))",
    re.I,
)
_CONCERN = re.compile(
    r"\b(?:(?:The )?Committee (?:is (?:also |further |deeply |seriously )?concerned|"
    r"notes with (?:concern|regret)|regrets|deplores|is (?:deeply )?alarmed|remains concerned)|"
    r"(?:El )?Comité (?:está (?:también |profundamente )?preocupado|expresa (?:su )?preocupación|"
    r"observa con preocupación|lamenta|deplora|sigue preocupado|le preocupa)|"
    r"(?:Al|Le preocupa al) Comité (?:le )?preocupa)",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(?:(?:The )?Committee (?:welcomes|notes with (?:appreciation|satisfaction)|commends|"
    r"appreciates|acknowledges)|(?:El )?Comité (?:acoge con (?:beneplácito|satisfacción)|"
    r"celebra|encomia|observa con (?:aprecio|satisfacción)|reconoce|valora))",
    re.I,
)
_POSITIVE_SECTION = re.compile(r"positive aspects|aspectos positivos", re.I)
_INTRO_SECTION = re.compile(r"introduction|introducción", re.I)
_UPR_RECS = re.compile(
    r"recommendations (?:formulated|made|listed)|recomendaciones (?:formuladas|enumeradas)", re.I
)


def paragraph_category(p: Paragraph) -> str:
    whole = p.text + " " + " ".join(s.text for s in p.sub_items)
    if _POSITIVE_SECTION.search(p.section or p.heading) and not _RECOMMEND.search(whole):
        return "positive"
    if _INTRO_SECTION.search(p.section):
        return ""
    if _RECOMMEND.search(p.text) or (not p.text and _RECOMMEND.search(whole)):
        return "recommendation"
    if _CONCERN.search(whole):
        return "concern"
    if _POSITIVE.search(whole):
        return "positive"
    if _RECOMMEND.search(whole):
        return "recommendation"
    return ""


def _classify_observations(doc: ParsedDocument) -> None:
    for p in doc.paragraphs:
        upr_list = p.sub_items and all("." in s.label for s in p.sub_items)
        if doc.kind == "upr_report" and (upr_list or _UPR_RECS.search(p.text)):
            p.category = "recommendation" if upr_list else p.category
        else:
            p.category = paragraph_category(p)
        if p.category == "recommendation":
            if p.sub_items:
                doc.recommendations.extend(
                    Recommendation(p.number, s.label, s.text, chapeau=p.text) for s in p.sub_items
                )
            else:
                doc.recommendations.append(Recommendation(p.number, None, p.text))
        elif p.category == "concern":
            doc.concerns.append(p.number)
        elif p.category == "positive":
            doc.positive_aspects.append(p.number)


# ---------------------------------------------------------------------------------------------
# Summary records: turns, questions, answers

_NAME = (
    r"[A-ZÀ-ÝÜ][\w’'\-]+(?:\s+(?:(?:de|del|la|las|los|da|dos|van|von|y|e)\s+)*[A-ZÀ-ÝÜ][\w’'\-]+)*"
)
_SPEAKER = re.compile(
    rf"^(?:(?:El|La)\s+)?(?P<title>Mr|Ms|Mrs|Miss|Dr|Sr|Sra|Srta)\.?\s+(?P<name>{_NAME})"
    rf"(?:\s*\((?P<bracket>[^)]{{1,120}})\))?(?P<rest>.*)$",
    re.S,
)
_CHAIR_SPEAKER = re.compile(
    r"^(?:The (?:Acting |Vice-)?(?:Chair|Chairperson|Chairman|Chairwoman|President)|"
    r"(?:El|La) (?:Presidente|Presidenta|Vicepresidente|Vicepresidenta))\b"
    r"(?:\s*\((?P<name>[^)]{1,80})\))?(?P<rest>.*)$",
    re.S,
)
_SPEECH_VERB = re.compile(
    r"\b(?:said|asked|noted|welcomed|wondered|stressed|recalled|added|explained|replied|"
    r"thanked|requested|enquired|inquired|observed|pointed|agreed|expressed|emphasized|"
    r"emphasised|dice|pregunta|señala|agradece|observa|añade|explica|responde|desea|"
    r"subraya|recuerda|celebra|toma)\b"
)
_CHAIR_ROLE = re.compile(r"\b(?:Chair|Chairperson|Presidente|Presidenta)\b")
_COMMITTEE_FUNCTION = re.compile(
    r"rapporteur|relator|relatora|chair|president|vice|member|miembro|secretar", re.I
)
_CHAIR_IN_PREAMBLE = re.compile(
    rf"(?:(?:Chair|Chairperson|Presidente|Presidenta)\s*:\s*(?:Mr|Ms|Mrs|Sr|Sra)\.?\s*(?P<a>{_NAME}))|"
    rf"(?:(?:Mr|Ms|Mrs|Sr|Sra)\.?\s+(?P<b>{_NAME}),\s*(?:Vice-Chair|Vicepresidente|Vicepresidenta)"
    rf"[^.]*?(?:took the Chair|ocupa la Presidencia))"
)


def chair_name(preamble: str) -> str | None:
    m = _CHAIR_IN_PREAMBLE.search(preamble)
    return (m.group("a") or m.group("b")) if m else None


def _speaker_of(text: str, chair: str | None) -> tuple[str, str | None, str, str] | None:
    """(speaker, country, role, function) when the paragraph opens a new turn."""
    if m := _CHAIR_SPEAKER.match(text):
        if _SPEECH_VERB.search(m.group("rest")[:300]):
            name = m.group("name") or chair or "Chair"
            return name, None, "chair", ""
    m = _SPEAKER.match(text)
    if not m or not _SPEECH_VERB.search(m.group("rest")[:400]):
        return None
    name = f"{m.group('title')}. {m.group('name')}"
    bracket = (m.group("bracket") or "").strip()
    if (
        bracket
        and _CHAIR_ROLE.search(bracket)
        and not _COMMITTEE_FUNCTION.search(bracket.replace("Chair", "").replace("Presidente", ""))
    ):
        return name, None, "chair", bracket
    if bracket and _COMMITTEE_FUNCTION.search(bracket):
        return name, None, "committee", bracket
    if bracket:
        return name, bracket, "delegation", ""
    if chair and m.group("name") == chair:
        return name, None, "chair", ""
    return name, None, "committee", ""


def find_turns(paragraphs: list[Paragraph], preamble: str, language: str) -> list[Turn]:
    chair = chair_name(preamble)
    turns: list[Turn] = []
    for p in paragraphs:
        found = _speaker_of(p.text, chair)
        if found:
            speaker, country, role, function = found
            turns.append(Turn(p.number, speaker, country, role, function, [p.number]))
        elif turns:
            turns[-1].paragraphs.append(p.number)
        else:
            # Before anyone speaks: the Chair's procedural acts ("At the invitation of the Chair,
            # the delegation ... took places at the Committee table").
            speaker = f"Mr. {chair}" if chair else "Chair"
            turns.append(Turn(p.number, speaker, None, "chair", "", [p.number], procedural=True))
    by_number = {p.number: p for p in paragraphs}
    for turn in turns:
        if turn.role == "committee":
            for number in turn.paragraphs:
                turn.questions.extend(
                    Question(number, s) for s in questions_in(by_number[number].text)
                )
    return turns


_ABBREV = re.compile(
    r"\b(?:Mr|Ms|Mrs|Dr|Sr|Sra|Srta|No|Nos|art|arts|para|paras|e\.g|i\.e|p\.m|a\.m|St|vol|"
    r"etc|Inc|Ltd|núm|párr)\.$",
    re.I,
)


def sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in re.finditer(r"[.?!](?=\s+[“\"(]?[A-ZÁÉÍÓÚÑ¿¡])", text):
        end = m.end()
        if _ABBREV.search(text[start:end]) or re.search(r"\b[A-Z]\.$", text[start:end]):
            continue
        parts.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


_QUESTION_CUE = re.compile(
    r"\?|\b(?:wish(?:ed|es)? to know|would (?:like|wish) to know|would (?:also )?(?:appreciate|"
    r"welcome|like)|wondered|asked|it would be (?:useful|helpful|interesting|desirable|good) to "
    r"(?:know|receive|hear|learn)|would be welcome|information (?:on|about)|should (?:explain|"
    r"respond|clarify|indicate|provide)|please|requested|desea saber|quisiera saber|pregunta|"
    r"agradecería|sería (?:útil|interesante|conveniente) (?:saber|conocer|recibir)|"
    r"información sobre|sírvanse)",
    re.I,
)


_INTRO = re.compile(r"^.{0,450}?\b(?:said|dice) (?:that|que),?\s*", re.S)


def questions_in(text: str) -> list[str]:
    found = []
    for s in sentences(text):
        if _QUESTION_CUE.search(s):
            # "Mr. X (Country Rapporteur) said that, ..." — the question is what follows.
            s = _INTRO.sub("", s, count=1)
            found.append(s[:1].upper() + s[1:])
    return found


# Words every turn of a dialogue with the State shares: they link nothing to anything.
_DIALOGUE_STOP = frozenset(
    "migrant migrants guatemala guatemalan guatemalans state party delegation committee "
    "information know wished wish would like welcome appreciate said measures country "
    "countries government also whether what how many steps taken ensure "
    "migrante migrantes estado parte delegación comité información medidas país".split()
)


ANSWER_THRESHOLD = 0.11


def link_answers(turns: list[Turn], paragraphs: list[Paragraph]) -> None:
    """Each question is answered by the most similar later delegation paragraph, if any is
    similar enough; the others are the questions this record leaves unanswered."""
    delegation = [
        number
        for t in turns
        if t.role == "delegation" and not t.procedural
        for number in t.paragraphs
    ]
    if not delegation:
        return
    texts = {p.number: p.text for p in paragraphs}
    questions = [q for t in turns for q in t.questions]
    model = TfIdf([texts[n] for n in delegation] + [q.text for q in questions], stop=_DIALOGUE_STOP)
    answer_vectors = {n: model.vectors[i] for i, n in enumerate(delegation)}
    for q in questions:
        qv = model.vector(q.text)
        scored = sorted(
            ((cosine(qv, v), n) for n, v in answer_vectors.items() if n > q.paragraph),
            reverse=True,
        )
        if scored and scored[0][0] >= ANSWER_THRESHOLD:
            best = scored[0][0]
            q.score = round(best, 3)
            q.answered_in = sorted(
                n for s, n in scored[:3] if s >= max(ANSWER_THRESHOLD, best * 0.8)
            )
