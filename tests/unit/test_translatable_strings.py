"""No user-visible Python string of the addon escapes translation.

What a person reads comes from the addon's Python in a few ways: an exception raised to the
user, a message or summary on a sync log, a notification, an activity. Each must be a call
of ``self.env._(...)`` (or ``_(...)``) so that Odoo exports it to the .pot and shows it in the
user's language; a bare literal or an f-string would always show in English.
"""

import ast
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "amazon_connector"
SOURCES = sorted(
    path
    for folder in ("models", "wizards", "controllers")
    for path in (ADDON / folder).glob("*.py")
    if path.name != "__init__.py"
)
# Exceptions shown to the user as they are.
USER_ERRORS = {"UserError", "ValidationError", "AccessError", "RedirectWarning"}
# Calls whose first argument a user reads, and keyword arguments a user reads.
SHOWN_FIRST_ARGUMENT = {"add_message", "_notify", "_amazon_flag"}
SHOWN_KEYWORDS = {"summary", "message", "title", "note"}


def _is_literal_text(node):
    """A string a person would read, not passed through translation: a str constant or an
    f-string with words in it, or a concatenation or % of such (punctuation that joins
    translated parts is not text)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_is_literal_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    return False


def _name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def untranslated(tree):
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            shown = []
            if name in USER_ERRORS or name in SHOWN_FIRST_ARGUMENT:
                shown += node.args[:1]
            shown += [kw.value for kw in node.keywords if kw.arg in SHOWN_KEYWORDS]
            found += [arg for arg in shown if _is_literal_text(arg)]
        elif isinstance(node, ast.Dict):
            # Client notifications: {"title": ..., "message": ...}
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value in {"title", "message"}
                    and _is_literal_text(value)
                ):
                    found.append(value)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_user_visible_strings_go_through_translation(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    lines = [f"{path.name}:{node.lineno}: {ast.unparse(node)[:80]}" for node in untranslated(tree)]
    assert not lines, "shown to users without self.env._():\n" + "\n".join(lines)


def test_the_check_finds_what_escapes():
    escaped = ast.parse(
        "raise UserError('Choose a carrier')\n"
        "log.add_message(f'Order {ref} refused')\n"
        "run.log.finish(summary='Done.')\n"
        "x = {'title': 'Amazon', 'message': self.env._('ok')}\n"
    )
    kept = ast.parse(
        "raise UserError(self.env._('Choose a carrier'))\n"
        "log.add_message(self.env._('Order %(ref)s refused', ref=ref))\n"
        "run.log.finish(summary=self._summary(run), state='done')\n"
        "x = {'type': 'ir.actions.client', 'message': message}\n"
    )
    assert len(untranslated(escaped)) == 4
    assert untranslated(kept) == []
