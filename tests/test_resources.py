"""Learning resources: the records, their tables in new and older databases, and scplearn's own files of them."""

import pytest
from conftest import write_csv

import scplearn
from scplearn import model, store as store_module
from scplearn.importers import canonical
from scplearn.importing import ImportFailed


def test_a_resource_accepts_common_spellings_of_its_kind():
    for spelling, kind in [("Recorded webinar", "recording"), ("e-Learning", "e_learning"), ("7 minute briefing", "briefing"),
                           ("Toolkit", "resource_pack"), ("PDF", "document"), ("Website", "web_page"),
                           ("Resource pack", "resource_pack"), ("E-learning module", "e_learning")]:
        assert model.Resource(code="R", title="T", kind=spelling).kind == kind, spelling


def test_a_resource_kind_spelling_is_not_a_session_mode():
    with pytest.raises(ValueError, match="must be one of"):
        model.Session(code="S", course="C", date="2024-09-03", mode="recorded webinar")


@pytest.mark.parametrize("url", ["ftp://example.org/pack.pdf", "javascript:alert(1)", "www.example.org", "https://",
                                 "https://example.org/a b"])
def test_a_resource_url_must_be_a_web_address(url):
    record, problems = model.build(model.Resource, {"code": "R", "title": "T", "kind": "video", "url": url})
    assert record is None and [(p.field, p.reason) for p in problems] == [
        ("url", "must be a web address starting http:// or https://")]


def test_an_access_period_ends_on_or_after_it_starts_and_counts_in_the_year_of_its_first_day():
    row = {"resource": "R", "date": "2024-03-01", "source": "YouTube", "until": "2024-04-30", "views": "1,204"}
    record, problems = model.build(model.ResourceAccess, row)
    assert problems == [] and record.source == "youtube" and record.views == 1204 and record.year == "2023/24"
    record, problems = model.build(model.ResourceAccess, {**row, "until": "2024-02-28"})
    assert record is None and problems[0].field == "until" and "on or after" in problems[0].reason


@pytest.mark.parametrize("field, value", [("views", "-1"), ("downloads", "2.5"), ("unique_viewers", "many"),
                                          ("watch_hours", "-0.5")])
def test_access_counts_are_zero_or_more(field, value):
    record, problems = model.build(model.ResourceAccess, {"resource": "R", "date": "2024-05-01", "source": "lms",
                                                          field: value})
    assert record is None and [p.field for p in problems] == [field]


def test_zero_watch_hours_are_a_number():
    record, _ = model.build(model.ResourceAccess, {"resource": "R", "date": "2024-05-01", "source": "lms",
                                                   "watch_hours": "0"})
    assert record.watch_hours == 0


def test_canonical_file_names_of_resources_are_not_taken_for_follow_ups(tmp_path):
    assert canonical.record_type_of(tmp_path / "resource_followups.csv") is model.ResourceFollowUp
    assert canonical.record_type_of(tmp_path / "2023-24 resource_access.csv") is model.ResourceAccess
    assert canonical.record_type_of(tmp_path / "resources.xlsx") is model.Resource
    assert canonical.record_type_of(tmp_path / "followups.csv") is model.FollowUp


def write_resources(directory):
    write_csv(directory / "resources.csv", """
        code,title,kind,course,topic,url,partnership,published
        PACK-NEG,Neglect resource pack,toolkit,NEG02,Neglect,https://example.org/packs/neglect,Leicester,2024-04-02
        VID-CAS,Core awareness recording,recorded webinar,CAS01,,,,
    """)
    write_csv(directory / "resource_access.csv", """
        resource,date,source,until,views,downloads,unique_viewers,watch_hours
        PACK-NEG,2024-04-01,SharePoint,2024-04-30,120,45,80,
        PACK-NEG,2024-05-01,sharepoint,2024-05-31,90,30,,
        VID-CAS,2024-03-01,YouTube,2024-04-30,300,,,41.5
    """)
    write_csv(directory / "resource_followups.csv", """
        resource,email,date,used_resource,used_learning,specific_action,comments
        PACK-NEG,Alice@Example.org,2024-07-01,yes,yes,no,Shared it with the team; call me on 07700 900123
        PACK-NEG,new.person@example.org,2024-07-02,no,,,
    """)
    return directory


