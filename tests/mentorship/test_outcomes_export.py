"""The outcomes export for the indicators app: hand-worked rows, the CSV passes the
indicators upload check, and only the program's managers can download it."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from indicators.importing import Context, read_headers, run_pass
from indicators.importing.mapping import guess_mapping
from indicators.models import Dimension, Indicator
from mentorship import outcomes_export
from mentorship.models import Match
from mentorship.outcomes import Span
from mentorship.outcomes_export import last_full_months, rows_for
from tests.indicators.upload_helpers import make_indicator
from tests.mentorship.factories import MatchFactory


def _url(w, **params):
    url = reverse(
        "mentorship:outcomes_csv", kwargs={"slug": w.collab.slug, "program_id": w.program.public_id}
    )
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _at(day: date) -> datetime:
    # Noon UTC is the same calendar day in every US time zone.
    return datetime(day.year, day.month, day.day, 17, tzinfo=UTC)


SPANS = [
    Span(started=date(2026, 1, 15)),  # open
    Span(started=date(2026, 1, 31), ended=date(2026, 3, 31)),  # closed on a month end
    Span(started=date(2025, 12, 1), ended=date(2026, 6, 1)),  # exactly six months
    Span(started=date(2025, 12, 2), ended=date(2026, 5, 20)),  # short of six months
    Span(started=None),  # a proposal never started
]


class TestRows:
    def test_last_full_months(self):
        assert last_full_months(date(2026, 3, 10), 3) == [
            date(2025, 12, 31),
            date(2026, 1, 31),
            date(2026, 2, 28),
        ]

    def test_hand_worked_rows(self):
        ends = [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31), date(2026, 6, 30)]
        rows = rows_for(SPANS, ends, active_code="MENT-1", retention_code="MENT-2")
        assert rows == [
            # January: all four started matches are open at 31 January; none six months old.
            ["MENT-1", "2026-01", "4", "", ""],
            # March: the second closed on 31 March, so it is not active at the month's end.
            ["MENT-1", "2026-03", "3", "", ""],
            # May: the fourth closed on 20 May; none is six months old (1 Dec → 1 Jun).
            ["MENT-1", "2026-05", "2", "", ""],
            # June: the first is open; the third closed 1 June. Six months old by 30 June:
            # the third (1 Dec, lasted to 1 Jun: retained) and the fourth (2 Dec, closed
            # 20 May: not retained).
            ["MENT-1", "2026-06", "1", "", ""],
            ["MENT-2", "2026-06", "", "1", "2"],
        ]

    def test_a_later_closure_is_not_seen_earlier(self):
        spans = [Span(started=date(2025, 1, 10), ended=date(2025, 9, 1))]
        rows = rows_for(spans, [date(2025, 7, 31)], active_code="A", retention_code="R")
        assert rows == [["A", "2025-07", "1", "", ""], ["R", "2025-07", "", "1", "1"]]

    def test_no_retention_row_without_a_denominator(self):
        rows = rows_for([], [date(2026, 1, 31)], active_code="A", retention_code="R")
        assert rows == [["A", "2026-01", "0", "", ""]]

    def test_outcomes_rows_reads_the_program(self, mworld):
        # The world's own matches start after the months asked for.
        Match.objects.filter(program=mworld.program).update(started_at=_at(date(2026, 10, 1)))
        MatchFactory(
            program=mworld.program,
            mentor_accepted_at=_at(date(2026, 1, 5)),
            started_at=_at(date(2026, 1, 5)),
        )
        closed = MatchFactory(
            program=mworld.program,
            mentor_accepted_at=_at(date(2026, 2, 1)),
            started_at=_at(date(2026, 2, 1)),
        )
        Match.objects.filter(pk=closed.pk).update(
            status=Match.Status.CLOSED,
            closed_at=_at(date(2026, 4, 10)),
            closure_reason=Match.ClosureReason.GOALS_MET,
        )
        rows = outcomes_export.outcomes_rows(
            mworld.program,
            active_code="A",
            retention_code="R",
            months=9,
            today=date(2026, 9, 15),
        )
        by_period = {(r[0], r[1]): r[2:] for r in rows}
        assert by_period[("A", "2026-01")] == ["1", "", ""]
        assert by_period[("A", "2026-03")] == ["2", "", ""]
        assert by_period[("A", "2026-04")] == ["1", "", ""]
        assert ("R", "2026-06") not in by_period
        assert by_period[("R", "2026-07")] == ["", "1", "1"]  # 5 Jan → 5 Jul: retained
        assert by_period[("R", "2026-08")] == ["", "1", "2"]  # 1 Feb → closed 10 Apr
        assert len([r for r in rows if r[0] == "A"]) == 9


@pytest.fixture
def outcome_indicators(mworld):
    active = make_indicator(mworld.cast, "MENT-ACTIVE", dims=())
    retention = make_indicator(mworld.cast, "MENT-RET6", unit=Indicator.Unit.PERCENT, dims=())
    return active, retention


def _old_matches(mworld):
    for day in (date(2025, 1, 10), date(2025, 3, 3), date(2025, 9, 20)):
        MatchFactory(program=mworld.program, mentor_accepted_at=_at(day), started_at=_at(day))


class TestDownload:
    @pytest.mark.parametrize("who", ["coordinator", "backbone"])
    def test_managers_download_a_file_the_upload_check_accepts(
        self, mworld, outcome_indicators, login, tmp_path, who
    ):
        _old_matches(mworld)
        member = mworld.coordinator if who == "coordinator" else mworld.cast.backbone
        response = login(member).get(
            _url(mworld, active="MENT-ACTIVE", retention="ment-ret6", months=12)
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        assert text.startswith("\ufeff")  # a BOM, so Excel reads UTF-8; the upload skips it
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        assert rows[0] == outcomes_export.HEADER
        assert len([r for r in rows[1:] if r[0] == "MENT-ACTIVE"]) == 12
        assert any(r[0] == "MENT-RET6" for r in rows[1:])
        path = tmp_path / "outcomes.csv"
        path.write_text(text, encoding="utf-8")
        headers = read_headers(path, "csv")
        mapping = guess_mapping(
            headers, list(Dimension.objects.filter(collaborative=mworld.collab)), None
        )
        report = run_pass(
            path=path,
            fmt="csv",
            headers=headers,
            mapping=mapping,
            context=Context.load(mworld.collab),
        )
        assert report.problem_count == 0, report.problems
        assert report.ok
        assert report.rows == len(rows) - 1
        assert report.indicators == {"MENT-ACTIVE", "MENT-RET6"}

    @pytest.mark.parametrize("who", ["staff_a", "community", "observer"])
    def test_other_members_get_403(self, mworld, outcome_indicators, login, who):
        client = login(getattr(mworld.cast, who))
        response = client.get(_url(mworld, active="MENT-ACTIVE", retention="MENT-RET6"))
        assert response.status_code == 403

    def test_a_mentor_gets_403(self, mworld, outcome_indicators, login):
        client = login(mworld.mentor_1.applicant.member)
        response = client.get(_url(mworld, active="MENT-ACTIVE", retention="MENT-RET6"))
        assert response.status_code == 403

    def test_another_collaborative_gets_404(self, mworld, outcome_indicators, login):
        client = login(mworld.cast.outsider)
        response = client.get(_url(mworld, active="MENT-ACTIVE", retention="MENT-RET6"))
        assert response.status_code == 404

    def test_signed_out_cannot_download(self, mworld, outcome_indicators, client):
        response = client.get(_url(mworld, active="MENT-ACTIVE", retention="MENT-RET6"))
        assert response.status_code in (302, 404)
        assert not response.get("Content-Type", "").startswith("text/csv")


class TestValidation:
    def test_unknown_code_gives_a_clear_message(self, mworld, outcome_indicators, login):
        client = login(mworld.coordinator)
        response = client.get(_url(mworld, active="NOPE", retention="MENT-RET6"), follow=True)
        assert response.status_code == 200
        text = response.content.decode()
        assert "“NOPE” is not one" in text
        assert 'value="MENT-RET6" selected' in text  # the form keeps what was chosen

    def test_wrong_unit_is_refused(self, mworld, outcome_indicators, login):
        client = login(mworld.coordinator)
        # The percent indicator cannot hold a count, nor the count a percent.
        response = client.get(
            _url(mworld, active="MENT-RET6", retention="MENT-ACTIVE"), follow=True
        )
        text = response.content.decode()
        assert "“MENT-RET6” is not one" in text
        assert "“MENT-ACTIVE” is not one" in text
        assert not response["Content-Type"].startswith("text/csv")

    def test_another_collaboratives_indicator_is_unknown(self, mworld, login):
        from indicators.seeds import indicator_settings_for

        indicator_settings_for(mworld.cast.other_collab)
        Indicator.objects.create(
            collaborative=mworld.cast.other_collab,
            key_area=mworld.cast.key_area,
            code="THEIRS",
            name="Theirs",
            question="?",
            unit=Indicator.Unit.COUNT,
        )
        make_indicator(mworld.cast, "MENT-RET6", unit=Indicator.Unit.PERCENT, dims=())
        client = login(mworld.coordinator)
        response = client.get(_url(mworld, active="THEIRS", retention="MENT-RET6"), follow=True)
        assert "“THEIRS” is not one" in response.content.decode()

    @pytest.mark.parametrize("months", ["abc", "0", "500"])
    def test_bad_months(self, mworld, outcome_indicators, login, months):
        client = login(mworld.coordinator)
        response = client.get(
            _url(mworld, active="MENT-ACTIVE", retention="MENT-RET6", months=months),
            follow=True,
        )
        assert "Months must be a whole number from 1 to 120." in response.content.decode()

    def test_missing_codes(self, mworld, outcome_indicators, login):
        response = login(mworld.coordinator).get(_url(mworld), follow=True)
        text = response.content.decode()
        assert "Choose the indicator for active matches." in text
        assert "Choose the indicator for six-month retention." in text


class TestReportForm:
    def test_the_funder_report_offers_the_right_indicators(self, mworld, outcome_indicators, login):
        response = login(mworld.coordinator).get(
            reverse(
                "mentorship:funder_report",
                kwargs={"slug": mworld.collab.slug, "program_id": mworld.program.public_id},
            )
        )
        text = response.content.decode()
        assert "Upload data" in text
        active_select = text.split('id="feed-active"')[1].split("</select>")[0]
        retention_select = text.split('id="feed-retention"')[1].split("</select>")[0]
        assert "MENT-ACTIVE" in active_select and "MENT-RET6" not in active_select
        assert "MENT-RET6" in retention_select and "MENT-ACTIVE" not in retention_select

    def test_empty_state_without_indicators(self, mworld, login):
        response = login(mworld.coordinator).get(
            reverse(
                "mentorship:funder_report",
                kwargs={"slug": mworld.collab.slug, "program_id": mworld.program.public_id},
            )
        )
        assert "no indicator to hold these figures yet" in response.content.decode()
