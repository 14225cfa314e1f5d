"""The row-security scope's SQL is compiled once per process and given each person's id
(reentry/rowsecurity.py through reentry/personsql.py): it must be exactly what compiling the
person's own queryset gives."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from reentry import personsql, rowsecurity
from stakeholders.models import Organization
from tests.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh():
    personsql.forget()
    yield
    personsql.forget()


@pytest.mark.django_db
def test_each_person_gets_the_sql_their_own_queryset_compiles_to():
    member = MemberFactory().user
    community = UserFactory()
    for user in (member, community, member):
        expected_sql, expected_params = import_string(settings.ROW_SECURITY_ORG_IDS)(
            user
        ).query.sql_with_params()
        sql, params = rowsecurity._org_ids_sql(user)
        assert sql == expected_sql
        assert list(params) == list(expected_params)
        assert user.pk in params
    assert personsql._compiled[(("row_security", settings.ROW_SECURITY_ORG_IDS), "default")]


def orgs_by_email(user):
    """A scope that reads more of the person than the id."""
    return Organization.objects.filter(email=user.email).values("pk")


@pytest.mark.django_db
def test_a_scope_that_reads_more_than_the_id_is_compiled_for_each_person(settings):
    settings.ROW_SECURITY_ORG_IDS = f"{__name__}.orgs_by_email"
    first, second = UserFactory(email="a@example.org"), UserFactory(email="b@example.org")
    assert rowsecurity._org_ids_sql(first)[1] == ("a@example.org",)
    assert rowsecurity._org_ids_sql(second)[1] == ("b@example.org",)
    assert personsql._compiled[(("row_security", settings.ROW_SECURITY_ORG_IDS), "default")] is None
