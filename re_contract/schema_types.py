"""The building blocks of the testbed schema: value types that say what they expect.

Every value type carries an :class:`Expect` marker: the words an error message uses for it
("expected an integer 0..65535, got 'abc'").  :mod:`re_contract.problems` finds the marker of
the value at an error's location, so the schema, the messages and the JSON Schema (where the
words become the description an editor shows) come from one declaration.
"""

from __future__ import annotations

import itertools
import reprlib
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "CUSTOM_ERROR",
    "EnvName",
    "Expect",
    "Flag",
    "Host",
    "Name",
    "Port",
    "RpcArgument",
    "Seconds",
    "Section",
    "Text",
    "XmlName",
    "refuse",
    "show",
]

#: The pydantic error type of the schema's own checks; its context holds ``expected`` and,
#: optionally, ``got`` (the value as shown) and ``at`` (a key under the error's location).
CUSTOM_ERROR = "testbed"



class _BoundedRepr(reprlib.Repr):
    """``reprlib`` limits (a value is never rendered whole), mappings in file order."""

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        """Return ``{k: v, ...}`` with at most ``maxdict`` items, in insertion order."""
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = list(itertools.islice(x.items(), self.maxdict))
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in items]
        return "{" + ", ".join(pieces) + (", ..." if len(x) > self.maxdict else "") + "}"


_REPR = _BoundedRepr()  # Python 3.11's Repr takes no keyword arguments
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring, _REPR.maxother = 3, 4, 4, 50, 50
#: The longest value a message shows; longer ones end in "...".
SHOWN = 60


def show(value: object) -> str:
    """Return ``value`` as a message shows it: YAML words for null and booleans, else a repr
    bounded in size whatever the value (an alias bomb is never rendered whole)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _REPR.repr(value)
    return text if len(text) <= SHOWN else f"{text[:SHOWN - 3]}..."


@dataclass(frozen=True, slots=True)
class Expect:
    """What a value must be, in the words of an error message (``"an integer 0..65535"``)."""

    text: str

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Return the JSON Schema of the value, described by these words unless it has some."""
        value = handler(schema)
        if "$ref" not in value:
            value.setdefault("description", self.text)
        return value


def refuse(expected: str, got: str | None = None, at: str | None = None) -> PydanticCustomError:
    """Return the error a schema check raises: ``expected`` at its location (or at key ``at``
    under it), showing ``got`` instead of the value when given."""
    context: dict[str, Any] = {"expected": expected}
    if got is not None:
        context["got"] = got
    if at is not None:
        context["at"] = at
    return PydanticCustomError(CUSTOM_ERROR, "expected {expected}", context)


class Section(BaseModel):
    """A mapping of the testbed: strict types (YAML's), no unknown keys, no nulls, frozen."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        """Refuse an explicit null: a key is given with a value or not at all."""
        if value is None:
            raise PydanticCustomError("null", "a value, not null")
        return value


#: A non-blank string.
Text = Annotated[str, Field(pattern=r"\S")]
#: A name of letters, digits, '_', '.', '-' (routers, faults, host names).
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
Host = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:%-]+$"), Expect("a host name or address")]
Port = Annotated[int, Field(ge=0, le=65535), Expect("an integer 0..65535")]
Seconds = Annotated[
    float, Field(gt=0, allow_inf_nan=False), Expect("a number of seconds > 0")
]
Flag = Annotated[bool, Expect("true or false")]
EnvName = Annotated[
    str,
    Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
    Expect("an environment variable name such as LAB_PASSWORD"),
]
#: An XML element name (junos: "request-halt", "get-route-engine-information").
XmlName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")]


def _rpc_argument(value: Any) -> str | int | bool:
    """Return an RPC argument: a string, an integer or true (an empty element)."""
    if isinstance(value, str | int | bool) and not isinstance(value, float):
        return value
    raise refuse("a string, an integer or true")


#: An RPC argument (a child element): a string, an integer or true (an empty element).
RpcArgument = Annotated[
    str | int | bool, PlainValidator(_rpc_argument, json_schema_input_type=str | int | bool)
]
