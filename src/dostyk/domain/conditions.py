"""The condition language of rule profiles: small, parsed, checked, and never ``eval``-ed.

A rule's condition is an expression such as::

    post.neighbour == "CN" and any_item(item.origin != "CN")
    any_item(item.usual_count >= 5 and item.value_per_kg < 0.3 * item.usual_value_per_kg)

Grammar (lowest precedence first)::

    expr    := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=" | "in" | "not in") sum)?
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | atom
    atom    := NUMBER | STRING | "true" | "false" | "null" | "[" literals "]"
             | NAME | QUANTIFIER "(" expr ")" | "(" expr ")"

A NAME is one of the facts in :data:`DECLARATION_FACTS` or, inside ``any_item(…)`` /
``all_items(…)`` only, :data:`ITEM_FACTS`. Everything is checked when the profile is read —
unknown names, item facts outside a quantifier, a quantifier inside another, wrong types
against literals — so a rule that passes ``dostyk risk rules check`` cannot fail at assessment.
A fact the store does not know (no importer named, no usual value yet) is ``null``: any
comparison with it but ``== null`` / ``!= null`` is false, so an unknown never fires a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Facts about the declaration as a whole, with the type each holds.
DECLARATION_FACTS: Mapping[str, str] = {
    "declaration.kind": "text",
    "declaration.items": "number",
    "declaration.value": "number",
    "declaration.gross_mass_kg": "number",
    "post.code": "text",
    "post.neighbour": "text",
    "post.mode": "text",
    "importer.id": "text",
    "importer.released": "number",
    "declarant.id": "text",
    "seller.id": "text",
    "units.count": "number",
    "load.per_unit_kg": "number",
    "load.capacity_kg": "number",
    "mass.exceeds": "boolean",
    "mass.excess_share": "number",
    **{
        f"history.{who}.{what}": "number"
        for who in ("importer", "declarant", "seller", "post")
        for what in ("released", "inspected", "found", "found_rate")
    },
}
#: Facts about one item, usable inside a quantifier.
ITEM_FACTS: Mapping[str, str] = {
    "item.code": "text",
    "item.chapter": "text",
    "item.heading": "text",
    "item.hs6": "text",
    "item.origin": "text",
    "item.value": "number",
    "item.net_mass_kg": "number",
    "item.value_per_kg": "number",
    "item.usual_value_per_kg": "number",
    "item.usual_count": "number",
}
QUANTIFIERS = ("any_item", "all_items")
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", *QUANTIFIERS})

Facts = Mapping[str, Any]


class ConditionError(ValueError):
    """A condition that cannot be read; ``column`` is 1-based within the condition's text."""

    def __init__(self, reason: str, column: int) -> None:
        super().__init__(f"column {column}: {reason}")
        self.reason = reason
        self.column = column


# --- tokens ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>"[^"\\\n]*"|'[^'\\\n]*')
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, name, op, end
    text: str
    column: int


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise ConditionError(f"unexpected {text[column - 1]!r}", column)
        kind = match.lastgroup
        assert kind is not None
        found.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    found.append(Token("end", "", len(text) + 1))
    return found


