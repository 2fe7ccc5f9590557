"""The published JSON Schema of testbeds (``testbeds/testbed.schema.json``) for editors.

It is generated from the schema the loader validates with (``python -m re_contract.schema``):
the committed file must be what the schema generates today, valid JSON Schema, accept the
shipped testbeds and refuse what the loader refuses for the same reason.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from re_contract import schema
from re_contract.testbed import default_testbed_path

TESTBEDS = default_testbed_path().parent
SCHEMA_FILE = TESTBEDS / "testbed.schema.json"
SHIPPED = ("emulated.yaml", "emulated-fleet.yaml", "emulated-fleet-100.yaml", "lab.example.yaml")
MODELINE = "# yaml-language-server: $schema=testbed.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(published)
    return jsonschema.Draft202012Validator(published)


def test_the_committed_schema_is_the_generated_one() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert schema.main() == 0
    assert SCHEMA_FILE.read_text(encoding="utf-8") == out.getvalue(), (
        "testbeds/testbed.schema.json is stale: regenerate it with "
        "`python -m re_contract.schema > testbeds/testbed.schema.json`")


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_testbeds_are_valid_and_name_the_schema(
    validator: jsonschema.Draft202012Validator, name: str
) -> None:
    text = (TESTBEDS / name).read_text(encoding="utf-8")
    assert text.splitlines()[0] == MODELINE
    assert [e.message for e in validator.iter_errors(yaml.safe_load(text))] == []


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return sorted(e.message for e in validator.iter_errors(data))


@pytest.mark.parametrize(("router", "fragment"), [
    ({"platform": "MX480", "emulatd": True}, "'emulatd' was unexpected"),
    ({"platform": "MX480", "re0": {"host": "h", "port": "830"}}, "'830' is not of type"),
    ({"platform": "MX480", "re0": {"host": "h", "port": 70000}}, "70000 is greater than"),
    ({"platform": "MX480", "host_keys": {"policy": "accept-new"}}, "'accept-new' is not one of"),
    ({"platform": "MX480", "re0": None}, "None is not of type 'object'"),
    ({"emulator": {"platform": {"re_slots": 3}}}, "3 is greater than the maximum of 2"),
])
def test_the_schema_refuses_what_the_loader_refuses(
    validator: jsonschema.Draft202012Validator, router: dict[str, Any], fragment: str
) -> None:
    errors = _errors(validator, {"routers": {"r1": router}})
    assert any(fragment in e for e in errors), errors


def test_a_router_name_the_loader_refuses_is_refused(
    validator: jsonschema.Draft202012Validator
) -> None:
    errors = _errors(validator, {"routers": {"r 1": {"platform": "MX480"}}})
    assert errors == ["'r 1' does not match '^[A-Za-z0-9_.-]+$'"]


def test_the_schema_file_is_packaged_beside_the_testbeds() -> None:
    assert Path(SCHEMA_FILE).is_file()
