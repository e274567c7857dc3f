"""A committed JSON Schema as msgspec types: a submission parsed and validated in one pass.

The JSON Schema stays the single source of truth and the reference that explains errors
(scoring.validate). Checking a national run's 3,321 submissions through it costs more than
parsing them; msgspec, given types, parses and checks at once, in C, for a fraction of
that. ``reader_for`` translates the part of JSON Schema the submission schema uses into
msgspec Structs. Where msgspec cannot say exactly what the schema says, the translation is
stricter (a file it refuses goes the thorough way, and jsonschema names the problem) or
leaves the check to the caller, as follows:

- Text patterns of the form ``^[^…]*$`` (no control or invisible characters): the quick
  decoder does not run them per string; ``QuickReader.needs_checked`` looks at the raw
  bytes instead (no escape sequence, none of the excluded characters anywhere in the file)
  and, when it cannot tell, the checked decoder runs every pattern.
- The ISO date pattern becomes ``datetime.date``: stricter (the day must exist).
- Numbers ("type": "number") are decoded as JSON gives them (the decoder's float_hook), so
  no literal is rounded on the way; the caller checks their type and bounds
  (``number_bounds``).
- Keys constrained by ``propertyNames`` are not checked by the quick decoder: the caller
  accepts only keys it knows (the criteria set's leaf codes, valid by the same pattern),
  or gives them (``reader_for(keys=...)``): the object is then a Struct with a field per
  key, and any other key is refused.
- A JSON Schema integer may be written 36.0; msgspec's int may not: stricter.

Any keyword it does not know makes the translation fail (Untranslatable).
"""

from __future__ import annotations

import datetime as dt
import keyword
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import UNSET, Meta, UnsetType

DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TEXT_PATTERN = re.compile(r"\^\[\^([^\]\\]+)\]\*\$")  # ^[^<characters and ranges>]*$
_ANNOTATIONS = {"title", "description", "$comment", "examples"}
_KEYWORDS = {
    "object": {"type", "properties", "required", "additionalProperties", "propertyNames"},
    "array": {"type", "items", "minItems", "maxItems"},
    "string": {"type", "minLength", "maxLength", "pattern"},
    "integer": {"type", "minimum", "maximum"},
    "number": {"type", "minimum", "maximum"},
    "boolean": {"type"},
    None: {"enum"},
}


class Untranslatable(ValueError):
    """The schema uses something this translation cannot express exactly."""


@dataclass(frozen=True)
class QuickReader:
    """Decoders of one schema's documents (see the module's docstring for what each checks)."""

    quick: msgspec.json.Decoder     # text patterns left to needs_checked
    checked: msgspec.json.Decoder   # every pattern checked per string
    number_bounds: dict             # property name → (minimum, maximum) of its numbers
    excluded: frozenset             # characters some text pattern refuses (besides controls)
    structs: dict                   # the quick decoder's Struct classes by name ("Leaf", "Document"…)
    escapes: dict                   # property name (bytes) → escapes its text pattern lets through (b"nrt")
    openers: tuple = ()             # (b'"key": "', escapes) for the properties that let some through

    def needs_checked(self, raw: bytes) -> bool:
        """True unless the raw bytes prove every string passes every text pattern: none of
        the excluded characters, and no escape but \\" \\\\ \\/, or one the property
        whose value holds it allows (a line break, \\n, in an explanation). Each test is a
        byte search; the precise one runs only after a lead byte or a backslash is seen."""
        if b"\\" in raw and self.escapes_need_checked(raw, (escape.start() for escape in _OTHER_ESCAPE.finditer(raw))):
            return True
        for lead, precise in _lead_bytes(self.excluded):
            if lead in raw and precise.search(raw):
                return True
        return False

    def escapes_need_checked(self, raw: bytes, positions) -> bool:
        """True when an escape at one of ``positions`` (each a backslash followed by anything
        but a quote, a backslash or a slash, as _OTHER_ESCAPE finds them) is not one the text
        pattern of the property holding it lets through."""
        allowed = self._allowed_escape
        for at in positions:  # a loop, not any() over a generator: a national folder has 20,000 escapes
            if not allowed(raw, at):
                return True
        return False

    def excluded_bytes(self) -> tuple[bytes, set[bytes]]:
        """What the search for excluded characters in needs_checked looks for: the characters
        of one byte, and the UTF-8 forms of the longer ones. Text holding none of them holds
        no excluded character from U+0020 up (scoring.quick's one-pass scan)."""
        singles, longer = bytearray(), set()
        for char in sorted(self.excluded):
            if char >= " ":  # as _lead_bytes: control characters need no search
                encoded = char.encode("utf-8")
                if len(encoded) == 1:
                    singles += encoded
                else:
                    longer.add(encoded)
        return bytes(singles), longer

    def _allowed_escape(self, raw: bytes, at: int) -> bool:
        """Whether the escape at ``at`` sits in the value of a property that allows it: the
        string's opening quote is the nearest unescaped quote before it, and a plain key and
        a colon come right before that quote."""
        opening = raw.rfind(b'"', 0, at)
        while opening > 0 and raw[opening - 1] == 0x5C and _escaped(raw, opening):  # nearly always no backslash
            opening = raw.rfind(b'"', 0, opening)
        letter = raw[at + 1:at + 2]
        for opener, letters in self.openers:  # the usual layouts first: "key": "…" and "key":"…"
            if raw.endswith(opener, 0, opening + 1):
                start = opening + 1 - len(opener)  # the key's own opening quote: not escaped
                return letter in letters and (start == 0 or raw[start - 1] != 0x5C)
        key = _KEY_BEFORE_VALUE.search(raw[max(0, opening - 80):opening + 1])
        return key is not None and letter in self.escapes.get(key.group(1), b"")


