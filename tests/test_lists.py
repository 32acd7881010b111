"""Every list the same way: filters kept on every page (also with &, #, +, spaces and ñ), sortable
columns, counts, empty states that say what to do, and a fixed number of queries whatever the
number of rows."""

import html
import re

import pytest
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db

TRICKY = "A&B #1 +x ñ"


def communities(n: int, label: str = "Sitio") -> None:
    barangay = factories.place("XII")
    for i in range(n):
        factories.community(name=f"{label} {i}", barangay=barangay, population=10 + i)


def assessments(n: int, label: str = "Team") -> None:
    author = factories.user("encoder")
    for i in range(n):
        factories.assessment(team=f"{label} {i}", created_by=author)


def partners(n: int, label: str = "Partner") -> None:
    for i in range(n):
        factories.engagement(by=factories.partner(name=f"{label} {i} {factories.code()}"))


def engagements(n: int, label: str = "Visit") -> None:
    author = factories.user("encoder")
    for i in range(n):
        factories.engagement(title=f"{label} {i}", created_by=author)


# (list, how to make n rows whose search text contains a label, the search parameter)
LISTS = [
    ("communities:list", communities, "q"),
    ("assessments:list", assessments, "team"),
    ("coordination:partners", partners, "q"),
    ("coordination:engagements", engagements, "q"),
]
IDS = [name for name, _, _ in LISTS]


def rows_of(response) -> list[str]:
    body = response.content.decode()
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)


@pytest.mark.parametrize(("name", "make", "param"), LISTS, ids=IDS)
def test_the_same_number_of_queries_for_5_or_50_rows(client, name, make, param):
    client.force_login(factories.user("administrator"))
    url = reverse(name)
    make(5)
    client.get(url)  # the session and permission caches, as on any later request
    few = factories.queries_for(client, url)
    assert len(rows_of(client.get(url))) == 5
    make(50)
    client.get(url)  # new places made: the remembered selects are read afresh once
    many = factories.queries_for(client, url)
    assert len(rows_of(client.get(url))) == 50
    assert few == many


@pytest.mark.parametrize(("name", "make", "param"), LISTS, ids=IDS)
def test_pagination_keeps_a_search_with_ampersand_hash_plus_space_and_enye(
    client, name, make, param
):
    make(55, label=TRICKY)
    make(3, label="Other")
    client.force_login(factories.user("viewer"))
    first = client.get(reverse(name), {param: TRICKY})
    assert len(rows_of(first)) == 50
    assert all(TRICKY in html.unescape(row) for row in rows_of(first))
    link = re.search(r'<a href="\?([^"]+)" rel="next">', first.content.decode()).group(1)
    second = client.get(f"{reverse(name)}?{html.unescape(link)}")
    assert second.context["page"].number == 2
    assert second.context["filters"].form.cleaned_data[param] == TRICKY
    assert len(rows_of(second)) == 5
    assert all(TRICKY in html.unescape(row) for row in rows_of(second))
    assert f'value="{html.escape(TRICKY)}"' in second.content.decode()  # the search box
    back = re.search(r'<a href="\?([^"]+)" rel="prev">', second.content.decode()).group(1)
    assert client.get(f"{reverse(name)}?{html.unescape(back)}").context["page"].number == 1


@pytest.mark.parametrize(("name", "make", "param"), LISTS, ids=IDS)
def test_each_list_counts_its_rows_and_says_what_to_do_when_empty(client, name, make, param):
    client.force_login(factories.user("encoder"))
    empty = client.get(reverse(name)).content.decode()
    assert re.search(r"<caption>0 \w+", empty)
    assert re.search(r'class="empty">No \w+ (is registered )?yet', empty), name
    make(2)
    found = client.get(reverse(name), {param: "nothing like this"}).content.decode()
    assert "matches these filters" in found and "clear them" in found
    assert re.search(r"<caption>2 \w+", client.get(reverse(name)).content.decode())


def test_sorting_by_a_column_keeps_the_filters_and_puts_unknown_last(client):
    barangay = factories.place("XII")
    for name, population in (("Purok B", 300), ("Purok A", None), ("Purok C", 20)):
        factories.community(name=name, barangay=barangay, population=population)
    factories.community(name="Elsewhere", population=999)
    client.force_login(factories.user("viewer"))
    listed = client.get(reverse("communities:list"), {"q": "Purok"})
    link = re.search(r'<a href="\?([^"]+)">Population', listed.content.decode()).group(1)
    assert "q=Purok" in html.unescape(link) and "sort=population" in html.unescape(link)
    ascending = client.get(f"{reverse('communities:list')}?{html.unescape(link)}")
    assert [row[1] for row in ascending.context["rows"]] == ["Purok C", "Purok B", "Purok A"]
    descending = client.get(reverse("communities:list"), {"q": "Purok", "sort": "-population"})
    assert [row[1] for row in descending.context["rows"]] == ["Purok B", "Purok C", "Purok A"]
    assert 'aria-sort="descending"' in descending.content.decode()


@pytest.mark.parametrize("name", IDS)
def test_every_list_survives_odd_filter_values(client, name):
    client.force_login(factories.user("viewer"))
    for value in ("²", "\x00", "9" * 40, "-", "<script>", "2026-13-45", "🙂" * 30):
        for key in ("q", "region", "status", "partner", "sort", "page", "archived", "follow_up"):
            assert client.get(reverse(name), {key: value}).status_code == 200, (key, value)
