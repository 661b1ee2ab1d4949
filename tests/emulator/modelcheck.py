"""Validate JSON answers against a definition of a vendored Amazon Swagger model.

``validate("orders", "SearchOrdersResponse", body)`` raises ``jsonschema.ValidationError``
when ``body`` does not fit. ``#/definitions/...`` references resolve inside the model file.
By default validation is *strict*: objects may not carry properties the model does not
declare (unless the model says ``additionalProperties``), which catches misspelt or invented
fields that plain Swagger validation lets through. ``date-time`` strings are checked.
"""

import copy
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jsonschema

MODELS_DIR = Path(__file__).resolve().parents[2] / "spapi_emulator" / "models"
ALIASES = {
    "orders": "orders-api-model/orders_2026-01-01.json",
    "orders2026": "orders-api-model/orders_2026-01-01.json",
    "ordersV0": "orders-api-model/ordersV0.json",
    "sellers": "sellers-api-model/sellers.json",
    "notifications": "notifications-api-model/notifications.json",
    "feeds": "feeds-api-model/feeds_2021-06-30.json",
    "listings": "listings-items-api-model/listingsItems_2021-08-01.json",
    "fbaInventory": "fba-inventory-api-model/fbaInventory.json",
}

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value).tzinfo is not None


@lru_cache
def load_model(model: str) -> dict:
    """A model by alias (``orders``, ``sellers``...) or path relative to the models folder."""
    path = MODELS_DIR / ALIASES.get(model, model)
    return json.loads(path.read_text(encoding="utf-8"))


def _forbid_extra_properties(schema, keep_open=False):
    """Close every object schema that lists properties and says nothing about extras."""
    if not isinstance(schema, dict):
        return
    if "properties" in schema and "additionalProperties" not in schema and not keep_open:
        schema["additionalProperties"] = False
    for child in schema.get("properties", {}).values():
        _forbid_extra_properties(child)
    for key in ("items", "additionalProperties"):
        _forbid_extra_properties(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key, ()):
            _forbid_extra_properties(child, keep_open=True)


@lru_cache
def _validator(model: str, definition: str, strict: bool):
    definitions = copy.deepcopy(load_model(model)["definitions"])
    if definition not in definitions:
        raise KeyError(f"{definition} is not a definition of {model}")
    if strict:
        # Definitions combined with allOf must stay open, or each part rejects the others.
        combined = {
            ref["$ref"].rsplit("/", 1)[-1]
            for schema in definitions.values()
            for ref in schema.get("allOf", ())
            if "$ref" in ref
        }
        for name, schema in definitions.items():
            _forbid_extra_properties(schema, keep_open=name in combined)
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions}
    return jsonschema.Draft4Validator(schema, format_checker=FORMATS)


def errors(model: str, definition: str, instance, strict=True) -> list:
    """Readable validation errors (empty when the instance fits)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in _validator(model, definition, strict).iter_errors(instance)
    ]


def validate(model: str, definition: str, instance, strict=True) -> None:
    """Raise ``jsonschema.ValidationError`` (all problems in its message) if it does not fit."""
    problems = errors(model, definition, instance, strict)
    if problems:
        raise jsonschema.ValidationError(
            f"{definition} ({model}) does not fit:\n  " + "\n  ".join(problems[:20])
        )
