from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svidok.domain.dates import DateError, PartialDate, age_on, parse


@pytest.mark.parametrize(
    ("text", "lo", "hi", "precision"),
    [
        ("1957", date(1957, 1, 1), date(1957, 12, 31), "year"),
        ("March 2022", date(2022, 3, 1), date(2022, 3, 31), "month"),
        ("2022-02", date(2022, 2, 1), date(2022, 2, 28), "month"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("5 Apr 2022", date(2022, 4, 5), date(2022, 4, 5), "day"),
        ("Apr 5, 2022", date(2022, 4, 5), date(2022, 4, 5), "day"),
        ("05.04.2022", date(2022, 4, 5), date(2022, 4, 5), "day"),
        ("5 квітня 2022", date(2022, 4, 5), date(2022, 4, 5), "day"),
    ],
)
def test_partial_dates_cover_every_day_they_may_mean(text, lo, hi, precision):
    d = parse(text)
    assert (d.lo, d.hi, d.precision) == (lo, hi, precision)


def test_around_a_day_is_approximate_and_wider():
    d = parse("around 5 Apr 2022")
    assert d.approximate and d.precision == "day"
    assert d.lo < date(2022, 4, 5) < d.hi
    assert str(d) == "~2022-04-05"


def test_year_only_overlaps_every_day_of_that_year():
    d = parse("2022")
    assert d.overlaps(date(2022, 12, 31), date(2023, 1, 5))
    assert not d.overlaps(date(2023, 1, 1), date(2023, 1, 5))


@pytest.mark.parametrize("bad", ["2022-02-30", "2022-13", "31.02.2022", "Smarch 2022", "", "yesterday", "2022-00-10"])
def test_impossible_or_unreadable_dates_say_why(bad):
    with pytest.raises(DateError) as exc:
        parse(bad)
    assert str(exc.value)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["day", "month", "year"]),
       st.booleans())
def test_canonical_text_reads_back_to_the_same_date(d, precision, approx):
    pd = PartialDate(d.year, d.month if precision != "year" else None, d.day if precision == "day" else None, approx)
    back = parse(pd.to_iso())
    assert back == pd
    assert back.lo <= d <= back.hi


def test_age_from_a_partial_birth_date_is_a_range():
    assert age_on(parse("1957"), date(2022, 6, 1)) == (64, 65)
    assert age_on(parse("1957-03-10"), date(2022, 6, 1)) == (65, 65)