def reader_for(schema: dict, *, name: str = "Root", float_hook=None, keys: dict | None = None) -> QuickReader:
    """The quick and checked decoders of a JSON Schema (its root a Struct called ``name``),
    or Untranslatable.

    ``keys``: property name → the only keys its object (one with additionalProperties) may
    hold, in their order; it is then read into a Struct with one optional field per key
    rather than a dict, and any other key is refused (stricter: the keys given must be
    valid by the object's propertyNames, which the caller sees to)."""
    quick = _Translator(schema, checked=False, keys=keys)
    checked = _Translator(schema, checked=True, keys=keys)
    root_quick, root_checked = quick.type_of(schema, name), checked.type_of(schema, name)
    return QuickReader(
        quick=msgspec.json.Decoder(root_quick, float_hook=float_hook),
        checked=msgspec.json.Decoder(root_checked, float_hook=float_hook),
        number_bounds=dict(quick.number_bounds),
        excluded=frozenset(quick.excluded),
        structs=dict(quick.structs),
        escapes={key.encode(): bytes(letters) for key, letters in quick.escapes.items()},
        openers=tuple((b'"%s"%s"' % (key.encode(), between), bytes(letters))
                      for key, letters in quick.escapes.items() if letters for between in (b": ", b":")),
    )


class _Translator:
    def __init__(self, schema: dict, *, checked: bool, keys: dict | None = None):
        self.defs = schema.get("$defs", {})
        self.checked = checked
        self.keys = keys or {}  # property → its only keys (see reader_for)
        self.made: dict[str, object] = {}  # $defs name → its type (one Struct class per definition)
        self.number_bounds: dict[str, tuple] = {}
        self.excluded: set[str] = set()
        self.structs: dict[str, type] = {}
        self.escapes: dict[str, bytes] = {}  # property → the escape letters all its text patterns allow

    def type_of(self, node: dict, name: str, *, field: str | None = None):
        ref = node.get("$ref")
        if ref is not None:
            if set(node) - _ANNOTATIONS - {"$ref"} or not ref.startswith("#/$defs/"):
                raise Untranslatable(f"$ref beside other keywords, or not local: {ref}")
            target = ref[len("#/$defs/"):]
            if self.defs[target].get("type") == "number":  # its bounds go under each property using it
                return self.type_of(self.defs[target], _struct_name(target), field=field)
            if target not in self.made:
                self.made[target] = self.type_of(self.defs[target], _struct_name(target), field=field)
            return self.made[target]
        json_type = node.get("type")
        words = set(node) - _ANNOTATIONS - {"$schema", "$id", "$defs"}
        if "enum" in node:
            json_type = None
        if not (json_type is None or isinstance(json_type, str)) or json_type not in _KEYWORDS or not words <= _KEYWORDS[json_type]:
            raise Untranslatable(f"unsupported keywords at {name}: {sorted(words)}")
        if json_type is None:
            values = node["enum"]
            if not values or not all(type(v) in (str, int) for v in values):
                raise Untranslatable("enum of other than strings and integers")
            return Literal[tuple(values)]
        if json_type == "object":
            return self._object(node, name, field)
        if json_type == "array":
            constraints = _meta(min_length=node.get("minItems"), max_length=node.get("maxItems"))
            return _annotated(list[self.type_of(node["items"], name + "Item")], constraints)
        if json_type == "string":
            return self._string(node)
        if json_type == "integer":
            return _annotated(int, _meta(ge=node.get("minimum"), le=node.get("maximum")))
        if json_type == "number":
            bounds = (node.get("minimum"), node.get("maximum"))
            if field is None or self.number_bounds.setdefault(field, bounds) != bounds:
                raise Untranslatable(f"number without a property name, or with two sets of bounds: {field}")
            return Any  # the caller checks type and bounds (see the module's docstring)
        return bool

    def _object(self, node: dict, name: str, field: str | None = None):
        properties = node.get("properties")
        extra = node.get("additionalProperties", True)
        if properties is not None:
            if extra is not False or "propertyNames" in node:
                raise Untranslatable(f"object {name} with properties must forbid other keys")
            required = set(node.get("required", ()))
            if not required <= set(properties):
                raise Untranslatable(f"object {name} requires an undeclared property")
            fields, rename = [], {}
            for index, (key, sub) in enumerate(properties.items()):
                attribute = key if key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_") else f"field_{index}"
                if attribute != key:
                    rename[attribute] = key
                kind = self.type_of(sub, _struct_name(key), field=key)
                self._note_escapes(key, sub)
                fields.append((attribute, kind) if key in required else (attribute, Union[kind, UnsetType], UNSET))
            return self._struct(name, fields, rename)
        if not isinstance(extra, dict) or "required" in node:
            raise Untranslatable(f"object {name} without properties needs an additionalProperties schema")
        names = node.get("propertyNames", {"type": "string"})
        if set(names) - _ANNOTATIONS - {"type", "pattern", "minLength", "maxLength"} or names.get("type", "string") != "string":
            raise Untranslatable(f"unsupported propertyNames at {name}")
        value = self.type_of(extra, name + "Entry")
        known = self.keys.get(field)
        if known is not None:  # only these keys (see reader_for): a field each, in their order
            return self._struct(name, [(f"key_{index}", Union[value, UnsetType], UNSET) for index in range(len(known))],
                                {f"key_{index}": key for index, key in enumerate(known)})
        key = _annotated(str, _meta(min_length=names.get("minLength"), max_length=names.get("maxLength"),
                                    pattern=_python_pattern(names["pattern"]) if self.checked and "pattern" in names else None))
        return dict[key, value]

    def _struct(self, name: str, fields: list, rename: dict):
        if name in self.structs:
            raise Untranslatable(f"two objects would be called {name}")
        made = self.structs[name] = msgspec.defstruct(name, fields, kw_only=True, forbid_unknown_fields=True,
                                                      gc=False, rename=rename or None, module=__name__)
        return made

    def _note_escapes(self, key: str, node: dict) -> None:
        """The escapes (\\t \\n \\r \\b \\f) a property's text pattern allows, kept per
        property name: the intersection over every place the name is used with one."""
        while "$ref" in node:
            node = self.defs[node["$ref"][len("#/$defs/"):]]
        match = _TEXT_PATTERN.fullmatch(node.get("pattern") or "") if node.get("type") == "string" else None
        if match is None:
            return
        excluded = _excluded_characters(match.group(1))
        allowed = bytes(letter for letter, char in _ESCAPES.items() if char not in excluded)
        known = self.escapes.get(key)
        self.escapes[key] = allowed if known is None else bytes(c for c in known if c in allowed)

    def _string(self, node: dict):
        pattern = node.get("pattern")
        lengths = dict(min_length=node.get("minLength"), max_length=node.get("maxLength"))
        if pattern == DATE_PATTERN:
            if not (lengths["min_length"] or 0) <= 10 <= (lengths["max_length"] or 10):
                raise Untranslatable("a date with lengths that refuse every date")
            return dt.date
        if pattern is not None and _TEXT_PATTERN.fullmatch(pattern):
            self.excluded |= _excluded_characters(_TEXT_PATTERN.fullmatch(pattern).group(1))
            if not self.checked:
                pattern = None  # left to QuickReader.needs_checked
        return _annotated(str, _meta(pattern=_python_pattern(pattern) if pattern else None, **lengths))


