"""The extracted certificate: what one document says, typed, with its JSON form (docs/certificate-format.md).

Extraction builds it, the database keeps it, the review screen edits it, the compliance engine reads
it and ``coi extract`` prints it. A value that could not be read is ``None``, never a guess; ``fields``
says, per dotted path (``policies.0.limits.each_occurrence``), on which page a value was read and how
sure the reader was. ``from_dict`` refuses malformed input with a message naming each bad field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from typing import Any

LINES = ("general_liability", "automobile_liability", "umbrella_liability", "excess_liability",
         "workers_compensation", "other")
METHODS = ("acroform", "text", "ocr")
AGGREGATE_PER = ("policy", "project", "location", "other")
LIMIT_NAMES = (
    "each_occurrence", "damage_to_rented_premises", "medical_expense", "personal_advertising_injury",
    "general_aggregate", "products_completed_operations_aggregate", "combined_single_limit",
    "bodily_injury_per_person", "bodily_injury_per_accident", "property_damage_per_accident", "aggregate",
    "deductible_or_retention", "el_each_accident", "el_disease_each_employee", "el_disease_policy_limit",
)


class CertificateFormatError(ValueError):
    """Certificate JSON that does not follow the format; ``errors`` holds one ``path: problem`` per fault."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("certificate is malformed: " + "; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class FieldSource:
    """Where one value was read (page, 1-based) and the reader's confidence in it (None: not measured)."""

    confidence: float | None = None
    page: int | None = None


@dataclass(frozen=True)
class Producer:
    """The agency or broker that issued the certificate."""

    name: str | None = None
    contact: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Party:
    """A named party with its mailing address: the insured, or the certificate holder."""

    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Insurer:
    """An insurer affording coverage, by its letter on the form (A to F)."""

    letter: str
    name: str | None = None
    naic: str | None = None


