"""Quick wins on top of the ``wg`` fixture (tests/workgroups/conftest.py).

In collaborative A: ``open`` proposed by the community member, anonymously, for the
Housing group (chaired by staff_a, co-chaired by the community member); ``named``
proposed by staff_c under their name, with no group; ``other`` in collaborative B.
"""

from types import SimpleNamespace

from workgroups.quickwins import services


def make_quickwin_world(cast, wg) -> SimpleNamespace:
    anonymous = services.quickwin_propose(
        actor=cast.community,
        title="Bus passes for the first month",
        problem="People miss their first appointments because they cannot get there.",
        key_areas=[cast.key_area],
        group=wg.housing,
        is_anonymous=True,
        weeks_needed=6,
    )
    named = services.quickwin_propose(
        actor=cast.staff_c,
        title="A welcome-home kit",
        problem="People leave with nothing: no phone, no toiletries, no list of services.",
        owner_organization=cast.org_c,
    )
    other = services.quickwin_propose(
        actor=cast.outsider,
        title="Lakeshore idea",
        problem="Something in the other collaborative.",
        group=wg.other_group,
    )
    return SimpleNamespace(anonymous=anonymous, named=named, other=other)
