"""Input checks that the JSON schemas cannot express (validation.py)."""

import pytest

from helpers import InputError
from validation import (
    luma_date,
    luma_datetime,
    normalize_email,
    normalize_guests,
    parse_datetime,
    price_to_minor_units,
    to_luma_datetime,
    validate_timezone,
)

pytestmark = pytest.mark.unit


class TestTimezone:
    @pytest.mark.parametrize(
        "given, canonical",
        [
            ("America/New_York", "America/New_York"),
            ("america/new_york", "America/New_York"),
            ("  Europe/Berlin ", "Europe/Berlin"),
            ("utc", "UTC"),
            ("Asia/Kolkata", "Asia/Kolkata"),
        ],
    )
    def test_canonical_names(self, given, canonical):
        assert validate_timezone(given) == canonical

    @pytest.mark.parametrize("given", ["Mars/Base", "", "localtime", "Factory", "posix/Europe/Berlin", "+05:00"])
    def test_not_a_place(self, given):
        with pytest.raises(InputError, match="not an IANA time zone"):
            validate_timezone(given)


class TestEmails:
    @pytest.mark.parametrize(
        "email", ["ada@example.com", "o'neil+events@mail.example.ie", "jürgen@münchen.de", "a_b@x.io"]
    )
    def test_valid(self, email):
        assert normalize_email(f"  {email} ") == email

    @pytest.mark.parametrize(
        "email", ["", "plain", "a@b", "a@-b.com", "a@b_c.com", "a b@c.com", None, 5, "x" * 250 + "@a.io"]
    )
    def test_invalid(self, email):
        with pytest.raises(InputError, match="not a valid email address"):
            normalize_email(email)

    def test_guests_are_deduplicated_case_insensitively_keeping_the_first_spelling_and_any_name(self):
        guests = normalize_guests(
            ["Ada@Example.com", {"email": "ada@example.com", "name": "Ada"}, {"email": "b@c.io", "name": " Bo "}]
        )
        # email-validator lowercases the domain (case-insensitive by definition) and keeps the local part; the
        # repeat is one person, with the name only it gave.
        assert guests == [{"email": "Ada@example.com", "name": "Ada"}, {"email": "b@c.io", "name": "Bo"}]

    def test_a_repeat_with_another_name_keeps_the_first_name(self):
        # A CRM export's duplicate rows often spell a name differently; the list still goes through.
        given = [{"email": "ada@example.com", "name": "Ana"}, {"email": "ADA@example.com", "name": "Anna"}]
        assert normalize_guests(given) == [{"email": "ada@example.com", "name": "Ana"}]

    def test_null_and_blank_names_are_dropped(self):
        assert normalize_guests([{"email": "a@b.io", "name": None}, {"email": "c@d.io", "name": "  "}]) == [
            {"email": "a@b.io"},
            {"email": "c@d.io"},
        ]

    @pytest.mark.parametrize("entries", [[], None, "a@b.io"])
    def test_empty_or_not_a_list(self, entries):
        with pytest.raises(InputError, match="give at least one email"):
            normalize_guests(entries)

    def test_a_bad_entry_names_its_position(self):
        with pytest.raises(InputError, match=r"guests\[1\]"):
            normalize_guests(["ok@example.com", "broken"])


class TestDatetimes:
    def test_local_time_is_read_in_the_zone_and_sent_in_utc(self):
        assert luma_datetime("2026-07-01T18:00", "start_at", "America/New_York") == "2026-07-01T22:00:00.000Z"

    def test_offset_wins_over_the_zone(self):
        assert luma_datetime("2026-07-01T18:00:00+02:00", "start_at", "America/New_York") == "2026-07-01T16:00:00.000Z"

    def test_milliseconds_are_kept_and_zero_padded_years(self):
        assert to_luma_datetime(parse_datetime("1999-01-02T03:04:05.678Z", "x")) == "1999-01-02T03:04:05.678Z"

    def test_a_time_of_day_can_be_required(self):
        with pytest.raises(InputError, match="no time of day"):
            parse_datetime("2026-03-01", "start_at", "UTC", require_time=True)
        assert parse_datetime("2026-03-01", "after").hour == 0

    def test_a_skipped_local_time_is_refused(self):
        with pytest.raises(InputError, match="does not exist in America/New_York.*03:30"):
            parse_datetime("2026-03-08T02:30", "start_at", "America/New_York")
        assert luma_datetime("2026-03-08T02:30-05:00", "start_at", "America/New_York") == "2026-03-08T07:30:00.000Z"

    def test_a_bare_date_whose_midnight_is_skipped_is_the_days_first_real_moment(self):
        # Santiago's clocks jump from 00:00 to 01:00 -03:00 on 2026-09-06: the day begins at 01:00 local.
        assert luma_datetime("2026-09-06", "valid_start_at", "America/Santiago") == "2026-09-06T04:00:00.000Z"
        with pytest.raises(InputError, match="does not exist in America/Santiago"):
            parse_datetime("2026-09-06T00:30", "valid_start_at", "America/Santiago")

    def test_a_repeated_local_time_is_its_first_occurrence(self):
        assert luma_datetime("2026-11-01T01:30", "start_at", "America/New_York") == "2026-11-01T05:30:00.000Z"

    @pytest.mark.parametrize("value", ["9999-12-31T23:00:00-05:00", "2201-01-01T00:00Z", "1899-12-31T23:59Z"])
    def test_years_out_of_range(self, value):
        with pytest.raises(InputError, match="outside 1900-2200"):
            parse_datetime(value, "start_at")

    @pytest.mark.parametrize("value", ["tomorrow", "2026-02-30T10:00", "", "0099-01-01T00:00Z"])
    def test_invalid(self, value):
        with pytest.raises(InputError):
            parse_datetime(value, "start_at")

    def test_dates(self):
        assert luma_date(" 2026-09-01 ", "valid_start_at") == "2026-09-01"
        assert luma_date(None, "valid_start_at") is None
        with pytest.raises(InputError, match="YYYY-MM-DD"):
            luma_date("2026-09-01T10:00", "valid_start_at")


