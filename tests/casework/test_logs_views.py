"""The service log pages: the phone form, several participants at once, the lists and the
export. The casebook world (tests/casework/conftest.py): Org A serves Pat (two logs),
Org C serves Quinn, Org B (a Part 2 program) serves Rae."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import Enrolment, ServiceLog
from casework.services import consents, logs, participants
from reentry.audit.models import AuditEvent
from stakeholders.models import Service

SLUG = "collab-a"
PAGES = ["logs", "logs_shared", "log_new", "log_find", "log_many", "logs_upload"]


def url(name, slug=SLUG, **query):
    base = reverse(f"casework:{name}", kwargs={"slug": slug})
    if query:
        from urllib.parse import urlencode

        base = f"{base}?{urlencode(query)}"
    return base


@pytest.fixture
def services_a(casebook):
    cast = casebook.cast
    job_club = Service.objects.create(
        organization=cast.org_a, collaborative=cast.collab, name="Job club"
    )
    job_club.key_areas.set([casebook.employment])
    lease = Service.objects.create(
        organization=cast.org_a, collaborative=cast.collab, name="Lease help"
    )
    lease.key_areas.set([casebook.housing])
    theirs = Service.objects.create(
        organization=cast.org_b, collaborative=cast.collab, name="Org B counselling"
    )
    return job_club, lease, theirs


def form_data(casebook, **extra):
    data = {
        "who": "",
        "key_area": casebook.housing.pk,
        "delivered_on": casebook.collab.today().isoformat(),
        "minutes": "45",
        "outcome": "completed",
        "notes": "",
    }
    data.update(extra)
    return data


# --- who may open the pages ---------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_sign_in(casebook, client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["community", "backbone", "observer", "outsider"])
def test_people_who_keep_no_casework_get_404(casebook, login, name, who):
    client = login(getattr(casebook.cast, who))
    assert client.get(url(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_staff_of_another_collaborative_get_404(casebook, login, name):
    client = login(casebook.staff_x)
    assert client.get(url(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_caseworkers_get_the_page(casebook, login, name):
    client = login(casebook.cast.staff_a)
    assert client.get(url(name)).status_code == 200


def test_exports_are_404_for_other_collaboratives_and_non_caseworkers(casebook, login):
    for who in (casebook.cast.community, casebook.cast.backbone, casebook.staff_x):
        client = login(who)
        assert client.get(url("logs_export_csv")).status_code == 404
        assert client.get(url("logs_export_xlsx")).status_code == 404


# --- the phone form ---------------------------------------------------------------------------


def test_form_starts_from_the_caseworkers_last_log(casebook, login, services_a):
    job_club, _lease, _theirs = services_a
    staff_a = casebook.cast.staff_a
    logs.service_log(
        actor=staff_a,
        enrolment=casebook.pat_a,
        service=job_club,
        key_area=casebook.employment,
        delivered_on=casebook.collab.today(),
        duration_minutes=90,
    )
    page = login(staff_a).get(url("log_new")).content.decode()
    assert f'<option value="{job_club.pk}" selected>' in page
    assert f'<option value="{casebook.employment.pk}" selected>' in page
    assert 'value="90" class="cw-chips" required id="id_minutes_4" checked' in page
    assert casebook.collab.today().isoformat() in page


def test_full_code_logs_at_once(casebook, login):
    staff_a = casebook.cast.staff_a
    client = login(staff_a)
    code = casebook.pat.code
    before = ServiceLog.objects.count()
    response = client.post(
        url("log_new"), form_data(casebook, who=code.lower().replace("-", ""), notes="Rent plan")
    )
    assert response.status_code == 302
    assert ServiceLog.objects.count() == before + 1
    log = ServiceLog.objects.get(notes="Rent plan")
    assert log.enrolment == casebook.pat_a and log.organization == casebook.cast.org_a
    assert log.created_by == staff_a.user and log.duration_minutes == 45
    page = client.get(response["Location"]).content.decode()
    assert "Log another" in page and "Log the same for others" in page
    assert f"?from={log.public_id}" in page


def test_full_name_of_the_only_person_so_named_logs_at_once(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.post(url("log_new"), form_data(casebook, who="pat doe", notes="By name"))
    assert response.status_code == 302
    assert ServiceLog.objects.filter(notes="By name", enrolment=casebook.pat_a).exists()


def test_part_of_a_name_asks_to_choose_then_logs(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.post(url("log_new"), form_data(casebook, who="pa", notes="Chosen"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the participant below." in page
    assert f'value="{casebook.pat_a.public_id}"' in page and "Pat Doe" in page
    assert not ServiceLog.objects.filter(notes="Chosen").exists()
    response = client.post(
        url("log_new"),
        form_data(casebook, who="pa", enrolment=str(casebook.pat_a.public_id), notes="Chosen"),
    )
    assert response.status_code == 302
    assert ServiceLog.objects.filter(notes="Chosen", enrolment=casebook.pat_a).exists()


def test_another_organizations_participant_cannot_be_found_or_logged(casebook, login):
    client = login(casebook.cast.staff_a)
    quinn = casebook.quinn_c
    response = client.post(url("log_new"), form_data(casebook, who=quinn.participant.code))
    assert response.status_code == 200
    assert "No participant your organization serves matches" in response.content.decode()
    response = client.post(
        url("log_new"),
        form_data(casebook, who=quinn.participant.code, enrolment=str(quinn.public_id)),
    )
    assert response.status_code == 200
    assert not ServiceLog.objects.filter(enrolment=quinn, organization=casebook.cast.org_a).exists()
    found = client.get(url("log_find", who="Quinn")).content.decode()
    assert "Quinn" not in found and quinn.participant.code not in found


def test_find_shows_own_matches_as_you_type(casebook, login):
    found = login(casebook.cast.staff_c).get(url("log_find", who="quin")).content.decode()
    assert casebook.quinn_c.participant.code in found and "Quinn" in found
    assert "<html" not in found  # the fragment only


def test_another_organizations_service_is_not_offered_nor_accepted(casebook, login, services_a):
    _job, lease, theirs = services_a
    client = login(casebook.cast.staff_a)
    page = client.get(url("log_new")).content.decode()
    assert "Lease help" in page and "Org B counselling" not in page
    response = client.post(
        url("log_new"), form_data(casebook, who=casebook.pat.code, service=theirs.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_key_area_comes_from_the_service_when_left_empty(casebook, login, services_a):
    job_club, _lease, _theirs = services_a
    client = login(casebook.cast.staff_a)
    response = client.post(
        url("log_new"),
        form_data(casebook, who=casebook.pat.code, service=job_club.pk, key_area="", notes="K"),
    )
    assert response.status_code == 302
    assert ServiceLog.objects.get(notes="K").key_area == casebook.employment


def test_future_day_and_other_minutes_are_checked(casebook, login):
    client = login(casebook.cast.staff_a)
    tomorrow = casebook.collab.today() + timedelta(days=1)
    response = client.post(
        url("log_new"),
        form_data(casebook, who=casebook.pat.code, delivered_on=tomorrow.isoformat(), minutes=0),
    )
    page = response.content.decode()
    assert "before the day it happens" in page and "Say how many minutes." in page
    response = client.post(
        url("log_new"),
        form_data(casebook, who=casebook.pat.code, minutes=0, other_minutes=20, notes="20"),
    )
    assert response.status_code == 302
    assert ServiceLog.objects.get(notes="20").duration_minutes == 20


def test_preselected_participant_from_a_link(casebook, login):
    page = (
        login(casebook.cast.staff_a)
        .get(url("log_new", enrolment=str(casebook.pat_a.public_id)))
        .content.decode()
    )
    assert f'value="{casebook.pat_a.public_id}" checked' in page
    other = login(casebook.cast.staff_a).get(
        url("log_new", enrolment=str(casebook.quinn_c.public_id))
    )
    assert f'value="{casebook.quinn_c.public_id}"' not in other.content.decode()


# --- several participants ---------------------------------------------------------------------


@pytest.fixture
def sam_a(casebook):
    return participants.enrol(
        actor=casebook.cast.staff_a, identity={"given_name": "Sam", "family_name": "Roe"}
    )


def test_same_log_for_several_participants(casebook, login, sam_a):
    client = login(casebook.cast.staff_a)
    page = client.get(url("log_many")).content.decode()
    assert casebook.pat.code in page and sam_a.participant.code in page
    assert casebook.quinn_c.participant.code not in page
    data = form_data(casebook, notes="Group session")
    data["enrolments"] = [str(casebook.pat_a.public_id), str(sam_a.public_id)]
    response = client.post(url("log_many"), data)
    assert response.status_code == 302
    assert set(
        ServiceLog.objects.filter(notes="Group session").values_list("enrolment", flat=True)
    ) == {casebook.pat_a.pk, sam_a.pk}


def test_several_is_all_or_nothing_and_refuses_another_orgs_people(casebook, login, sam_a):
    client = login(casebook.cast.staff_a)
    data = form_data(casebook, notes="Mixed")
    data["enrolments"] = [str(sam_a.public_id), str(casebook.quinn_c.public_id)]
    response = client.post(url("log_many"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ServiceLog.objects.filter(notes="Mixed").exists()


def test_finding_keeps_the_ticked_people(casebook, login, sam_a):
    client = login(casebook.cast.staff_a)
    data = form_data(casebook, q="sam", search="1")
    data["enrolments"] = [str(casebook.pat_a.public_id)]
    page = client.post(url("log_many"), data).content.decode()
    assert f'value="{casebook.pat_a.public_id}" checked' in page
    assert f'value="{sam_a.public_id}">' in page
    assert "Tick at least one" not in page


def test_log_the_same_for_others_starts_from_that_log(casebook, login):
    log = casebook.log_employment
    page = (
        login(casebook.cast.staff_a)
        .get(url("log_many", **{"from": str(log.public_id)}))
        .content.decode()
    )
    assert f'<option value="{casebook.employment.pk}" selected>' in page
    # Another organization's log gives nothing away.
    page = (
        login(casebook.cast.staff_b)
        .get(url("log_many", **{"from": str(log.public_id)}))
        .content.decode()
    )
    assert "Wrote a resume together" not in page


# --- the list ------------------------------------------------------------------------------------


def _more_logs(casebook, n, **fields):
    staff_a = casebook.cast.staff_a
    today = casebook.collab.today()
    for i in range(n):
        logs.service_log(
            actor=staff_a,
            enrolment=casebook.pat_a,
            key_area=casebook.housing,
            delivered_on=today - timedelta(days=i + 1),
            notes=fields.get("notes", f"log {i}"),
        )


def test_list_shows_our_logs_only(casebook, login):
    page = login(casebook.cast.staff_a).get(url("logs")).content.decode()
    assert casebook.pat.code in page and "Pat Doe" in page and "Signed the lease together" in page
    assert casebook.quinn_c.participant.code not in page
    page_b = login(casebook.cast.staff_b).get(url("logs")).content.decode()
    assert casebook.pat.code not in page_b and casebook.rae_b.participant.code in page_b


def test_list_reads_are_audited_once_per_participant(casebook, login):
    before = AuditEvent.objects.filter(action="casework.record_viewed").count()
    login(casebook.cast.staff_a).get(url("logs"))
    events = AuditEvent.objects.filter(action="casework.record_viewed").order_by("-id")
    assert events.count() == before + 1
    assert events[0].object_id == str(casebook.pat.public_id)
    assert events[0].details["why"] == ["owner"]


def test_list_query_count_is_the_same_for_1_and_25_rows(casebook, login, count_queries):
    client = login(casebook.cast.staff_c)
    one = count_queries(client, url("logs"))
    assert count_queries.page.count("<tr>") == 1 + 1
    quinn = casebook.quinn_c
    for i in range(24):
        sam = participants.enrol(actor=casebook.cast.staff_c, identity={"given_name": f"P{i}"})
        logs.service_log(
            actor=casebook.cast.staff_c,
            enrolment=sam if i % 2 else quinn,
            key_area=casebook.housing,
            delivered_on=casebook.collab.today(),
        )
    many = count_queries(client, url("logs"))
    assert count_queries.page.count("<tr>") == 25 + 1
    assert one == many


def test_list_pages_by_keyset(casebook, login):
    _more_logs(casebook, 30)
    client = login(casebook.cast.staff_a)
    first = client.get(url("logs"))
    assert first.context["page"].older and not first.context["page"].newer
    rows = first.context["rows"]
    assert len(rows) == 25
    second = client.get(url("logs", older=first.context["page"].older))
    assert len(second.context["rows"]) == 32 - 25
    assert not second.context["page"].older and second.context["page"].newer
    seen = {r["log"].pk for r in rows} | {r["log"].pk for r in second.context["rows"]}
    assert len(seen) == 32
    back = client.get(url("logs", newer=second.context["page"].newer))
    assert [r["log"].pk for r in back.context["rows"]] == [r["log"].pk for r in rows]


def test_cursor_of_another_organizations_log_names_nothing(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.get(url("logs", older=str(casebook.rae_log.public_id)))
    assert response.status_code == 200
    assert not response.context["page"].newer  # treated as page one


def test_list_filters(casebook, login):
    _more_logs(casebook, 3)
    client = login(casebook.cast.staff_a)
    today = casebook.collab.today()
    only_employment = client.get(url("logs", key_area=casebook.employment.pk))
    assert [r["log"].notes for r in only_employment.context["rows"]] == ["Wrote a resume together"]
    dated = client.get(
        url("logs", date_from=(today - timedelta(days=2)).isoformat(), date_to=today.isoformat())
    )
    assert len(dated.context["rows"]) == 2 + 2
    by_code = client.get(url("logs", participant=casebook.pat.code.lower()))
    assert len(by_code.context["rows"]) == 5
    nobody = client.get(url("logs", participant=casebook.quinn_c.participant.code))
    assert nobody.context["rows"] == []


# --- shared with us ----------------------------------------------------------------------------


def test_shared_shows_what_consents_cover_codes_only(casebook, login):
    page = login(casebook.cast.staff_b).get(url("logs_shared")).content.decode()
    assert casebook.pat.code in page and "Signed the lease together" in page
    assert "Wrote a resume together" not in page  # employment is not in the consent's key areas
    assert "Pat Doe" not in page  # identity is not shared
    assert casebook.rae_b.participant.code not in page  # its own logs are not "shared"
    assert "42 CFR part 2" not in page


def test_shared_part2_record_carries_the_notice(casebook, login):
    page = login(casebook.cast.staff_c).get(url("logs_shared")).content.decode()
    assert casebook.rae_b.participant.code in page
    assert "42 CFR part 2" in page and "prohibit you from making any other" in page


def test_part2_record_without_explicit_consent_is_not_shared(casebook, login):
    page = login(casebook.cast.staff_a).get(url("logs_shared")).content.decode()
    assert casebook.rae_b.participant.code not in page


def test_shared_reads_are_audited_with_the_consent(casebook, login):
    login(casebook.cast.staff_b).get(url("logs_shared"))
    event = AuditEvent.objects.filter(action="casework.record_viewed").latest("id")
    assert event.object_id == str(casebook.pat.public_id)
    assert event.details["consents"] == [str(casebook.to_b.public_id)]


def test_revoked_consent_empties_shared_on_the_next_request(casebook, login):
    client = login(casebook.cast.staff_b)
    assert casebook.pat.code in client.get(url("logs_shared")).content.decode()
    consents.consent_revoke(user=casebook.cast.staff_a.user, consent=casebook.to_b)
    assert casebook.pat.code not in client.get(url("logs_shared")).content.decode()


def test_staff_members_own_record_is_not_shared_with_their_organization(casebook, login):
    """A caseworker who is also a participant: the organization's page does not show
    what other organizations hold about them."""
    staff_b = casebook.cast.staff_b
    pat = casebook.pat
    pat.user = staff_b.user
    pat.save(update_fields=["user"])
    page = login(staff_b).get(url("logs_shared")).content.decode()
    assert "Wrote a resume together" not in page


def test_shared_query_count_is_flat(casebook, login, count_queries):
    client = login(casebook.cast.staff_b)
    one = count_queries(client, url("logs_shared"))
    assert count_queries.page.count("<tr>") == 1 + 1
    for i in range(24):
        logs.service_log(
            actor=casebook.cast.staff_a,
            enrolment=casebook.pat_a,
            key_area=casebook.housing,
            delivered_on=casebook.collab.today() - timedelta(days=i),
        )
    many = count_queries(client, url("logs_shared"))
    assert count_queries.page.count("<tr>") == 25 + 1
    assert one == many


# --- export --------------------------------------------------------------------------------------


def test_csv_export_is_ours_only_and_audited(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.get(url("logs_export_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["participant_code", "date", "key_area"]
    assert {r[0] for r in rows[1:]} == {casebook.pat.code}
    assert len(rows) == 1 + 2
    event = AuditEvent.objects.filter(action="casework.logs_exported").latest("id")
    assert event.details["count"] == 2 and event.details["format"] == "csv"


def test_xlsx_export_follows_the_filters(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.get(url("logs_export_xlsx", key_area=casebook.housing.pk))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][0] == casebook.pat.code and values[1][2] == "Housing"


def test_export_never_holds_other_organizations_rows(casebook, login):
    client = login(casebook.cast.staff_b)
    text = b"".join(client.get(url("logs_export_csv")).streaming_content).decode("utf-8-sig")
    assert casebook.pat.code not in text and casebook.rae_b.participant.code in text


def test_closed_enrolment_still_found_but_marked(casebook, login):
    Enrolment.objects.filter(pk=casebook.pat_a.pk).update(status=Enrolment.Status.CLOSED)
    found = login(casebook.cast.staff_a).get(url("log_find", who="pat")).content.decode()
    assert casebook.pat.code in found and "closed" in found
