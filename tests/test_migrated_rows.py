"""The suite's promise (tests/conftest.py): a transactional test flushes the database at its
end, and the rows the migrations made are back before the next test of the same process."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from obcms.communities.models import EthnolinguisticGroup, Language

FLUSHED = "A language only the transactional test made"


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_finds_the_migrated_rows_and_adds_one():
    assert Language.objects.exists()
    Language.objects.create(name=FLUSHED)


def test_the_next_test_finds_the_migrated_rows_and_not_the_flushed_one(
    django_db_setup, django_db_blocker
):
    """Not a ``db`` test, so that pytest-django runs it after the transactional one (it runs
    ``db`` tests first, transactional ones next, the rest last), and it reads the database as
    the next test of this process finds it, outside any test's transaction. ``django_db_setup``:
    the test database, even when this runs first in its process."""
    with django_db_blocker.unblock():
        assert not Language.objects.filter(name=FLUSHED).exists()
        assert Language.objects.exists() and EthnolinguisticGroup.objects.exists()
        assert Permission.objects.filter(content_type__app_label="communities").exists()
        # The process's cache of content types agrees with the table (auditlog writes its id).
        stored = ContentType.objects.get(app_label="communities", model="language")
        assert ContentType.objects.get_for_model(Language).pk == stored.pk
