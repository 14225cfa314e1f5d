"""``User.objects.get(pk=…)`` (every signed-in request's account) runs SQL compiled once
(stakeholders/models/users.py): the same person as the ORM gives, the same errors, one
query, and every other lookup still the ORM's."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_the_same_person_as_the_orm_gives(cast, django_assert_num_queries):
    for member in (cast.staff_a, cast.outsider):
        with django_assert_num_queries(1):
            fast = User.objects.get(pk=member.user.pk)
        slow = User.objects.filter(pk=member.user.pk).get()
        fields = [f.attname for f in User._meta.concrete_fields]
        assert [getattr(fast, f) for f in fields] == [getattr(slow, f) for f in fields]
        assert fast == slow and not fast._state.adding and fast._state.db == "default"
        fast.name = "Renamed"
        fast.save(update_fields=["name"])  # a loaded instance, saved as an update
        assert User.objects.filter(pk=member.user.pk, name="Renamed").exists()


def test_no_such_person_is_does_not_exist(cast):
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=10**9)


def test_other_lookups_are_the_orms(cast):
    assert User.objects.get(email=cast.staff_a.user.email) == cast.staff_a.user
    assert User.objects.get(pk=str(cast.staff_a.user.pk)) == cast.staff_a.user
    with pytest.raises(User.MultipleObjectsReturned):
        User.objects.get(is_active=True)
