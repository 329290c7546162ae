"""Error messages in plain Swedish, made from the question itself.

A message should say what to do, in the words of the question: "Skriv vem som utfärdade ditt
nuvarande intyg" helps more than "Fältet är obligatoriskt". The editors write questions, not
messages, so the message is derived from the label: a question becomes an indirect question
("Hur tar du läkemedlet?" → "Skriv hur du tar läkemedlet"), a noun becomes the thing to write
("Produktnamn" → "Skriv produktnamn"), an instruction is used as it is ("Beskriv dina besvär").
When the label does not fit a pattern, a short general message is used instead of a wrong sentence.
"""

from __future__ import annotations

DATE_EXAMPLE = "2025-01-31"
TEXT_MAX_LENGTH = 200  # a text question without max_length: a name, a phone number, a short answer
TEXTAREA_MAX_LENGTH = 4000  # a textarea without max_length: room for a letter, not for a book

_PRONOUNS = {"du", "ni", "vi", "jag", "han", "hon", "det", "den", "de", "man"}
_QUESTION_WORDS = {"vem", "vad", "vilken", "vilket", "vilka", "hur", "när", "var", "varför", "vart", "varifrån"}
_IMPERATIVES = {"beskriv", "skriv", "berätta", "ange", "fyll", "välj", "lägg", "kryssa"}

CHOOSE_ONE = "Välj ett alternativ."
CHOOSE_AT_LEAST_ONE = "Välj minst ett alternativ."
NOT_AN_OPTION = "Välj ett av alternativen som finns på sidan."
WRITE_ANSWER = "Skriv ditt svar."
DATE = f"Skriv ett datum som {DATE_EXAMPLE}."
DATE_HINT = f"Skriv datumet som år-månad-dag, till exempel {DATE_EXAMPLE}."
APPROVE_VILLKOR = "Kryssa i att du har läst och godkänner villkoren för att gå vidare."


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word looks like a name or an abbreviation."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def indirect_question(label: str) -> str | None:
    """"Hur tar du läkemedlet?" → "hur du tar läkemedlet"; None when no safe rewrite is known."""
    text = label.strip()
    if not text.endswith("?"):
        return None
    words = text.rstrip("?").split()
    if len(words) < 2:
        return None
    lowered = [word.lower() for word in words]
    pronoun = next((i for i, word in enumerate(lowered) if i >= 1 and word in _PRONOUNS), None)
    if pronoun == 1 and lowered[0] not in _QUESTION_WORDS:
        # A yes/no question, verb first: "Är det ett nytt intyg?" → "om det är ett nytt intyg".
        return " ".join(["om", words[1], lowered[0], *words[2:]])
    if pronoun is not None and pronoun >= 2 and any(word in _QUESTION_WORDS for word in lowered[: pronoun - 1]):
        # Verb before its pronoun subject: "Vilket intyg vill du ha?" → "vilket intyg du vill ha".
        head = _lower_first(" ".join(words[: pronoun - 1]))
        return " ".join([head, words[pronoun], words[pronoun - 1], *words[pronoun + 1 :]])
    if pronoun is None and lowered[0] == "vem":
        # "Vem" as the subject: "Vem utfärdade ditt intyg?" → "vem som utfärdade ditt intyg".
        return " ".join(["vem", "som", *words[1:]])
    return None


def write_message(label: str) -> str:
    """What to say when a text, textarea or number question is left empty."""
    text = label.strip()
    first = text.split()[0].lower() if text.split() else ""
    if first in _IMPERATIVES:
        return text.rstrip(".:?!") + "."
    indirect = indirect_question(text)
    if indirect is not None:
        return f"Skriv {indirect}."
    if text and not text.endswith("?") and len(text.split()) <= 4:
        return f"Skriv {_lower_first(text.rstrip('.:'))}."
    return WRITE_ANSWER


def too_long(limit: int, length: int) -> str:
    return f"Skriv högst {limit} tecken. Nu är det {length} tecken."


def format_number(value: float) -> str:
    """A number as Swedes write it: 1,5 and not 1.5; whole numbers without decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", ",")


def number_range(minimum: float | None, maximum: float | None) -> str:
    """What to say when a number is not a number or out of bounds."""
    if minimum is not None and maximum is not None:
        return f"Skriv ett tal mellan {format_number(minimum)} och {format_number(maximum)}."
    if minimum is not None:
        return f"Skriv ett tal som är {format_number(minimum)} eller större."
    if maximum is not None:
        return f"Skriv ett tal som är {format_number(maximum)} eller mindre."
    return "Skriv ett tal med siffror, till exempel 3."


def choose_at_least(count: int) -> str:
    return CHOOSE_AT_LEAST_ONE if count <= 1 else f"Välj minst {count} alternativ."


def choose_at_most(count: int) -> str:
    return f"Välj högst {count} alternativ." if count != 1 else "Välj bara ett alternativ."


def add_at_least(count: int, label: str) -> str:
    return f"Fyll i minst {count} {'post' if count == 1 else 'poster'} under {_lower_first(label)}."


def at_most_items(count: int) -> str:
    return f"Du kan lägga till högst {count}. Ta bort någon först."


def at_most_medicines(count: int) -> str:
    return f"Välj högst {count} läkemedel."


PRESCRIPTION_NONE = "Välj minst ett läkemedel i listan, eller lägg till ett som inte finns i listan."
PRESCRIPTION_NONE_BY_HAND = "Skriv in minst ett läkemedel."