@dataclass(frozen=True)
class Policy:
    """One filled-in row of the coverage grid; ``limits`` holds only the limits printed for the line."""

    line: str
    description: str | None = None
    insurer_letter: str | None = None
    policy_number: str | None = None
    effective_date: date | None = None
    expiration_date: date | None = None
    additional_insured: bool | None = None
    subrogation_waived: bool | None = None
    occurrence: bool | None = None
    aggregate_applies_per: str | None = None
    any_auto: bool | None = None
    statutory: bool | None = None
    limits: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Endorsement:
    """An attached endorsement page, by its printed form number (``CG 20 10``) and edition (``04 13``)."""

    form: str
    edition: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class ExtractedCertificate:
    """Everything read from one document; ``ok`` is False when it could not be read (``error`` says why)."""

    file: str | None
    ok: bool = True
    error: str | None = None
    method: str | None = None
    edition: str | None = None
    confidence: float = 0.0
    needs_review: bool = True
    issued_on: date | None = None
    producer: Producer = field(default_factory=Producer)
    named_insured: Party = field(default_factory=Party)
    insurers: tuple[Insurer, ...] = ()
    certificate_holder: Party = field(default_factory=Party)
    description_of_operations: str | None = None
    policies: tuple[Policy, ...] = ()
    endorsements: tuple[Endorsement, ...] = ()
    fields: Mapping[str, FieldSource] = field(default_factory=dict)

    @classmethod
    def unreadable(cls, file: str | None, error: str) -> ExtractedCertificate:
        """A document that could not be read, with the reason."""
        return cls(file=file, ok=False, error=error)

    @cached_property
    def memo(self) -> dict[str, Any]:
        """Values worked out from this certificate by whoever reads it often (it never changes, so they hold)."""
        return {}

    def source(self, path: str) -> FieldSource:
        """Where the value at ``path`` was read (an empty FieldSource when the reader recorded nothing)."""
        return self.fields.get(path) or FieldSource()

    def value_at(self, path: str) -> Any:
        """The value at dotted ``path`` (``policies.0.limits.each_occurrence``), None when absent."""
        node: Any = self
        for part in path.split("."):
            if isinstance(node, tuple):
                node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
            elif hasattr(node, "__dataclass_fields__"):  # a part of the certificate: only its own fields
                node = getattr(node, part) if part in node.__dataclass_fields__ else None
            elif isinstance(node, Mapping):
                node = node.get(part)
            else:
                return None
            if node is None:
                return None
        return node

    def coverage_period(self) -> tuple[date, date] | None:
        """The days this certificate proves coverage: from the latest effective date to the earliest expiry.

        Only policies showing both dates count. When its policies share no day in force, the period is
        the span from the earliest effective date to the latest expiry; None when no policy shows both.
        """
        dated = [(p.effective_date, p.expiration_date) for p in self.policies if p.effective_date and p.expiration_date]
        if not dated:
            return None
        common = (max(start for start, _ in dated), min(end for _, end in dated))
        return common if common[0] <= common[1] else (min(s for s, _ in dated), max(e for _, e in dated))

    def with_values(self, changes: Mapping[str, Any]) -> ExtractedCertificate:
        """A copy with the value at each dotted path replaced; CertificateFormatError if a value does not fit."""
        data = self.to_dict()
        for path, value in changes.items():
            _put(data, path, value.isoformat() if isinstance(value, date) else value)
        return ExtractedCertificate.from_dict(data)

    def confirmed(self, paths: tuple[str, ...] = ()) -> ExtractedCertificate:
        """A copy a person has checked: every value (and each of ``paths``) at full confidence, no review left."""
        sources = {path: FieldSource(1.0, source.page or 1) for path, source in self.fields.items()}
        sources.update({path: FieldSource(1.0, self.source(path).page or 1) for path in paths})
        return replace(self, fields=sources, confidence=1.0, needs_review=False)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (keys fixed, dates ISO, money whole dollars)."""
        return {
            "file": self.file, "ok": self.ok, "error": self.error, "method": self.method, "edition": self.edition,
            "confidence": self.confidence, "needs_review": self.needs_review, "issued_on": _iso(self.issued_on),
            "producer": vars_of(self.producer), "named_insured": vars_of(self.named_insured),
            "insurers": [vars_of(insurer) for insurer in self.insurers],
            "certificate_holder": vars_of(self.certificate_holder),
            "description_of_operations": self.description_of_operations,
            "policies": [_policy_dict(policy) for policy in self.policies],
            "endorsements": [vars_of(page) for page in self.endorsements],
            "fields": {path: vars_of(source) for path, source in self.fields.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> ExtractedCertificate:
        """Read the JSON form; absent keys are unread values, wrongly typed ones raise CertificateFormatError."""
        if not isinstance(data, Mapping):
            raise CertificateFormatError([f"(certificate): must be a JSON object, got {_kind(data)}"])
        read = _Reader(data, "")
        read.known(_TOP_KEYS)
        certificate = cls(
            file=read("file"), ok=read("ok", "flag", required=True) is True, error=read("error"),
            method=read.choice("method", METHODS), edition=read("edition"),
            confidence=_or(read("confidence", "score"), 0.0), needs_review=_or(read("needs_review", "flag"), True),
            issued_on=_day(read("issued_on", "day")),
            producer=Producer(**read.texts("producer", _field_names(Producer))),
            named_insured=Party(**read.texts("named_insured", _field_names(Party))),
            insurers=tuple(read.each("insurers", _insurer)),
            certificate_holder=Party(**read.texts("certificate_holder", _field_names(Party))),
            description_of_operations=read("description_of_operations"),
            policies=tuple(read.each("policies", _policy)),
            endorsements=tuple(read.each("endorsements", _endorsement)),
            fields=_sources(read),
        )
        if read.errors:
            raise CertificateFormatError(read.errors)
        return certificate


def vars_of(part: Any) -> dict[str, Any]:
    """A flat part (producer, party, insurer, endorsement, source) as a JSON object."""
    return {name: getattr(part, name) for name in _field_names(type(part))}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(each.name for each in fields(kind))
    return names


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_TOP_KEYS = tuple(each.name for each in fields(ExtractedCertificate))
_POLICY_FLAGS = ("additional_insured", "subrogation_waived", "occurrence", "any_auto", "statutory")


def _policy_dict(policy: Policy) -> dict[str, Any]:
    data = vars_of(policy)
    data.update(effective_date=_iso(policy.effective_date), expiration_date=_iso(policy.expiration_date),
                limits=dict(policy.limits))
    return data


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _insurer(read: _Reader) -> Insurer:
    return Insurer(read("letter", required=True) or "", read("name"), read("naic"))


def _endorsement(read: _Reader) -> Endorsement:
    return Endorsement(read("form", required=True) or "", read("edition"), read("page", "page"))


def _policy(read: _Reader) -> Policy:
    read.known(_field_names(Policy))
    limits = read.part("limits")
    limits.known(LIMIT_NAMES)
    return Policy(
        line=read.choice("line", LINES, required=True) or "other", description=read("description"),
        insurer_letter=read("insurer_letter"), policy_number=read("policy_number"),
        effective_date=_day(read("effective_date", "day")), expiration_date=_day(read("expiration_date", "day")),
        aggregate_applies_per=read.choice("aggregate_applies_per", AGGREGATE_PER),
        limits={name: limits(name, "dollars") for name in limits.data if name in LIMIT_NAMES},
        **{flag: read(flag, "flag") for flag in _POLICY_FLAGS},
    )


def _sources(read: _Reader) -> dict[str, FieldSource]:
    sources = read.part("fields")
    found = {}
    for path, entry in sources.data.items():
        source = _plain_source(entry)
        if source is None:  # not plainly well formed: the reader says what is wrong, if anything
            part = sources.part(path)
            source = FieldSource(part("confidence", "score"), part("page", "page"))
        found[_dotted(str(path))] = source
    return found


def _plain_source(entry: Any) -> FieldSource | None:
    """A well-formed source read at once (a certificate has dozens, and a bulk re-evaluation reads thousands)."""
    if type(entry) is not dict:
        return None
    confidence, page = entry.get("confidence"), entry.get("page")
    if confidence is not None and (type(confidence) not in (int, float) or not 0 <= confidence <= 1):
        return None
    if page is not None and (type(page) is not int or page < 1):
        return None
    return FieldSource(None if confidence is None else float(confidence), page)


def _dotted(path: str) -> str:
    """One spelling for list indexes: ``policies[0].occurrence`` -> ``policies.0.occurrence``."""
    return path.replace("[", ".").replace("]", "")


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "text": ("a string", lambda v: isinstance(v, str)),
    "flag": ("true or false", lambda v: isinstance(v, bool)),
    "score": ("a number from 0 to 1", lambda v: isinstance(v, int | float) and not isinstance(v, bool)
              and 0 <= v <= 1),
    "page": ("a page number (1 or more)", lambda v: _whole(v) and v >= 1),
    "dollars": ("a whole number of US dollars", lambda v: _whole(v) and v >= 0),
    "day": ("a YYYY-MM-DD date", _iso_day),
}


class _Reader:
    """Typed reads from one JSON object, collecting every problem named by its path (shared with nested readers)."""

    def __init__(self, data: Mapping[str, Any], path: str, errors: list[str] | None = None) -> None:
        self.data, self.path, self.errors = data, path, [] if errors is None else errors

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def __call__(self, key: str, kind: str = "text", required: bool = False) -> Any:
        value = self.data.get(key)
        if value is None:
            if required:
                self.errors.append(f"{self._where(key)}: is required")
            return None
        expected, fits = _KINDS[kind]
        if not fits(value):
            self.errors.append(f"{self._where(key)}: must be {expected}, got {value!r}")
            return None
        return float(value) if kind == "score" else value

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        value = self(key, required=required)
        if value is not None and value not in allowed:
            self.errors.append(f"{self._where(key)}: must be one of {', '.join(allowed)}, got {value!r}")
            return None
        return value

    def known(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self.errors.append(f"{self._where(key)}: unknown field; expected one of {', '.join(allowed)}")

    def part(self, key: str) -> _Reader:
        value = self.data.get(key) or {}
        if not isinstance(value, Mapping):
            self.errors.append(f"{self._where(key)}: must be an object, got {_kind(value)}")
            value = {}
        return _Reader(value, self._where(key), self.errors)

    def texts(self, key: str, names: tuple[str, ...]) -> dict[str, str | None]:
        part = self.part(key)
        return {name: part(name) for name in names}

    def each(self, key: str, build: Callable[[_Reader], Any]) -> list[Any]:
        items = self.data.get(key) or []
        if not isinstance(items, list):
            self.errors.append(f"{self._where(key)}: must be a list, got {_kind(items)}")
            return []
        built = []
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                built.append(build(_Reader(item, f"{self._where(key)}.{index}", self.errors)))
            else:
                self.errors.append(f"{self._where(key)}.{index}: must be an object, got {_kind(item)}")
        return built
