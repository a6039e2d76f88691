"""Text -> frozen AST for the rule language, with diagnostics instead of exceptions.

The grammar lives in ``grammar.lark`` next to this file and is compiled once
per process (LALR, positions propagated), and the parse tree of a text is
reused when the same text comes again (``_parse``).  Three entry points share it: a
``.rules`` file, a contract's ``pricing:`` block (whose positions are shifted
so diagnostics point into the YAML file), and a bare condition for
``tenor contracts --where``.

Hostile input is refused before lark sees it: text over 256 KiB, or ``{``/``(``
nested deeper than 50.  Everything after that is iterative (lark's LALR
parser and ``Transformer_NonRecursive``), so no input reaches Python's
recursion limit.
"""
from __future__ import annotations

import re

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.visitors import Transformer_NonRecursive, v_args

from engine.diagnostics import ERROR, Diagnostic, Loc
from engine.number import D
from engine.rules.ast import (
    COND_TYPES, Adjustment, And, Arith, BoolLit, Call, Cap, Compare,
    ComputedCharge, Cond, Credit, DateLit, Expr, Minimum, Name, Neg, Not, Num, Or,
    Rule, Statement, Str, Target, Tier, TieredCharge, Truthy, When,
)

MAX_BYTES = 256 * 1024
MAX_DEPTH = 50

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
START_RULES = "rules_file"
START_PRICING = "pricing"
START_CONDITION = "condition_only"


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The one compiled parser: building the LALR tables costs far more than a parse."""
    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr",
                start=[START_RULES, START_PRICING, START_CONDITION],
                propagate_positions=True, maybe_placeholders=False)


# ------------------------------------------------------------------ positions


@dataclass(frozen=True)
class Source:
    """Where the parsed text sits in its file: text line i (1-based) is file line
    ``first_line + i - 1`` and text column c is file column ``indent + c``."""
    text: str
    file: str
    first_line: int = 1
    indent: int = 0

    def loc(self, line: int, col: int) -> Loc:
        return Loc(self.file, self.first_line + line - 1, self.indent + col)

    def error(self, line: int, col: int, code: str, message: str) -> Diagnostic:
        where = self.loc(line, col)
        return Diagnostic(where.file, where.line, where.col, code, ERROR, message)

    def caret(self, line: int, col: int) -> str:
        """The offending source line as it appears in the file, and a ``^`` under ``col``."""
        lines = self.text.split("\n")
        text = lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""
        shown = " " * self.indent + text
        pad = "".join("\t" if ch == "\t" else " " for ch in shown[: self.indent + col - 1])
        return f"\n    {shown}\n    {pad}^"


# ------------------------------------------------------------ structure scan


@dataclass(frozen=True)
class Scan:
    too_deep: tuple[int, int] | None                  # (line, col) of the first too-deep opener
    unclosed: tuple[tuple[str, int, int], ...]         # openers never closed, outermost first
    stray: tuple[str, int, int] | None                 # first closer with no (matching) opener
    segments: tuple[tuple[int, int], ...]              # top-level {...} spans (start, end offsets)


_PAIRS = {"}": "{", ")": "("}


def scan_structure(text: str) -> Scan:
    """Brace/parenthesis structure, ignoring strings and comments.

    Run before parsing to refuse deep nesting with a clear message, and after a
    syntax error to say which brace is unbalanced and to split a ``.rules``
    file into its top-level blocks so that one bad rule does not hide the next.
    """
    stack: list[tuple[str, int, int]] = []
    too_deep: tuple[int, int] | None = None
    stray: tuple[str, int, int] | None = None
    segments: list[tuple[int, int]] = []
    seg_start = 0
    line, col = 1, 0
    in_string = in_comment = False
    for offset, ch in enumerate(text):
        if ch == "\n":
            line, col = line + 1, 0
            in_string = in_comment = False
            continue
        col += 1
        if in_comment:
            continue
        if in_string:
            in_string = ch != '"'
            continue
        if ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch in "{(":
            stack.append((ch, line, col))
            if len(stack) > MAX_DEPTH and too_deep is None:
                too_deep = (line, col)
        elif ch in "})":
            if stack and stack[-1][0] == _PAIRS[ch]:
                stack.pop()
                if not stack and ch == "}":
                    segments.append((seg_start, offset + 1))
                    seg_start = offset + 1
            elif stray is None:
                stray = (ch, line, col)
    return Scan(too_deep, tuple(stack), stray, tuple(segments))


# --------------------------------------------------------------- transformer


class _Builder(Transformer_NonRecursive):
    """Parse tree -> AST.  Records type mix-ups (a comparison where a number is
    needed, a number where a condition is needed) as diagnostics and carries on."""

    def __init__(self, src: Source) -> None:
        super().__init__(visit_tokens=False)
        self.src = src
        self.diags: list[Diagnostic] = []

    # helpers ---------------------------------------------------------------
    def _loc_meta(self, meta: Any) -> Loc:
        return self.src.loc(getattr(meta, "line", 1), getattr(meta, "column", 1))

    def _loc_tok(self, tok: Token) -> Loc:
        return self.src.loc(tok.line or 1, tok.column or 1)

    def _type_error(self, loc: Loc, message: str) -> None:
        self.diags.append(Diagnostic(loc.file, loc.line, loc.col, "rule-type", ERROR, message))

    def _expr(self, node: Any) -> Expr:
        """Coerce to an expression, reporting a condition used as a number."""
        if isinstance(node, COND_TYPES) and not isinstance(node, BoolLit):
            if isinstance(node, Truthy):
                return node.name
            self._type_error(node.loc, "a comparison or and/or/not cannot be used as a number "
                             "here; write an arithmetic expression such as `hours * 2`")
            return Num(Decimal(0), node.loc)
        return node

    def _cond(self, node: Any) -> Cond:
        """Coerce to a condition; a bare name becomes a truth test (for ``--where``)."""
        if isinstance(node, Name):
            return Truthy(node, node.loc)
        if isinstance(node, COND_TYPES):
            return node
        self._type_error(node.loc, f"`{_short(node)}` is a value, not a condition; compare it, "
                         "e.g. `hours > 40`")
        return BoolLit(False, node.loc)

    def _number_operand(self, node: Any, what: str) -> Expr:
        node = self._expr(node)
        if isinstance(node, (Str, DateLit, BoolLit)):
            self._type_error(node.loc, f"{what} needs numbers, not `{_short(node)}`")
        return node

    # atoms -----------------------------------------------------------------
    @v_args(meta=True)
    def number(self, meta: Any, children: list) -> Num:
        return Num(D(str(children[0])), self._loc_meta(meta))

    @v_args(meta=True)
    def name(self, meta: Any, children: list) -> Name:
        return Name(str(children[0]), self._loc_meta(meta))

    @v_args(meta=True)
    def string(self, meta: Any, children: list) -> Str:
        return Str(str(children[0])[1:-1], self._loc_meta(meta))

    @v_args(meta=True)
    def date(self, meta: Any, children: list) -> DateLit:
        loc = self._loc_meta(meta)
        try:
            value = datetime.date.fromisoformat(str(children[0]))
        except ValueError:
            self._type_error(loc, f"`{children[0]}` is not a real date; write YYYY-MM-DD")
            value = datetime.date.min
        return DateLit(value, loc)

    @v_args(meta=True)
    def boolean(self, meta: Any, children: list) -> BoolLit:
        return BoolLit(str(children[0]) == "true", self._loc_meta(meta))

    @v_args(meta=True)
    def call(self, meta: Any, children: list) -> Call:
        func, a, b = children
        what = f"{func}()"
        return Call(str(func), (self._number_operand(a, what), self._number_operand(b, what)),
                    self._loc_meta(meta))

    @v_args(meta=True)
    def unary(self, meta: Any, children: list) -> Expr:
        *signs, operand = children
        operand = self._number_operand(operand, "a minus sign")
        negative = sum(1 for s in signs if str(s) == "-") % 2 == 1
        return Neg(operand, self._loc_meta(meta)) if negative else operand

    def _arith(self, meta: Any, children: list) -> Arith:
        first = self._number_operand(children[0], "arithmetic")
        rest = tuple((str(children[i]), self._number_operand(children[i + 1], "arithmetic"))
                     for i in range(1, len(children), 2))
        return Arith(first, rest, self._loc_meta(meta))

    @v_args(meta=True)
    def sum(self, meta: Any, children: list) -> Arith:
        return self._arith(meta, children)

    @v_args(meta=True)
    def product(self, meta: Any, children: list) -> Arith:
        return self._arith(meta, children)

    # conditions --------------------------------------------------------------
    @v_args(meta=True)
    def comparison(self, meta: Any, children: list) -> Compare:
        left, op, right = children
        return Compare(self._expr(left), str(op), self._expr(right), self._loc_meta(meta))

    @v_args(meta=True)
    def not_expr(self, meta: Any, children: list) -> Cond:
        *nots, operand = children
        operand = self._cond(operand)
        return Not(operand, self._loc_meta(meta)) if len(nots) % 2 else operand

    @v_args(meta=True)
    def and_expr(self, meta: Any, children: list) -> And:
        return And(tuple(self._cond(c) for c in children), self._loc_meta(meta))

    @v_args(meta=True)
    def or_expr(self, meta: Any, children: list) -> Or:
        return Or(tuple(self._cond(c) for c in children), self._loc_meta(meta))

    # statements --------------------------------------------------------------
    @v_args(meta=True)
    def up_to_tier(self, meta: Any, children: list) -> Tier:
        flat = children[2] if len(children) > 2 else Decimal(0)
        return Tier(D(str(children[0])), D(str(children[1])), flat, self._loc_meta(meta))

    @v_args(meta=True)
    def above_tier(self, meta: Any, children: list) -> Tier:
        flat = children[1] if len(children) > 1 else Decimal(0)
        return Tier(None, D(str(children[0])), flat, self._loc_meta(meta))

    def flat(self, children: list) -> Decimal:
        return D(str(children[0]))

    @v_args(meta=True)
    def tiered_charge(self, meta: Any, children: list) -> TieredCharge:
        label, metric, mode, *tiers = children
        return TieredCharge(str(label)[1:-1], Name(str(metric), self._loc_tok(metric)),
                            str(mode), tuple(tiers), self._loc_meta(meta))

    @v_args(meta=True)
    def computed_charge(self, meta: Any, children: list) -> ComputedCharge:
        label, expr = children
        return ComputedCharge(str(label)[1:-1], self._number_operand(expr, "a charge"),
                              self._loc_meta(meta))

    @v_args(meta=True)
    def target(self, meta: Any, children: list) -> Target:
        tok = children[0]
        if tok.type == "STRING":
            return Target(str(tok)[1:-1], True, self._loc_meta(meta))
        return Target(str(tok), False, self._loc_meta(meta))

    @v_args(meta=True)
    def adjustment(self, meta: Any, children: list) -> Adjustment:
        kind, target, value = children[:3]
        cond = self._cond(children[3]) if len(children) > 3 else None
        percent = value.type == "PERCENT"
        number = D(str(value)[:-1]) if percent else D(str(value))
        return Adjustment(str(kind), target, number, percent, cond, self._loc_meta(meta),
                          self._loc_tok(value))

    @v_args(meta=True)
    def credit(self, meta: Any, children: list) -> Credit:
        label, pct, target, metric = children[:4]
        max_pct = D(str(children[5])[:-1]) if len(children) > 5 else None
        return Credit(str(label)[1:-1], D(str(pct)[:-1]), target,
                      Name(str(metric), self._loc_tok(metric)), max_pct, self._loc_meta(meta))

    @v_args(meta=True)
    def minimum(self, meta: Any, children: list) -> Minimum:
        return Minimum(children[0], D(str(children[1])), self._loc_meta(meta))

    @v_args(meta=True)
    def cap(self, meta: Any, children: list) -> Cap:
        return Cap(children[0], D(str(children[1])), self._loc_meta(meta))

    def body(self, children: list) -> tuple[Statement, ...]:
        return tuple(children)

    @v_args(meta=True)
    def when_block(self, meta: Any, children: list) -> When:
        cond = self._cond(children[0])
        otherwise = children[2] if len(children) > 2 else ()
        return When(cond, children[1], otherwise, self._loc_meta(meta))

    @v_args(meta=True)
    def rule_def(self, meta: Any, children: list) -> Rule:
        name, body = children
        return Rule(str(name), body, self._loc_meta(meta))

    def rules_file(self, children: list) -> list[Rule]:
        return list(children)

    def pricing(self, children: list) -> tuple[Statement, ...]:
        return children[0]

    def condition_only(self, children: list) -> Cond:
        return self._cond(children[0])


def _short(node: Any) -> str:
    from engine.rules.ast import node_text
    try:
        return node_text(node)
    except TypeError:
        return "?"


# ------------------------------------------------------------ syntax errors

_TIERS = 'charge "a" on hours graduated {\n'
_EXAMPLES_BODY: dict[str, list[str]] = {
    "missing_at": [
        _TIERS + "  up to 10 45\n  above at 1\n}\n",
        _TIERS + "  up to 10 at 4\n  above 1\n}\n",
        _TIERS + "  up 10 at 4\n  above at 1\n}\n",
    ],
    "missing_above": [
        _TIERS + "  up to 10 at 45\n  at 35\n}\n",
        _TIERS + "  up to 10 at 45\n  35\n}\n",
        _TIERS + "  at 35\n}\n",
    ],
    "percent_misplaced": [
        "discount labor by % 10\n",
        "discount labor by 10 %\n",
        "minimum total 10%\n",
        "cap total 10%\n",
        'charge "a" = hours * 10%\n',
        "discount labor by 10% when hours > 10%\n",
        'charge "a" on hours graduated {\n  up to 10 at 4%\n  above at 1\n}\n',
    ],
    "percent_expected": [
        'credit "a" 5 of services per sla.breaches\n',
        'credit "a" 5% of services per sla.breaches max 20\n',
    ],
    "unbalanced_open": [
        "when hours > 1 {\n  discount labor by 1%\n",
        'charge "a" on hours graduated {\n  up to 10 at 4\n  above at 1\n',
        "when hours > 1 {\n  discount labor by 1%\n} else {\n",
        "when (hours > 1 {\n}\n",
        'charge "a" = min(hours, 2\n',
        'charge "a" = (hours + 2\n',
    ],
    "unbalanced_close": [
        "discount labor by 1%\n}\n",
        "}\n",
        'charge "a" = hours)\n',
    ],
}


def _examples(start: str) -> list[tuple[str, list[str]]]:
    if start == START_RULES:
        out = [(label, ["rule r {\n" + ex + ("}\n" if not label.startswith("unbalanced") else "")
                        for ex in exs]) for label, exs in _EXAMPLES_BODY.items()]
        out.append(("unbalanced_open", ["rule r {\n"]))
        out.append(("unbalanced_close", ["rule r {\n}\n}\n"]))
        return out
    if start == START_PRICING:
        return list(_EXAMPLES_BODY.items())
    return [("unbalanced_open", ["(hours > 1\n", "min(hours, 1\n"]),
            ("unbalanced_close", ["hours > 1)\n"])]


@lru_cache(maxsize=4)
def _example_positions(start: str) -> tuple[tuple[str, int, frozenset[str]], ...]:
    """(label, LALR state, accepted tokens) of every example error, computed once."""
    out: list[tuple[str, int, frozenset[str]]] = []
    for label, examples in _examples(start):
        for example in examples:
            try:
                get_parser().parse(example, start=start)
            except UnexpectedInput as exc:
                position = getattr(exc.state, "position", None)
                if position is not None:
                    accepts = frozenset(getattr(exc, "accepts", None) or ())
                    out.append((label, position, accepts))
    return tuple(out)


def _match_by_position(exc: UnexpectedInput, start: str) -> str | None:
    """Fallback for ``match_examples``, which also compares the depth of the parser
    stack: an error inside a nested ``when`` or after leading blank lines is in
    the same LALR state as its example but deeper.  Here only the state counts."""
    position = getattr(exc.state, "position", None)
    if position is None:
        return None
    accepts = frozenset(getattr(exc, "accepts", None) or ())
    for label, example_position, example_accepts in _example_positions(start):
        if position == example_position and (not accepts or not example_accepts
                                             or accepts == example_accepts):
            return label
    return None


_MESSAGES = {
    "missing_at": "a tier needs `at` before its price: write `up to N at PRICE` or "
                  "`above at PRICE`",
    "missing_above": "expected a tier here: `up to N at PRICE [plus FEE flat]`, or the last "
                     "tier `above at PRICE`; did you leave out `above`?",
    "percent_misplaced": "a percentage is not allowed here; `%` goes directly after a number "
                         "(`10%`) and only in discount/surcharge/credit amounts; minimum, cap, "
                         "tier prices and expressions take plain money like `1000.00`",
    "percent_expected": "a credit takes percentages: write e.g. "
                        "`credit \"SLA credit\" 5% of services per sla.breaches max 20%`",
    "unbalanced_open": "unbalanced braces or parentheses: something opened here is never closed",
    "unbalanced_close": "unbalanced braces or parentheses: this closes something that was "
                        "never opened; remove it or add the missing opener",
}

_TOKEN_WORDS = {
    "NAME": "a metric or amount name", "NUMBER": "a number", "PERCENT": "a percentage like 10%",
    "STRING": 'a quoted label like "Setup"', "RULE_NAME": "a rule name like device-tiers",
    "_NL": "end of line", "$END": "end of input", "DATE": "a date", "COMPOP": "a comparison",
    "ADDOP": "`+` or `-`", "MULOP": "`*` or `/`", "_ELSE": "`else`",
}


def _describe_token(name: str) -> str:
    if name in _TOKEN_WORDS:
        return _TOKEN_WORDS[name]
    try:
        term = get_parser().get_terminal(name)
    except KeyError:
        return name
    return f"`{term.pattern.value}`" if term.pattern.type == "str" else name.lower()


def _describe_found(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return "end of the text"
        if tok.type == "_NL":
            return "end of the line"
        return f"`{tok}`"
    if isinstance(exc, UnexpectedCharacters):
        return f"`{exc.char}`" if exc.char not in "\r\n" else "end of the line"
    return "end of the text"


def _error_position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    """1-based (line, col) in the parsed text.  The end-of-input token points at
    the last character of real content, not past it."""
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return exc.token.line or 1, exc.token.column or 1
    if isinstance(exc, UnexpectedCharacters):
        return exc.line, exc.column
    stripped = text.rstrip()
    lines = stripped.split("\n")
    return len(lines), max(1, len(lines[-1]))


def _syntax_diagnostics(exc: UnexpectedInput, src: Source, start: str, parse_text: str,
                        scan: Scan) -> list[Diagnostic]:
    parser = get_parser()
    try:
        label = exc.match_examples(lambda s: parser.parse(s, start=start), _examples(start),
                                   use_accepts=True)
    except AssertionError:       # an error raised without parser state
        label = None
    if label is None:
        label = _match_by_position(exc, start)
    # Examples match on parser state; keep a percent label only when the error is
    # really about a `%` (the same state also fails on unrelated tokens).
    percent_here = ((isinstance(exc, UnexpectedCharacters) and exc.char == "%")
                    or (isinstance(exc, UnexpectedToken) and exc.token.type == "PERCENT"))
    if label == "percent_misplaced" and not percent_here:
        label = None
    if label == "percent_expected" and not (isinstance(exc, UnexpectedToken)
                                            and exc.token.type == "NUMBER"):
        label = None
    if label is None and isinstance(exc, UnexpectedCharacters) and exc.char == "%":
        label = "percent_misplaced"
    if label is None and isinstance(exc, UnexpectedToken) and exc.token.type == "PERCENT":
        label = "percent_misplaced"
    if label is None and (scan.unclosed or scan.stray):
        label = "unbalanced_open" if scan.unclosed else "unbalanced_close"

    line, col = _error_position(exc, parse_text)
    found = _describe_found(exc)
    if label == "unbalanced_open" and scan.unclosed:
        ch, line, col = scan.unclosed[-1]
        closer = "}" if ch == "{" else ")"
        message = f"this `{ch}` is never closed; add the matching `{closer}`"
    elif label == "unbalanced_close" and scan.stray:
        ch, line, col = scan.stray
        message = f"this `{ch}` has no matching opener; remove it or add the missing opener"
    elif label is not None:
        message = f"unexpected {found}: {_MESSAGES[label]}"
    else:
        expected: set[str] = set()
        if isinstance(exc, UnexpectedToken):
            expected = set(exc.accepts or exc.expected)
        elif isinstance(exc, UnexpectedCharacters):
            expected = set(exc.allowed or ())
        words = sorted({_describe_token(e) for e in expected if not e.startswith("__")})
        hint = f"; expected {', '.join(words)}" if words and len(words) <= 12 else ""
        message = f"unexpected {found}{hint}"
    return [src.error(line, col, "rule-syntax", message + src.caret(line, col))]


# -------------------------------------------------------------- entry points


_BIG_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])[0-9]{13,}(?:\.[0-9]+)?")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# Parse trees of texts that parsed, by (start rule, text). A tree's positions
# are relative to its text and the transformer never changes it, so the many
# contracts that share one pricing: block (at different places in different
# files) are parsed once and only built into an AST, with their own
# positions, each time. Bounded: cleared when full; long texts are not kept.
_TREES: dict[tuple[str, str], Tree] = {}
_TREES_MAX = 512
_TREE_TEXT_MAX = 16 * 1024
# Texts that passed ``_guard``, with their scan: its answer depends on the text
# alone when there is nothing to report (problems carry src's positions).
_PASSED: dict[str, Scan] = {}


def _guard(src: Source) -> tuple[Scan | None, list[Diagnostic]]:
    scan = _PASSED.get(src.text)
    if scan is not None:
        return scan, []
    size = len(src.text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return None, [src.error(1, 1, "rule-too-large",
                                f"rule text is {size} bytes, over the {MAX_BYTES // 1024} KiB "
                                "limit; split it into several smaller rules files")]
    text = src.text
    bad = next((i for i, ch in enumerate(text) if ch == "\x00" or (ch < " " and ch not in "\t\n\r")),
               -1)
    if bad >= 0:
        line, col = _line_col(text, bad)
        return None, [src.error(line, col, "rule-bad-char",
                                f"control character U+{ord(text[bad]):04X} in rule text; rule files "
                                "are plain text, remove it (was the file saved by a binary tool?)")]
    too_big = []
    for match in _BIG_NUMBER.finditer(text):
        line, col = _line_col(text, match.start())
        if "#" in text[text.rfind("\n", 0, match.start()) + 1:match.start()]:
            continue   # inside a comment
        too_big.append(src.error(line, col, "rule-number",
                                 f"{match.group()} is too large: numbers in rules stay below "
                                 f"1,000,000,000,000; check for a typo" + src.caret(line, col)))
    if too_big:
        return None, too_big
    scan = scan_structure(text)
    if scan.too_deep is not None:
        line, col = scan.too_deep
        return None, [src.error(line, col, "rule-too-deep",
                                f"`{{`/`(` nested deeper than {MAX_DEPTH} levels; flatten the "
                                "rule (combine conditions with `and`, or split it into several "
                                "rules)" + src.caret(line, col))]
    if len(text) <= _TREE_TEXT_MAX:
        if len(_PASSED) >= _TREES_MAX:
            _PASSED.clear()
        _PASSED[text] = scan
    return scan, []


def _parse(src: Source, start: str, text: str) -> tuple[Any, list[Diagnostic], UnexpectedInput | None]:
    key = (start, text)
    tree = _TREES.get(key)
    if tree is None:
        try:
            tree = get_parser().parse(text, start=start)
        except UnexpectedInput as exc:
            return None, [], exc
        if len(text) <= _TREE_TEXT_MAX:
            if len(_TREES) >= _TREES_MAX:
                _TREES.clear()
            _TREES[key] = tree
    builder = _Builder(src)
    result = builder.transform(tree)
    return result, builder.diags, None


def _blank_outside(text: str, start: int, end: int) -> str:
    """Keep text[start:end]; replace everything else by spaces (newlines kept) so
    positions in the piece are unchanged."""
    def blank(part: str) -> str:
        return "".join(ch if ch == "\n" else " " for ch in part)
    return blank(text[:start]) + text[start:end] + blank(text[end:])


def parse_rules_file(text: str, file: str) -> tuple[dict[str, Rule], list[Diagnostic]]:
    """Named rules of a ``.rules`` file; duplicate names are errors (the first wins).

    On a syntax error the file is re-parsed one top-level block at a time, so
    every broken rule is reported and the good ones are still returned (which
    keeps "unknown rule name" errors elsewhere from cascading).
    """
    src = Source(text, file)
    scan, diags = _guard(src)
    if scan is None:
        return {}, diags
    parse_text = text + "\n"
    result, more, exc = _parse(src, START_RULES, parse_text)
    rules: list[Rule] = []
    if exc is None:
        rules = result
        diags += more
    elif scan.unclosed or scan.stray or len(scan.segments) < 2:
        diags += _syntax_diagnostics(exc, src, START_RULES, parse_text, scan)
    else:
        previous_end = 0
        pieces = [(s, e) for s, e in scan.segments]
        if text[pieces[-1][1]:].strip(" \t\r\n"):
            pieces.append((pieces[-1][1], len(text)))
        for seg_start, seg_end in pieces:
            piece = _blank_outside(text, previous_end, seg_end) + "\n"
            previous_end = seg_end
            result, more, exc = _parse(src, START_RULES, piece)
            if exc is None:
                rules += result
                diags += more
            else:
                diags += _syntax_diagnostics(exc, src, START_RULES, piece, scan_structure(piece))
    out: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in out:
            first = out[rule.name].loc
            diags.append(Diagnostic(file, rule.loc.line, rule.loc.col, "rule-duplicate", ERROR,
                                    f"rule '{rule.name}' is defined twice (first at line "
                                    f"{first.line}); rename or remove one of them"))
        else:
            out[rule.name] = rule
    return out, diags


def parse_pricing(text: str, file: str, first_line: int, indent: int
                  ) -> tuple[tuple[Statement, ...], list[Diagnostic]]:
    """Statements of a contract's ``pricing:`` block scalar.

    ``text`` is the block's content; its line i (0-based) is file line
    ``first_line + i`` and its column c (1-based) is file column ``indent + c``.
    """
    src = Source(text, file, first_line, indent)
    scan, diags = _guard(src)
    if scan is None:
        return (), diags
    parse_text = text + "\n"
    result, more, exc = _parse(src, START_PRICING, parse_text)
    if exc is not None:
        return (), diags + _syntax_diagnostics(exc, src, START_PRICING, parse_text, scan)
    return result, diags + more


def parse_condition(text: str, file: str = "<where>") -> tuple[Cond | None, list[Diagnostic]]:
    """A lone condition, e.g. ``type == "block_hours" and end < 2026-12-31``."""
    src = Source(text, file)
    scan, diags = _guard(src)
    if scan is None:
        return None, diags
    if not text.strip():
        return None, [src.error(1, 1, "rule-syntax",
                                "the condition is empty; write e.g. `type == \"recurring\"`")]
    parse_text = text + "\n"
    result, more, exc = _parse(src, START_CONDITION, parse_text)
    if exc is not None:
        return None, diags + _syntax_diagnostics(exc, src, START_CONDITION, parse_text, scan)
    if more:
        return None, diags + more
    return result, diags

