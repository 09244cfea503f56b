"""The views the store hands services: frozen, one type per concept, the same from every read."""

import dataclasses

import pytest

from app.store import launch_reads, links, profiles
from app.store.models import Account, LaunchLink, Profile
from app.store.views import ACCOUNT_FIELDS, LINK_FIELDS, PROFILE_FIELDS, LinkView, ProfileView
from tests.factories import make_link, make_profile


@pytest.fixture
def stored(app):
    with app.app_context():
        make_link(title="Open T-book")
        make_link("old-course", title="An old course", enabled=False)
        make_profile(firstname="Jane", lastname="Doe", contactEmail=["jane.doe@example.com", "jd@example.com"])


@pytest.mark.parametrize(
    ("model", "view_fields"), [(LaunchLink, LINK_FIELDS), (Profile, PROFILE_FIELDS), (Account, ACCOUNT_FIELDS)]
)
def test_each_view_has_every_column_of_its_model(model, view_fields):
    assert sorted(view_fields) == sorted(model.__table__.columns.keys())


def test_views_are_frozen_and_slotted(app, stored):
    with app.test_request_context():
        link, profile = links.find("open-tbook"), profiles.by_login("jane.doe@example.com")
    for view, name in ((link, "title"), (profile, "lastname")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(view, name, "changed")
        assert not hasattr(view, "__dict__")
    # Its lists are tuples: nothing in a view can be changed in place.
    assert profile.contact_email == ("jane.doe@example.com", "jd@example.com")
    assert profile.full_name == "Jane Doe"


def test_the_click_reads_the_same_views_as_the_other_pages(app, stored):
    with app.test_request_context():
        link, profile = launch_reads.link_and_profile("open-tbook", "jane.doe@example.com")
        assert type(link) is LinkView and type(profile) is ProfileView
        # The home page's list, the admin pages and the click see one shape, with the same values.
        assert link == links.find("open-tbook") == links.enabled_by_title()[0]
        assert [view.slug for view in links.all_by_slug()] == ["old-course", "open-tbook"]
        assert profile == profiles.by_login("jane.doe@example.com") == profiles.get(profile.id)
        assert profiles.matching("doe", offset=0, limit=10) == [profile]


def test_the_click_reads_no_profile_and_no_link_as_none(app, stored):
    with app.test_request_context():
        link, profile = launch_reads.link_and_profile("open-tbook", "nobody@example.com")
        assert type(link) is LinkView and profile is None
        assert launch_reads.link_and_profile("no-such-link", "jane.doe@example.com") == (None, None)


def test_a_change_returns_the_new_view(app, stored):
    with app.app_context():
        before = links.find("open-tbook")
        after = links.change("open-tbook", title="Open T-book now", debug=True)
        assert after == dataclasses.replace(before, title="Open T-book now", debug=True, updated_at=after.updated_at)
        assert after.updated_at >= before.updated_at
        profile = profiles.by_login("jane.doe@example.com")
        changed = profiles.change(profile.id, {"country": ["France", "Belgium"]})
        assert changed.country == ("France", "Belgium") and changed.login == profile.login
        assert links.change("no-such-link", title="x") is None