def test_resources_access_and_follow_ups_import_from_scplearn_files(store, tmp_path):
    report = scplearn.import_files(store, [write_resources(tmp_path / "res")])
    assert report.totals("added") == {"delegates": 2, "resources": 2, "resource_access": 3, "resource_followups": 2}
    assert [file.importer for file in report.files] == ["scplearn"] * 3
    pack = store.db["resources"].get("PACK-NEG")
    assert (pack["kind"], pack["course"], pack["published"]) == ("resource_pack", "NEG02", "2024-04-02")
    assert [row["source"] for row in store.db["resource_access"].rows_where(order_by="rowid")] == [
        "sharepoint", "sharepoint", "youtube"]
    comments = [row["comments"] for row in store.db["resource_followups"].rows_where(order_by="rowid")]
    assert "07700 900123" not in comments[0] and comments[0].startswith("Shared it with the team")
    columns = set(store.db["resource_followups"].columns_dict)
    assert "email" not in columns and "delegate" in columns

    again = scplearn.import_files(store, [tmp_path / "res"], force=True)
    assert again.totals("added") == {} and again.totals("changed") == {}


def test_an_access_row_naming_no_resource_is_refused_and_nothing_is_written(store, tmp_path):
    write_csv(tmp_path / "resource_access.csv", """
        resource,date,source,views
        NO-SUCH,2024-04-01,web,3
    """)
    with pytest.raises(ImportFailed) as failed:
        scplearn.import_files(store, [tmp_path / "resource_access.csv"])
    assert "resource_access.csv, row 2, column 'resource': value 'NO-SUCH': no such resource" in str(failed.value)
    assert store.db["resource_access"].count == 0


def test_a_platform_export_leaves_a_resource_s_course_and_topic_as_they_were(store, tmp_path):
    scplearn.import_files(store, [write_resources(tmp_path / "res") / "resources.csv"])
    write_csv(tmp_path / "later" / "resources.csv", """
        code,title,kind
        PACK-NEG,Neglect resource pack (2024 edition),resource pack
    """)
    scplearn.import_files(store, [tmp_path / "later"])
    pack = store.db["resources"].get("PACK-NEG")
    assert (pack["title"], pack["course"], pack["topic"]) == ("Neglect resource pack (2024 edition)", "NEG02", "Neglect")


def test_an_access_row_s_year_is_noted_for_the_results(store, tmp_path):
    scplearn.import_files(store, [write_resources(tmp_path / "res")])
    years = {row[0] for row in store.db.execute("SELECT year FROM data_changes WHERE year IS NOT NULL")}
    assert {"2023/24", "2024/25"} <= years


def test_a_database_made_before_resources_gains_their_tables(tmp_path):
    path = tmp_path / "old.db"
    db = store_module._connect(path)
    store_module._migrate(db, store_module.MIGRATIONS[:4])
    assert not db["resources"].exists()
    db.close()
    with scplearn.open(path) as store:
        assert store.schema_version == 5
        assert store.db["resource_access"].pks == ["resource", "date", "source"]
        assert {(fk.column, fk.other_table) for fk in store.db["resources"].foreign_keys} == {
            ("course", "courses"), ("partnership", "partnerships")}
        assert store.db["resource_followups"].pks == ["resource", "delegate"]


def test_resources_can_be_a_mapping_s_target(store, tmp_path):
    write_csv(tmp_path / "lms.csv", """
        Module ID,Module name,Completions,Launches,Month
        EL-NEG,Neglect e-learning,41,63,01/06/2024
        EL-NEG,Neglect e-learning,38,52,01/07/2024
    """)
    (tmp_path / "lms.mapping.toml").write_text("""
records = ["resources", "resource_access"]

[columns]
"Module ID" = "resource"
"Module name" = "title"
"Launches" = "views"
"Completions" = "unique_viewers"
"Month" = "date"

[fixed]
kind = "e_learning"
source = "lms"
""")
    report = scplearn.import_files(store, [tmp_path / "lms.csv"])
    assert report.files[0].importer == "mapped"
    assert store.db["resources"].get("EL-NEG")["kind"] == "e_learning"
    rows = list(store.db.execute("SELECT date, source, views, unique_viewers FROM resource_access ORDER BY date"))
    assert rows == [("2024-06-01", "lms", 63, 41), ("2024-07-01", "lms", 52, 38)]


def test_a_mapped_row_giving_a_resource_and_its_access_names_the_resource_once(store, tmp_path):
    write_csv(tmp_path / "views.csv", """
        Page,Page title,Views,Period start,Period end
        /safeguarding/neglect,Neglect guidance,212,2024-04-01,2024-06-30
        /safeguarding/exploitation,Exploitation guidance,-4,2024-04-01,2024-06-30
    """)
    (tmp_path / "views.mapping.toml").write_text("""
records = ["resources", "resource_access"]
[columns]
"Page" = "code"
"Page title" = "title"
"Views" = "views"
"Period start" = "date"
"Period end" = "until"
[fixed]
kind = "web page"
source = "web"
""")
    with pytest.raises(ImportFailed) as failed:
        scplearn.import_files(store, [tmp_path / "views.csv"])
    assert "views.csv, row 3, column 'Views': value '-4': must be a whole number, 0 or more" in str(failed.value)
    assert store.db["resources"].count == 0
