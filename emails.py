"""One mailbox, however it is written: the key two spellings of an address share, and the other form of an
internationalised domain. Only for comparing and looking up; what is sent to Luma is validation.normalize_email's."""

import functools
import unicodedata
from typing import Any

import idna


def _unicode_label(label: str) -> str:
    if label.lower().startswith("xn--"):
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


def _unicode_domain(domain: str) -> str:
    text = ".".join(_unicode_label(label) for label in domain.split("."))
    if text.isascii():
        return text.lower()
    # UTS #46 (IDNA 2008), as other_domain_form encodes: it keeps ß, ς and joiners (IDNA 2003 and str.lower turn
    # straße into strasse, a different domain, and ΑΣ into ας where the domain is ασ).
    try:
        return idna.uts46_remap(text, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return text.lower()


def email_key(email: Any) -> str:
    """What two spellings of one mailbox share, for repeats and look-ups: case folded, NFC, and the domain in its
    Unicode form, so jürgen@bücher.example and jürgen@xn--bcher-kva.example are one person. Only for comparing:
    Luma gets the address as normalize_email gives it."""
    return _email_key(email if isinstance(email, str) else str(email or ""))


# A bulk call compares each of its up to 1,000 emails several times (repeats, the guest list, each batch's report).
@functools.lru_cache(maxsize=4096)
def _email_key(email: str) -> str:
    text = unicodedata.normalize("NFC", email.strip())
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    return f"{local.lower()}@{_unicode_domain(domain)}"


def domain_key(domain: str) -> str:
    """A domain as email_key compares it."""
    return _unicode_domain(unicodedata.normalize("NFC", domain.strip()))


def other_domain_form(email: str) -> str | None:
    """The same address with its internationalised domain in the other form (Unicode or xn--), or None when the
    domain is plain ASCII: Luma matches the text it stored, so a look-up may need both."""
    local, at, domain = email.rpartition("@")
    if not at:
        return None
    unicode_domain = domain_key(domain)
    if domain.isascii() and unicode_domain.isascii():
        return None
    if not domain.isascii():
        # IDNA 2008 (UTS #46, not transitional): Python's "idna" codec is IDNA 2003, which sends straße.de to
        # strasse.de, another domain and maybe another person's guest.
        try:
            return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    return f"{local}@{unicode_domain}"
