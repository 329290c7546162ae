"""Reading content/ into validated models, reporting every problem at once.

An editor who fixes one error only to meet the next is an editor who stops trusting the tool, so
nothing here stops at the first problem: syntax, schema, form rules and cross-file references are
all collected, located by file, line and key, and raised together.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sitegen.content.bundle import Content
from sitegen.content.dated import dated_problems
from sitegen.content.errors import ContentError, ContentInvalid, format_key
from sitegen.content.formrules import form_problems
from sitegen.content.models import (
    CATEGORIES,
    SLUG_PATTERN,
    CatalogueEService,
    Clinic,
    LocalEntry,
    Question,
    Site,
)
from sitegen.content.recipient import asked_first
from sitegen.content.references import Lender, readable_offers, reference_problems, site_problems
from sitegen.content.yamlsource import YamlDocument, YamlSyntaxError, read_yaml

M = TypeVar("M", bound=BaseModel)

_ENTRY_TAGS = {"use", "borrow", "local", "hand", "booking"}


def _clean_loc(data: Any, loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Pydantic's error location without union tags, as a path an editor can follow.

    Union members ('str', 'list[str]') and entry tags are pydantic's bookkeeping, not keys the
    editor wrote; only keys and indexes that exist in the data are kept, plus a final missing key.
    """
    parts = list(loc)
    # An entry of `eservices` carries its kind tag right after its index.
    for i in range(len(parts) - 2):
        if parts[i] == "eservices" and isinstance(parts[i + 1], int) and parts[i + 2] in _ENTRY_TAGS:
            del parts[i + 2]
            break
    cleaned: list[str | int] = []
    node = data
    for index, part in enumerate(parts):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            cleaned.append(part)
            node = node[part]
        elif index == len(parts) - 1 and isinstance(node, dict) and isinstance(part, str):
            cleaned.append(part)  # the missing key itself
    return tuple(cleaned)


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _message(error: dict[str, Any], data: Any, loc: tuple[str | int, ...]) -> str:
    """Pydantic's message in plain Swedish for the errors editors meet."""
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "obligatorisk nyckel saknas"
    if kind == "extra_forbidden":
        return "okänd nyckel (stavfel?)"
    if kind == "literal_error" and loc and loc[-1] == "category":
        return f"'{value}' är ingen kategori; tillåtna är: {', '.join(CATEGORIES)}"
    if kind == "literal_error":
        expected = str((error.get("ctx") or {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"'{value}' är inte tillåtet; tillåtna är: {expected}"
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        if pattern == SLUG_PATTERN:
            return f"'{value}' är inget giltigt id: använd små bokstäver a–z, siffror och bindestreck"
        if "https?" in pattern:
            return f"'{value}' är ingen fullständig adress; börja med https://"
        if pattern.startswith("^[a-z][a-z0-9_]"):
            return f"'{value}' är inget giltigt id: börja med en liten bokstav, sedan a–z, 0–9 och _"
        return f"'{value}' har fel form"
    if kind in {"string_too_short", "too_short"}:
        return "får inte vara tom"
    if kind == "string_type":
        return f"ska vara text, inte {_yaml_kind(value)} (sätt citattecken runt värdet)"
    if kind in {"bool_type", "bool_parsing"}:
        return "ska vara true eller false"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "ska vara ett tal" if loc and loc[-1] in {"min", "max"} else "ska vara ett heltal"
    if kind in {"float_type", "float_parsing"}:
        return "ska vara ett tal"
    if kind == "greater_than_equal":
        return f"ska vara minst {(error.get('ctx') or {}).get('ge')}"
    if kind == "greater_than":
        return f"ska vara större än {(error.get('ctx') or {}).get('gt')}"
    if kind == "list_type":
        return f"ska vara en lista, inte {_yaml_kind(value)}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"ska vara en mappning (nyckel: värde), inte {_yaml_kind(value)}"
    if kind.startswith("date"):
        return f"'{value}' är inget datum; skriv det som 2025-01-31"
    if kind == "entry_kind":
        return error["msg"]
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    return error["msg"]


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "tomt"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "ett tal"
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, dict):
        return "en mappning"
    return "text"


def _suggestion(model: type[BaseModel], data: Any, loc: tuple[str | int, ...]) -> str:
    """'menade du …' for a misspelt key: the nearest allowed key of the model that holds it."""
    target = _model_at(model, data, loc[:-1])
    if target is None or not loc or not isinstance(loc[-1], str):
        return ""
    close = difflib.get_close_matches(loc[-1], _allowed_keys(target), n=1, cutoff=0.6)
    return f"; menade du '{close[0]}'?" if close else f"; tillåtna nycklar: {', '.join(_allowed_keys(target))}"


def _model_at(model: type[BaseModel], data: Any, loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class that validates the mapping at `loc`, following the content's shape."""
    from sitegen.content import models

    current: type[BaseModel] | None = model
    node = data
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        node = node.get(part) if isinstance(node, dict) else None
        if part == "eservices" and current is Clinic:
            current = None
            entry_model = {
                "use": models.UseEntry,
                "borrow": models.BorrowEntry,
                "local": models.LocalEntry,
                "booking": models.BookingEntry,
            }
            if isinstance(node, list):
                index = loc[list(loc).index(part) + 1] if list(loc).index(part) + 1 < len(loc) else None
                item = node[index] if isinstance(index, int) and index < len(node) else None
                if isinstance(item, dict):
                    kind = next((k for k in entry_model if k in item), None)
                    current = entry_model[kind] if kind else models.HandAddedEntry
            continue
        current = {
            "address": models.Address,
            "opening_hours": models.OpeningHours,
            "opening_exceptions": models.OpeningException,
            "notices": models.Notice,
            "offers": models.Offers,
            "pages": models.Page,
            "questions": models.Question,
            "fields": models.Question,
        }.get(part)
    return current


def _validate(model: type[M], document: YamlDocument) -> tuple[M | None, list[ContentError]]:
    """The model for one document, or the located errors that keep it from being one."""
    if not isinstance(document.data, dict):
        what = "tom" if document.data is None else f"{_yaml_kind(document.data)}, inte en mappning"
        return None, [
            ContentError(document.path, 1, "(filen)", f"filen är {what}; den ska börja med nycklar som name:")
        ]
    try:
        return model.model_validate(document.data), []
    except ValidationError as err:
        errors: dict[tuple[int, str], ContentError] = {}
        for item in err.errors(include_url=False):
            loc = _clean_loc(document.data, item["loc"])
            message = _message(item, document.data, loc)
            if item["type"] == "extra_forbidden":
                message += _suggestion(model, document.data, loc)
            line = document.line_of(loc)
            errors.setdefault((line, format_key(loc)), ContentError(document.path, line, format_key(loc), message))
        return None, list(errors.values())


def _read(path: Path, documents: dict[Path, YamlDocument], errors: list[ContentError]) -> YamlDocument | None:
    try:
        document = read_yaml(path)
    except YamlSyntaxError as err:
        errors.append(ContentError(path, err.line, "(yaml)", err.message))
        return None
    except OSError as err:
        errors.append(ContentError(path, 1, "(filen)", f"kan inte läsas: {err.strerror}"))
        return None
    documents[path] = document
    return document


def _yaml_files(folder: Path, errors: list[ContentError]) -> list[Path]:
    if not folder.is_dir():
        errors.append(ContentError(folder, 1, "(mappen)", "mappen saknas"))
        return []
    paths = sorted(folder.iterdir())
    found = []
    for path in paths:
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix == ".yml":
            errors.append(ContentError(path, 1, "(filnamn)", "filen ska sluta på .yaml, inte .yml"))
        elif path.suffix != ".yaml":
            continue
        elif not re.fullmatch(SLUG_PATTERN, path.stem):
            errors.append(
                ContentError(
                    path,
                    1,
                    "(filnamn)",
                    f"'{path.stem}' är inget giltigt filnamn: använd små bokstäver a–z, siffror och bindestreck",
                )
            )
        else:
            found.append(path)
    return found


def _form_errors(
    document: YamlDocument,
    prefix: tuple[str | int, ...],
    form: CatalogueEService | LocalEntry,
    asked: Mapping[str, Question] | None = None,
) -> Iterable[ContentError]:
    for loc, message in form_problems(form, asked):
        full = (*prefix, *loc)
        yield ContentError(document.path, document.line_of(full), format_key(full), message)


def validate_site(document: YamlDocument) -> tuple[Site | None, list[ContentError]]:
    """site.yaml on its own: the schema."""
    return _validate(Site, document)


def validate_eservice(document: YamlDocument) -> tuple[CatalogueEService | None, list[ContentError]]:
    """One catalogue file on its own: the schema and the form rules.

    Public so that a build can check files one at a time (in parallel, or only the changed ones)
    with exactly the rules load_content applies.
    """
    eservice, errors = _validate(CatalogueEService, document)
    if eservice is not None:
        errors.extend(_form_errors(document, (), eservice, asked_first(document.path.stem)))
    return eservice, errors


def validate_clinic(document: YamlDocument) -> tuple[Clinic | None, list[ContentError]]:
    """One clinic file on its own: the schema and the rules of its local forms (references are
    checked across files, by reference_problems)."""
    clinic, errors = _validate(Clinic, document)
    if clinic is not None:
        for index, entry in enumerate(clinic.eservices):
            if isinstance(entry, LocalEntry):
                errors.extend(_form_errors(document, ("eservices", index), entry))
        for loc, message in dated_problems(clinic):
            errors.append(ContentError(document.path, document.line_of(loc), format_key(loc), message))
    return clinic, errors


def load_content(root: Path) -> Content:
    """Load and validate everything under `root`; raise ContentInvalid listing every problem."""
    root = Path(root)
    errors: list[ContentError] = []
    documents: dict[Path, YamlDocument] = {}

    site: Site | None = None
    site_path = root / "site.yaml"
    if not site_path.is_file():
        errors.append(ContentError(site_path, 1, "(filen)", "site.yaml saknas"))
    else:
        document = _read(site_path, documents, errors)
        if document is not None:
            site, found = validate_site(document)
            errors.extend(found)

    eservice_files = _yaml_files(root / "eservices", errors)
    clinic_files = _yaml_files(root / "clinics", errors)

    eservices: dict[str, CatalogueEService] = {}
    for path in eservice_files:
        document = _read(path, documents, errors)
        if document is None:
            continue
        eservice, found = validate_eservice(document)
        errors.extend(found)
        if eservice is not None:
            eservices[path.stem] = eservice

    clinics: dict[str, Clinic] = {}
    lenders: dict[str, Lender] = {}
    for path in clinic_files:
        document = _read(path, documents, errors)
        if document is None:
            continue
        clinic, found = validate_clinic(document)
        errors.extend(found)
        if clinic is not None:
            clinics[path.stem] = clinic
        elif (lender := readable_offers(path.stem, document.data)) is not None:
            # A file with some other error still says what it offers: borrows from it are checked
            # now, so the editor sees both errors in one run.
            lenders[path.stem] = lender

    if site is None:
        raise ContentInvalid(sorted(errors))
    content = Content(root=root, site=site, eservices=eservices, clinics=clinics, documents=documents)
    # Files that exist but failed to validate already have their errors; references to them are
    # not reported again as unknown.
    broken_eservices = {path.stem for path in eservice_files} - set(eservices)
    broken_clinics = {path.stem for path in clinic_files} - set(clinics)
    errors.extend(reference_problems(content, broken_eservices, broken_clinics, lenders))
    errors.extend(site_problems(content))
    if errors:
        raise ContentInvalid(sorted(set(errors)))
    return content