# --- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a parsed condition: ``op`` and its operands (or its value for a leaf)."""

    op: str  # literal, fact, item-fact, not, and, or, compare, arith, neg, any_item, all_items
    value: Any = None
    args: tuple[Node, ...] = ()
    column: int = 0
    #: number, text, boolean, list, null
    kind: str = "boolean"


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.at = 0
        self.in_item = False

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "name") and token.text == text

    def expect(self, text: str) -> Token:
        token = self.peek()
        if not self.is_(text):
            raise ConditionError(f"expected {text!r}, found {_shown(token)}", token.column)
        return self.take()

    def parse(self) -> Node:
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise ConditionError(f"unexpected {_shown(token)}", token.column)
        _want(node, "boolean", "the condition")
        return node

    def expr(self) -> Node:
        return self._chain("or", self.conjunction)

    def conjunction(self) -> Node:
        return self._chain("and", self.negation)

    def _chain(self, connective: str, operand: Callable[[], Node]) -> Node:
        """Operands joined left to right by one boolean connective (``and`` binds tighter)."""
        node = operand()
        while self.is_(connective):
            column = self.take().column
            right = operand()
            node = Node(
                connective,
                args=(_want(node, "boolean", connective), _want(right, "boolean", connective)),
                column=column,
            )
        return node

    def negation(self) -> Node:
        if self.is_("not"):
            column = self.take().column
            return Node("not", args=(_want(self.negation(), "boolean", "not"),), column=column)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        token = self.peek()
        operator = None
        if token.kind == "op" and token.text in ("<", "<=", ">", ">=", "==", "!="):
            operator = self.take().text
        elif self.is_("in"):
            self.take()
            operator = "in"
        elif self.is_("not") and self.tokens[self.at + 1].text == "in":
            self.take()
            self.take()
            operator = "not in"
        if operator is None:
            return left
        right = self.sum()
        _check_comparison(operator, left, right, token.column)
        return Node("compare", operator, (left, right), token.column, "boolean")

    def sum(self) -> Node:
        node = self.product()
        while self.is_("+") or self.is_("-"):
            token = self.take()
            right = self.product()
            node = Node(
                "arith",
                token.text,
                (_want(node, "number", token.text), _want(right, "number", token.text)),
                token.column,
                "number",
            )
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.is_("*") or self.is_("/"):
            token = self.take()
            right = self.unary()
            node = Node(
                "arith",
                token.text,
                (_want(node, "number", token.text), _want(right, "number", token.text)),
                token.column,
                "number",
            )
        return node

    def unary(self) -> Node:
        if self.is_("-"):
            column = self.take().column
            return Node("neg", None, (_want(self.unary(), "number", "-"),), column, "number")
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Node("literal", float(token.text), column=token.column, kind="number")
        if token.kind == "string":
            return Node("literal", token.text[1:-1], column=token.column, kind="text")
        if token.kind == "op" and token.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if token.kind == "op" and token.text == "[":
            return self.listed(token)
        if token.kind == "name":
            return self.named(token)
        raise ConditionError(f"expected a value, found {_shown(token)}", token.column)

    def listed(self, opening: Token) -> Node:
        values: list[Any] = []
        kinds: set[str] = set()
        while not self.is_("]"):
            item = self.atom()
            if item.op != "literal" or item.kind not in ("number", "text"):
                raise ConditionError("a list holds numbers or texts only", item.column)
            values.append(item.value)
            kinds.add(item.kind)
            if not self.is_("]"):
                self.expect(",")
        self.take()
        if len(kinds) > 1:
            raise ConditionError("a list holds numbers or texts, not both", opening.column)
        kind = f"list:{kinds.pop()}" if kinds else "list:text"
        return Node("literal", tuple(values), column=opening.column, kind=kind)

    def named(self, token: Token) -> Node:
        name = token.text
        if name in ("true", "false"):
            return Node("literal", name == "true", column=token.column, kind="boolean")
        if name == "null":
            return Node("literal", None, column=token.column, kind="null")
        if name in QUANTIFIERS:
            if self.in_item:
                raise ConditionError(f"{name}(…) cannot be inside another", token.column)
            self.expect("(")
            self.in_item = True
            inner = _want(self.expr(), "boolean", name)
            self.in_item = False
            self.expect(")")
            return Node(name, None, (inner,), token.column, "boolean")
        if name in DECLARATION_FACTS:
            return Node("fact", name, column=token.column, kind=DECLARATION_FACTS[name])
        if name in ITEM_FACTS:
            if not self.in_item:
                raise ConditionError(
                    f"{name} is a fact of one item: use it inside any_item(…) or all_items(…)",
                    token.column,
                )
            return Node("item-fact", name, column=token.column, kind=ITEM_FACTS[name])
        if name in KEYWORDS:
            raise ConditionError(f"unexpected {name!r}", token.column)
        raise ConditionError(f"unknown fact {name!r} (see docs/selectivity.md)", token.column)


def _shown(token: Token) -> str:
    return "the end" if token.kind == "end" else repr(token.text)


def _want(node: Node, kind: str, where: str) -> Node:
    if node.kind != kind:
        raise ConditionError(f"{where} needs a {kind}, not a {node.kind}", node.column or 1)
    return node


def _check_comparison(operator: str, left: Node, right: Node, column: int) -> None:
    if operator in ("in", "not in"):
        if not right.kind.startswith("list:"):
            raise ConditionError(f"{operator!r} needs a [list] on its right", column)
        if left.kind != right.kind.removeprefix("list:"):
            raise ConditionError(
                f"a {left.kind} cannot be in a list of {right.kind.removeprefix('list:')}s", column
            )
        return
    if "null" in (left.kind, right.kind):
        if operator not in ("==", "!="):
            raise ConditionError("null is compared with == or != only", column)
        return
    if left.kind != right.kind:
        raise ConditionError(f"cannot compare a {left.kind} with a {right.kind}", column)
    if left.kind in ("text", "boolean") and operator not in ("==", "!="):
        raise ConditionError(f"a {left.kind} is compared with == or != only", column)


def parse(text: str) -> Node:
    """The condition's tree, or a :class:`ConditionError` naming the column and the reason."""
    if not text.strip():
        raise ConditionError("the condition is empty", 1)
    return _Parser(text).parse()


# --- evaluation --------------------------------------------------------------------------------

_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def holds(node: Node, facts: Facts, items: Sequence[Facts]) -> bool:
    """Whether the condition holds for a declaration's facts and its items' facts."""
    return bool(_value(node, facts, items, None))


def _value(node: Node, facts: Facts, items: Sequence[Facts], item: Facts | None) -> Any:
    op = node.op
    if op == "literal":
        return node.value
    if op == "fact":
        return facts.get(node.value)
    if op == "item-fact":
        assert item is not None, "checked when parsed"
        return item.get(node.value)
    if op == "and":
        return all(_value(a, facts, items, item) for a in node.args)
    if op == "or":
        return any(_value(a, facts, items, item) for a in node.args)
    if op == "not":
        return not _value(node.args[0], facts, items, item)
    if op == "any_item":
        return any(_value(node.args[0], facts, items, one) for one in items)
    if op == "all_items":
        return bool(items) and all(_value(node.args[0], facts, items, one) for one in items)
    if op == "neg":
        operand = _value(node.args[0], facts, items, item)
        return None if operand is None else -operand
    left = _value(node.args[0], facts, items, item)
    right = _value(node.args[1], facts, items, item)
    if op == "arith":
        if left is None or right is None:
            return None
        if node.value == "/":
            return None if right == 0 else left / right
        return {"+": left + right, "-": left - right, "*": left * right}[node.value]
    assert op == "compare"
    if node.value in ("==", "!=") and (left is None or right is None):
        return _COMPARE[node.value](left, right)
    if left is None or right is None:
        return False
    return _COMPARE[node.value](left, right)