def _struct_name(key: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", key) if part) or "Object"


def _meta(**constraints):
    given = {k: v for k, v in constraints.items() if v is not None}
    return Meta(**given) if given else None


def _annotated(kind, meta):
    return kind if meta is None else Annotated[kind, meta]


_UNSAFE = re.compile(r"\\[dDwWsSbBpPkZAz0-9]|\(\?|\$.")  # classes and anchors whose meaning differs from ECMA-262


def _python_pattern(pattern: str) -> str:
    """An ECMA-262 pattern of the simple kind the schemas use, for Python's re.search.

    Python's "$" also matches before a final newline; "\\Z" does not, like ECMA's "$".
    Shorthand classes (\\d, \\w, \\s match more in Python) and groups with options are refused.
    """
    if not pattern.startswith("^") or not pattern.endswith("$") or pattern.endswith("\\$") or _UNSAFE.search(pattern):
        raise Untranslatable(f"pattern not anchored, or with constructs Python reads otherwise: {pattern}")
    return pattern[:-1] + r"\Z"


def _excluded_characters(ranges: str) -> set[str]:
    """The characters of a character class body such as "\\x00-\\x1f\\x7f" (no escapes)."""
    excluded, index = set(), 0
    while index < len(ranges):
        if index + 2 < len(ranges) and ranges[index + 1] == "-":
            excluded.update(chr(c) for c in range(ord(ranges[index]), ord(ranges[index + 2]) + 1))
            index += 3
        else:
            excluded.add(ranges[index])
            index += 1
    return excluded


# a backslash followed by anything but a quote, a backslash or a slash: \\n, \\t, \\u0007…
# (after an escaped backslash, "\\\\n" is also found: a false alarm only costs the checked decoder)
_OTHER_ESCAPE = re.compile(rb'\\[^"\\/]')
_ESCAPES = {ord("b"): "\b", ord("t"): "\t", ord("n"): "\n", ord("f"): "\f", ord("r"): "\r"}
# a plain key, a colon and the opening quote of its value, at the end of what is searched
_KEY_BEFORE_VALUE = re.compile(rb'(?<!\\)"([A-Za-z_$][A-Za-z0-9_$]*)"[ \t\r\n]*:[ \t\r\n]*"\Z')


def _escaped(raw: bytes, at: int) -> bool:
    """Whether the character at ``at`` is escaped: an odd run of backslashes before it."""
    run = at
    while run > 0 and raw[run - 1] == 0x5C:
        run -= 1
    return (at - run) % 2 == 1


_LEAD_CACHE: dict = {}


def _lead_bytes(excluded: frozenset):
    """Per first UTF-8 byte of the excluded characters: that byte, and a precise search for
    the characters starting with it. Control characters (below U+0020) are left out: raw in
    a string they make the JSON invalid, and escaped they need a backslash."""
    cached = _LEAD_CACHE.get(excluded)
    if cached is None:
        by_lead: dict[bytes, list[bytes]] = {}
        for char in sorted(excluded):
            if char >= " ":
                encoded = char.encode("utf-8")
                by_lead.setdefault(encoded[:1], []).append(encoded)
        cached = _LEAD_CACHE[excluded] = tuple(
            (lead, re.compile(b"|".join(re.escape(e) for e in sorted(encodings, key=len, reverse=True))))
            for lead, encodings in sorted(by_lead.items()))
    return cached
