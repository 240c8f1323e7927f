"""Write docs/http.md, the HTTP reference, from the app's own OpenAPI document.

    python scripts/http_reference.py           # rewrite docs/http.md
    python scripts/http_reference.py --check   # exit 1 if docs/http.md is stale

The document is the one `GET /openapi.json` serves (web/openapi.py), built for the shipped
policy in a throwaway data dir with settings given here (never the environment's), so the
page depends on the code only. tests/foundation/test_reference_docs.py fails when it is
stale.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "http.md"
METHODS = ("get", "head", "post", "put", "patch", "delete")

HEADER = """# HTTP reference

Generated from the OpenAPI document the server publishes (`GET /openapi.json`; the
interactive form is at `/api/docs`) by `scripts/http_reference.py`; do not edit by hand
(a test fails when this page and the code disagree). Every error answer has the body
`{"error": {"code": "...", "message": "..."}}`. Signed-in operations take the bearer
token from `POST /api/v1/tokens` or the console's session cookie (then unsafe methods
also need the session's CSRF token). Pages for people (the front door, /apply, /me,
/verify, /transparency, the console) are not listed: they are HTML, described in
[interface.md](interface.md).
"""


def openapi_document() -> dict[str, Any]:
    """The served document, from a throwaway data dir on the default policy."""
    from pydantic import SecretStr

    from cityid.bootstrap import open_runtime
    from cityid.datadir import init_data_dir
    from cityid.settings import Settings
    from cityid.web.app import create_app
    from cityid.web.openapi import describe

    with tempfile.TemporaryDirectory(prefix="cityid-http-doc-") as scratch:
        data_dir = Path(scratch) / "data"
        settings = Settings(
            data_dir=data_dir,
            database_url=None,
            keystore_passphrase=SecretStr(secrets.token_urlsafe(24)),
            insecure_cookies=False,
            public_base_url=None,
        )
        init_data_dir(data_dir, settings, admin_password=secrets.token_urlsafe(24))
        runtime = open_runtime(data_dir, settings)
        try:
            return describe(create_app(runtime))
        finally:
            runtime.close()


def _cell(text: Any) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _schema_text(schema: dict[str, Any]) -> str:
    """A schema in a few words: a `$ref` by name, else its type and constraints."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    for combiner in ("anyOf", "oneOf", "allOf"):
        if combiner in schema:
            return " or ".join(_schema_text(s) for s in schema[combiner])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_schema_text(schema.get('items', {}))}"
    extras = []
    if "enum" in schema:
        extras.append(" \\| ".join(f"`{v}`" for v in schema["enum"]))
    if "const" in schema:
        extras.append(f"`{schema['const']}`")
    if "pattern" in schema:
        extras.append(f"pattern `{schema['pattern']}`")
    if "format" in schema:
        extras.append(schema["format"])
    for key, word in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "max length")):
        if key in schema:
            extras.append(f"{word} {schema[key]}")
    return kind + (f" ({', '.join(extras)})" if extras else "")


def _bodies(answer: dict[str, Any]) -> str:
    """`media`: schema, for each media type an answer has; errors all share one body."""
    shown = []
    for media, content in sorted(answer.get("content", {}).items()):
        schema = content.get("schema")
        shown.append(f"`{media}`: {_schema_text(schema)}" if schema else f"`{media}`")
    return _cell(", ".join(shown))


def _operation(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if operation.get("summary"):
        lines += [f"**{_cell(operation['summary'])}**", ""]
    if operation.get("description"):
        lines += [" ".join(operation["description"].split()), ""]
    signed_in = bool(operation.get("security"))
    lines += [
        f"Sign-in: {'bearer token or console session' if signed_in else 'none (public)'}.",
        "",
    ]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += [
            "| parameter | in | required | schema | meaning |",
            "| --- | --- | --- | --- | --- |",
        ]
        for p in parameters:
            lines.append(
                f"| `{p['name']}` | {p['in']} | {'yes' if p.get('required') else 'no'} "
                f"| {_cell(_schema_text(p.get('schema', {})))} | {_cell(p.get('description'))} |"
            )
        lines.append("")
    body = operation.get("requestBody")
    if body:
        for media, content in sorted(body.get("content", {}).items()):
            lines.append(f"Body (`{media}`): {_schema_text(content.get('schema', {}))}.")
        lines.append("")
    lines += ["| answer | meaning | body |", "| --- | --- | --- |"]
    for status, answer in sorted(operation.get("responses", {}).items()):
        lines.append(f"| {status} | {_cell(answer.get('description'))} | {_bodies(answer)} |")
    return [*lines, ""]


def _schemas(schemas: dict[str, Any]) -> list[str]:
    lines = ["## Schemas", ""]
    for name in sorted(schemas):
        schema = schemas[name]
        lines += [f"### {name}", ""]
        if schema.get("description"):
            lines += [" ".join(schema["description"].split()), ""]
        properties = schema.get("properties")
        if not properties:
            lines += [f"{_schema_text(schema)}.", ""]
            continue
        required = set(schema.get("required", []))
        lines += ["| field | required | schema | meaning |", "| --- | --- | --- | --- |"]
        for field, spec in properties.items():
            lines.append(
                f"| `{field}` | {'yes' if field in required else 'no'} "
                f"| {_cell(_schema_text(spec))} | {_cell(spec.get('description'))} |"
            )
        lines.append("")
    return lines


def render(document: dict[str, Any] | None = None) -> str:
    """The whole page, as text: operations by tag, then the schemas."""
    document = document if document is not None else openapi_document()
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, item[method]))
    lines = [HEADER, f"API version {document['info']['version']}.", ""]
    for tag in sorted(by_tag):
        lines += [f"## {tag}", ""]
        for path, method, operation in sorted(by_tag[tag]):
            lines += _operation(method, path, operation)
    lines += _schemas(document.get("components", {}).get("schemas", {}))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/http.md is stale")
    parser.add_argument("--json", action="store_true", help="print the OpenAPI document instead")
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(openapi_document(), indent=2, sort_keys=True))
        return 0
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("docs/http.md is stale: run python scripts/http_reference.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
