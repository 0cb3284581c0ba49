import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scplearn import model


def test_labels_and_keys_are_both_accepted_for_choices():
    session = model.Session(code="S1", course="C1", date="03/09/2024", mode="Face to face")
    assert session.mode == "face_to_face"
    assert session.date == dt.date(2024, 9, 3)
    assert session.year == "2024/25"
    assert model.Agency(name="A", sector="Voluntary and community sector").sector == "voluntary"
    assert model.Booking(session="S1", email="a@b.org", status="Did not attend").status == "did_not_attend"


@given(st.text(min_size=1).filter(lambda s: model.values.slug(s) not in {
    *model.STATUSES, *(model.values.slug(v) for v in model.STATUSES.values()),
    *(k for k, v in model._ALIASES.items() if v in model.STATUSES)}))
def test_unknown_statuses_are_rejected_with_the_choices(status):
    with pytest.raises(ValueError, match="must be one of: booked, attended, did_not_attend, cancelled|is required"):
        model.Booking(session="S1", email="a@b.org", status=status)


@given(st.integers().filter(lambda n: not 1 <= n <= 10))
def test_scores_outside_one_to_ten_are_rejected(score):
    record, problems = model.build(model.Evaluation, {"session": "S", "email": "a@b.org", "skills_post": score})
    assert record is None
    assert [(p.field, p.reason) for p in problems] == [("skills_post", "must be a whole number from 1 to 10")]


def test_build_reports_every_bad_field_not_just_the_first():
    record, problems = model.build(model.Session, {"code": "", "course": "C", "date": "31/02/2024", "mode": "zeppelin", "capacity": "-1"})
    assert record is None
    assert {p.field for p in problems} == {"code", "date", "mode", "capacity"}
    by_field = {p.field: p for p in problems}
    assert by_field["date"].value == "31/02/2024"
    assert "must be one of" in by_field["mode"].reason


def test_a_walk_in_must_have_attended():
    record, problems = model.build(model.Booking, {"session": "S", "email": "a@b.org", "status": "cancelled", "walk_in": "yes"})
    assert record is None and problems[0].field == "walk_in"


def test_competency_level_and_workforce_ranges():
    assert model.build(model.Course, {"code": "C", "title": "T", "level": "5"})[1][0].field == "level"
    assert model.build(model.Agency, {"name": "A", "sector": "police", "workforce": "0"})[1][0].field == "workforce"


def test_every_record_type_is_frozen():
    for record_type in model.RECORD_TYPES:
        assert attrs.has(record_type)
        instance = object.__new__(record_type)  # a frozen class refuses every assignment, however it was made
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(instance, attrs.fields(record_type)[0].name, "y")
