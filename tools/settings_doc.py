"""Write docs/configuration.md from svidok.config.Settings: every setting, its variable, default and meaning.

    uv run python tools/settings_doc.py > docs/configuration.md

tests/test_config_docs.py fails when the committed page differs from what this prints.
"""

from __future__ import annotations

import ast
import inspect
import sys

from svidok import config


def comments() -> dict[str, str]:
    """The ``#:`` comment lines above each field; a field right below another without a comment of its
    own shares that one (``s3_bucket`` and ``s3_region``)."""
    tree = ast.parse(inspect.getsource(config))
    lines = inspect.getsource(config).splitlines()
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings")
    out: dict[str, str] = {}
    previous = ""
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            text, i = [], node.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#:"):
                text.insert(0, lines[i].strip()[2:].strip())
                i -= 1
            out[node.target.id] = " ".join(text) or previous
            previous = out[node.target.id]
    return out


def render() -> str:
    notes = comments()
    rows = ["# Configuration", "",
            "Every setting is an environment variable with the prefix `SVIDOK_` (or a line in a `.env`",
            "file read by the process manager). This page is generated from `src/svidok/config.py` by",
            "`tools/settings_doc.py`; a test fails when it is out of date.", "",
            "| variable | default | meaning |", "|---|---|---|"]
    for name, field in config.Settings.model_fields.items():
        default = field.default
        shown = "—" if default is None or default == [] else f"`{default}`"
        meaning = notes.get(name, "").replace("|", "\\|")
        rows.append(f"| `SVIDOK_{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
