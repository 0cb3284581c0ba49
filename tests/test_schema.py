"""The tables of records are the model's classes: a column for every field, a field for every column."""

import attrs
import pytest

from scplearn import model, schema, store as store_module, writer

STORED_OTHERWISE = {"email": "delegate"}  # the pseudonym, in place of the address
COMPUTED = {"sessions": {"year"}, "feedback": {"id"}}
PRIVATE = {"delegates": {"name"}}


def expected_columns(record_type, table: str) -> set[str]:
    fields = {field.name for field in attrs.fields(record_type)} - PRIVATE.get(table, set())
    stored_as = {"email": "key"} if table == "delegates" else STORED_OTHERWISE
    return {stored_as.get(name, name) for name in fields} | COMPUTED.get(table, set())


@pytest.mark.parametrize("record_type", model.RECORD_TYPES, ids=lambda record_type: record_type.__name__)
def test_every_field_has_a_column_and_every_column_a_field(tmp_store, record_type):
    table = schema.TABLE_NAMES[record_type]
    assert set(tmp_store.db[table].columns_dict) == expected_columns(record_type, table)
    assert writer.COLUMNS[table] == [column.name for column in tmp_store.db[table].columns]


def test_every_record_type_has_a_table():
    assert list(schema.TABLE_NAMES) == list(model.RECORD_TYPES)


def test_keys_references_and_required_columns_follow_the_model(tmp_store):
    sessions = tmp_store.db["sessions"]
    assert sessions.pks == ["code"]
    assert {(fk.column, fk.other_table, fk.other_column) for fk in sessions.foreign_keys} == {
        ("course", "courses", "code"), ("partnership", "partnerships", "name")}
    assert {column.name for column in sessions.columns if column.notnull} == {"course", "date", "year", "mode"}
    assert tmp_store.db["bookings"].pks == ["session", "delegate"]
    assert tmp_store.db["feedback"].pks == ["id"]
    assert writer.REFERENCES[model.Booking] == {"session": "sessions"}


FIRST_SCHEMA = {  # the columns of databases made at schema version 1, which later versions must bring up to date
    "partnerships": "name description",
    "agencies": "name sector workforce partnership",
    "courses": "code title topic priority level duration_hours",
    "sessions": "code course date year mode capacity trainer partnership headcount",
    "delegates": "key role agency",
    "bookings": "session delegate status walk_in",
    "evaluations": "session delegate knowledge_pre knowledge_post skills_pre skills_post confidence_pre confidence_post "
                   "action_1 action_2 action_3",
    "followups": "session delegate date used_learning specific_action knowledge skills confidence comments",
    "feedback": "id course session role quote consent",
    "spend": "year partnership amount",
}


def test_a_field_added_after_the_first_schema_says_which_version_added_its_column(tmp_path):
    """A new field needs ``stored(since=n)`` and migration n calling ``schema.add_columns``: else old databases lack it."""
    db = store_module._connect(tmp_path / "t.db")
    store_module._migrate(db, store_module.MIGRATIONS[:1])
    assert {table: set(db[table].columns_dict) for table in FIRST_SCHEMA} == {
        table: set(columns.split()) for table, columns in FIRST_SCHEMA.items()}


def test_a_column_added_by_a_later_version_is_added_to_a_database_made_before(tmp_path):
    path = tmp_path / "t.db"
    db = store_module._connect(path)
    store_module._migrate(db, store_module.MIGRATIONS[:1])
    db["partnerships"].insert({"name": "County"})
    db["agencies"].insert({"name": "County Police", "sector": "police", "partnership": "County"})
    db.close()
    with store_module.open(path) as store:
        assert store.db.execute("SELECT verified FROM agencies").fetchall() == [(1,)]
        assert set(store.db["agencies"].columns_dict) == expected_columns(model.Agency, "agencies")