class TestPrices:
    @pytest.mark.parametrize(
        "price, currency, minor",
        [
            ("19.99", "usd", 1999),
            (19.99, "usd", 1999),
            ("0.1", "eur", 10),
            (1500, "JPY", 1500),
            ("1.234", "kwd", 1234),
            ("0", "usd", 0),
        ],
    )
    def test_exact_conversion(self, price, currency, minor):
        assert price_to_minor_units(price, currency) == minor

    @pytest.mark.parametrize(
        "price, currency, phrase",
        [
            ("1.5", "jpy", "more decimals than JPY allows"),
            ("19.999", "usd", "more decimals than USD allows"),
            ("-1", "usd", "zero or a positive"),
            ("abc", "usd", "not a number"),
            ("NaN", "usd", "zero or a positive"),
            ("1e20", "usd", "larger than any price"),
        ],
    )
    def test_refused(self, price, currency, phrase):
        with pytest.raises(InputError, match=phrase):
            price_to_minor_units(price, currency)


class TestEmailKey:
    def test_one_mailbox_in_unicode_and_ascii_domain_has_one_key(self):
        from emails import email_key, other_domain_form
        from validation import normalize_email

        assert (
            email_key("Jürgen@xn--BCHER-kva.example") == email_key("jürgen@Bücher.example") == "jürgen@bücher.example"
        )
        assert email_key("ana@bücher.example") != email_key("jürgen@bücher.example")
        # What Luma gets is unchanged: the form that was given.
        assert normalize_email("jürgen@xn--bcher-kva.example") == "jürgen@xn--bcher-kva.example"
        assert other_domain_form("jürgen@bücher.example") == "jürgen@xn--bcher-kva.example"
        assert other_domain_form("jürgen@xn--bcher-kva.example") == "jürgen@bücher.example"
        assert other_domain_form("ana@example.com") is None

    @pytest.mark.parametrize(
        ("email", "ascii_form"),
        [
            ("x@straße.de", "x@xn--strae-oqa.de"),
            ("x@ςxample.gr", "x@xn--xample-20e.gr"),
            ("x@ශ්\u200dරී.lk", "x@xn--10cl1a0b660p.lk"),  # a joiner (ZWJ) IDNA 2003 would drop
            # Capital sigma is σ in a domain, where str.lower gives ς at a word's end.
            ("x@παράδειγμα.ΕΛΛΑΣ", "x@xn--hxajbheg2az3al.xn--mxahsa5b"),
        ],
    )
    def test_domains_idna_2003_would_change_keep_their_idna_2008_form(self, email, ascii_form):
        from emails import email_key, other_domain_form

        # Python's "idna" codec (IDNA 2003) turns straße.de into strasse.de: another domain, maybe another guest.
        assert other_domain_form(email) == ascii_form
        assert email_key(ascii_form) == email_key(email) == email_key(ascii_form.upper())
        assert email_key(other_domain_form(ascii_form)) == email_key(email)

    def test_sharp_s_and_double_s_are_two_mailboxes(self):
        from emails import email_key

        assert email_key("x@straße.de") != email_key("x@strasse.de")
        assert email_key("x@xn--strae-oqa.de") == "x@straße.de"

    def test_repeats_in_either_form_are_one_person_in_the_first_spelling(self):
        from validation import normalize_guests

        given = ["jürgen@xn--bcher-kva.example", {"email": "Jürgen@bücher.example", "name": "J"}, "a@b.example"]
        assert normalize_guests(given) == [
            {"email": "jürgen@xn--bcher-kva.example", "name": "J"},
            {"email": "a@b.example"},
        ]
