"""The questionnaire page's fast path (docs/PERFORMANCE.md): one query for the personal link,
the published bank's pages read once per process, and the respondent's Jinja2 templates.

Each shortcut must give exactly what the plain ORM and Django templates gave: same values, same
relations, no lazy query left behind, the same escaping and the same page head.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
from html import unescape
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, connections, transaction
from django.db.models.fetch_modes import FETCH_RAISE
from django.db.models.signals import post_init
from django.db.transaction import TransactionManagementError
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from jinja2 import FileSystemLoader, UndefinedError
from markupsafe import Markup

from assessments import link_lookup, services
from assessments.models import (
    Cycle,
    CycleStatus,
    DraftResponse,
    Invitation,
    QuestionBank,
    RoleLevel,
    Statement,
)
from assessments.respond_forms import ConditionPage, question_html, radio_options
from assessments.respond_pages import Questionnaire, _published_questionnaire
from betterway import jinja2 as jinja2_module
from betterway.jinja2 import ascii_html, render_with_holes
from betterway.jinja2 import environment as jinja2_environment
from places.models import Place
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(place_a):
    bank = make_bank(n_conditions=2, n_statements=3)
    return CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN, min_group_size=4)


@pytest.fixture
def partner(cycle):
    return PartnerFactory(place=cycle.place, name="Food Bank")


@pytest.fixture
def invitation(cycle, partner):
    return _invite(cycle, partner, "Robin")


def _invite(cycle, partner, name: str) -> Invitation:
    line = services.InviteeLine(name=name, email=f"{name.lower()}@example.org", partner=partner)
    return services.create_invitations(cycle, [line])[0]


def _started(invitation, partner) -> DraftResponse:
    """The person has said who they are, so the questionnaire's pages are open to them."""
    return DraftResponse.objects.create(
        invitation=invitation, partner=partner, role_level="manager"
    )


def _page(client, invitation, number: int = 1) -> bytes:
    return client.get(reverse("respond_page", args=[invitation.token, number])).content


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_related("cycle__bank", "cycle__place").get(pk=invitation.pk)


def test_link_lookup_loads_what_the_orm_loads_in_one_query(invitation, partner):
    statement_id = str(invitation.cycle.bank.conditions.first().statements.first().pk)
    DraftResponse.objects.create(
        invitation=invitation,
        partner=partner,
        role_level=RoleLevel.MANAGER,
        answers={statement_id: None},
        comments={"1": "Ça va — “quotes” & <tags>"},
        step=2,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        revoked_at=timezone.now(), last_sent_at=timezone.now()
    )
    expected = _orm(invitation)
    expected_draft = DraftResponse.objects.get(invitation=invitation)

    with CaptureQueriesContext(connection) as queries:
        found = Invitation.objects.by_token(invitation.token)
        loaded = [found.cycle, found.cycle.bank, found.cycle.place, found.draft]
        loaded.append(found.draft.invitation)
    assert len(queries) == 1

    assert _fields(found) == _fields(expected)
    assert _fields(found.cycle) == _fields(expected.cycle)
    assert _fields(found.cycle.bank) == _fields(expected.cycle.bank)
    assert _fields(found.cycle.place) == _fields(expected.cycle.place)
    assert _fields(found.draft) == _fields(expected_draft)
    assert found.draft.invitation is found
    # Types as the ORM gives them on every database: SQLite stores these as text and integers.
    assert isinstance(found.revoked_at, dt.datetime) and found.revoked_at.tzinfo is not None
    assert isinstance(found.cycle.closes_on, dt.date)
    assert found.submitted is False
    assert found.draft.answers == {statement_id: None}
    assert not found._state.adding and found._state.db == "default"


def test_link_lookup_instances_behave_as_the_orms(invitation, partner):
    """Made without Model.__init__, with some fields deferred as .only() defers them: a deferred
    field is read when asked for, and saving and refreshing work as on an instance the ORM
    made."""
    _started(invitation, partner)
    found = Invitation.objects.by_token(invitation.token)
    for instance in (found, found.cycle, found.cycle.bank, found.cycle.place, found.draft):
        loaded = link_lookup._FIELDS.get(type(instance))
        fields = instance._meta.concrete_fields
        deferred = {f.attname for f in fields if loaded is not None and f.name not in loaded}
        assert instance.get_deferred_fields() == deferred
    assert found.draft.get_deferred_fields() == set()
    with CaptureQueriesContext(connection) as queries:
        assert found.email == "robin@example.org"
        assert found.cycle.opens_on == invitation.cycle.opens_on
    assert len(queries) == 2
    draft = found.draft
    draft.step = 3
    draft.save(update_fields=["step", "updated_at"])
    assert DraftResponse.objects.get(pk=draft.pk).step == 3
    found.name = "Robin Hood"
    found.save(update_fields=["name"])
    assert Invitation.objects.get(pk=invitation.pk).name == "Robin Hood"
    Invitation.objects.filter(pk=invitation.pk).update(submitted=True)
    found.refresh_from_db()
    assert found.submitted is True
    found.cycle_id = found.cycle_id  # the foreign key's descriptor still guards its cache
    assert found.cycle.pk == invitation.cycle_id


def test_link_lookup_goes_through_init_while_someone_listens(invitation, partner):
    _started(invitation, partner)
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(sender)

    post_init.connect(listener)
    try:
        found = Invitation.objects.by_token(invitation.token)
    finally:
        post_init.disconnect(listener)
    assert seen == [Invitation, Cycle, QuestionBank, Place, DraftResponse]
    assert _fields(found) == _fields(_orm(invitation))


def test_a_model_with_an_init_or_attribute_of_its_own_is_made_by_init(invitation, monkeypatch):
    assert link_lookup._plain(Place)
    made = []
    init = Place.__init__

    def recording(self, *args, **kwargs):
        made.append(args)
        init(self, *args, **kwargs)

    try:
        with monkeypatch.context() as patch:
            patch.setattr(Place, "__init__", recording)
            link_lookup._compiled.cache_clear()
            found = Invitation.objects.by_token(invitation.token)
        assert len(made) == 1 and found.cycle.place.name == invitation.cycle.place.name
        with monkeypatch.context() as patch:
            patch.setattr(Place, "name", property(lambda self: "always this"), raising=False)
            assert not link_lookup._plain(Place)
        with monkeypatch.context() as patch:
            patch.setattr(Place, "from_db", classmethod(lambda cls, *args, **kwargs: None))
            assert not link_lookup._plain(Place)
    finally:
        link_lookup._compiled.cache_clear()  # compiled again with Place as it is


def test_link_lookup_without_a_draft_knows_there_is_none(invitation):
    with CaptureQueriesContext(connection) as queries:
        found = Invitation.objects.by_token(invitation.token)
        with pytest.raises(DraftResponse.DoesNotExist):
            found.draft  # noqa: B018
    assert len(queries) == 1
    assert _fields(found) == _fields(_orm(invitation))


def test_link_lookup_of_an_unknown_token_finds_nothing(invitation):
    assert Invitation.objects.by_token("0" * 64) is None
    assert Invitation.objects.by_token(invitation.token_hash) is None


def test_questionnaire_page_costs_one_query_once_the_bank_is_known(client, invitation, partner):
    _started(invitation, partner)
    path = reverse("respond_page", args=[invitation.token, 1])
    _published_questionnaire.cache_clear()
    with CaptureQueriesContext(connection) as first:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(path).status_code == 200
    assert len(first) == 3  # the link, then the bank and its pages, read once
    assert len(again) == 1  # the link only


def test_a_draft_bank_is_read_every_time():
    draft_bank = make_bank(publish=False)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            assert Questionnaire.for_bank(draft_bank).page_count == 3
    assert len(queries) == 2


def test_published_pages_are_the_banks_own(cycle):
    other = make_bank(n_conditions=3, n_statements=1)
    mine = Questionnaire.for_bank(cycle.bank)
    theirs = Questionnaire.for_bank(other)
    assert [c.bank_id for c in mine.conditions] == [cycle.bank.pk] * 2
    assert [c.bank_id for c in theirs.conditions] == [other.pk] * 3
    assert Questionnaire.for_bank(cycle.bank).conditions is mine.conditions  # kept, not re-read


def test_a_published_questionnaire_has_the_whole_bank_whatever_it_was_given(invitation):
    found = Invitation.objects.by_token(invitation.token)
    assert found.cycle.bank.get_deferred_fields()  # the lookup reads only what finds it
    bank = Questionnaire.for_bank(found.cycle.bank).bank
    assert bank.pk == found.cycle.bank.pk
    assert bank.get_deferred_fields() == set()
    assert bank.spectrum_choices() == invitation.cycle.bank.spectrum_choices()


def test_an_answer_never_offered_is_never_checked():
    assert radio_options("s1", "6") == radio_options("s1", None)
    assert "checked" not in radio_options("s1", '" onclick="x')
    assert radio_options("s1", "dk").count(" checked") == 1


def test_the_questionnaire_page_escapes_what_people_typed(client, invitation, partner, cycle):
    place = cycle.place
    place.name = "<b>Ours</b> & co"
    place.save()
    condition = cycle.bank.conditions.first()
    DraftResponse.objects.create(
        invitation=invitation,
        partner=partner,
        role_level="manager",
        comments={str(condition.pk): "</textarea><script>alert(1)</script>"},
    )
    html = _page(client, invitation).decode()
    assert "&lt;b&gt;Ours&lt;/b&gt; &amp; co" in html
    assert "<script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html


def test_an_undefined_name_in_a_respondent_template_is_an_error():
    with pytest.raises(UndefinedError):
        engines["jinja2"].from_string("{{ no_such_name }}").render({})


def _head_and_header(html: str) -> str:
    head = re.search(r"<head>(.*)</head>", html, re.S).group(1)
    head = re.sub(r"<title>.*</title>", "", head, flags=re.S)
    brand = re.search(r'<a class="navbar-brand[^>]*>[^<]*</a>', html).group(0)
    skip = re.search(r'<a class="visually-hidden-focusable skip-link"[^>]*>[^<]*</a>', html)
    return re.sub(r"\s+", " ", head).strip() + brand + skip.group(0)


def test_respondent_pages_share_the_head_and_header_of_every_other_page(place_a):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    django_page = render_to_string("base.html", {}, request=request)
    respondent_page = render_to_string(
        "respond/base.html", {"place_name": place_a.name}, request=request, using="jinja2"
    )
    assert _head_and_header(respondent_page) == _head_and_header(django_page)


def test_the_link_lookup_keeps_no_connection_alive(invitation):
    """Each thread has its own connection: the compiled query, kept for good, must not hold one
    through a converter bound to it (SQLite's booleans and dates have such converters)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    Invitation.objects.by_token(invitation.token)
    _sql, parts = link_lookup._compiled("default")
    functions = [f for part in parts for _position, fs, _col in part.converters for f in fs]
    if connection.vendor == "sqlite":
        assert functions  # so the check below is not vacuous there
    assert not [
        f for f in functions if isinstance(getattr(f, "__self__", None), BaseDatabaseOperations)
    ]


def test_the_link_lookup_keeps_its_cursor_and_still_reads_afresh(invitation):
    wrapper = connections["default"]  # `connection` is a proxy to it
    first = Invitation.objects.by_token(invitation.token)
    kept = link_lookup._cursors[wrapper]
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        again = Invitation.objects.by_token(invitation.token)
    assert link_lookup._cursors[wrapper] is kept
    assert len(queries) == 1  # still seen, as every query is
    assert first.revoked_at is None and again.revoked_at is not None
    assert Invitation.objects.by_token("0" * 64) is None  # the same cursor, nothing found


def test_the_link_lookup_takes_a_new_cursor_for_a_new_connection(invitation):
    """A cursor kept from a connection that has since been replaced is never used."""
    wrapper = connections["default"]
    stale = SimpleNamespace(connection=object())  # not this wrapper's connection
    link_lookup._cursors[wrapper] = stale
    found = Invitation.objects.by_token(invitation.token)
    assert found.pk == invitation.pk
    kept = link_lookup._cursors[wrapper]
    assert kept is not stale and kept.connection is wrapper.connection


@pytest.mark.django_db(transaction=True)
def test_a_threads_kept_cursor_goes_with_its_connection(invitation):
    """Each thread has its own connection wrapper: once the thread and its connection are gone,
    so is the cursor kept for it."""
    gc.collect()
    before = len(link_lookup._cursors)
    found = []

    def look_up():
        try:
            found.append(Invitation.objects.by_token(invitation.token).pk)
            found.append(len(link_lookup._cursors))
        finally:
            connections.close_all()

    thread = threading.Thread(target=look_up)
    thread.start()
    thread.join()
    gc.collect()
    assert found == [invitation.pk, before + 1]
    assert len(link_lookup._cursors) == before


def test_the_link_lookup_unlogged_raises_djangos_exceptions(invitation, monkeypatch):
    """With no query log, the lookup runs on its cursor without Django's wrapper, yet a database
    error still comes out as Django's exception, and a broken transaction is still refused."""
    assert not connection.queries_logged  # so the unwrapped path is the one tested
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            Invitation.objects.by_token(invitation.token)
    sql, parts = link_lookup._compiled("default")
    broken = sql.replace("assessments_invitation", "no_such_table", 1)
    monkeypatch.setattr(link_lookup, "_compiled", lambda alias: (broken, parts))
    with pytest.raises(DatabaseError) as raised:
        Invitation.objects.by_token(invitation.token)
    assert type(raised.value).__module__ == "django.db.utils"


def test_the_link_lookup_goes_through_execute_wrappers(invitation):
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        found = Invitation.objects.by_token(invitation.token)
    assert found.pk == invitation.pk
    assert seen == [[invitation.token_hash]]


def test_a_pages_questions_are_kept_per_set_of_answers(invitation, cycle):
    questionnaire = Questionnaire.for_bank(cycle.bank)
    condition = questionnaire.conditions[0]
    rows = questionnaire.question_rows(condition)
    statements = questionnaire.statements_for(condition)
    assert [row.name for row in rows] == [f"s{s.pk}" for s in statements]
    nothing = ConditionPage.from_draft(condition, rows, {}, "").questions
    again = ConditionPage.from_draft(condition, rows, {}, "").questions
    assert again is nothing  # kept
    answered = {rows[0].key: 4, rows[1].key: None, rows[2].key: 9}  # 9: never offered
    questions = ConditionPage.from_draft(condition, rows, answered, "").questions
    one_by_one = [
        question_html(number, statement, chosen)
        for number, (statement, chosen) in enumerate(
            zip(statements, ["4", "dk"] + [None] * (len(statements) - 2), strict=True), start=1
        )
    ]
    assert questions == "\n".join(one_by_one)
    assert questions.count(" checked") == 2
    assert nothing.count(" checked") == 0


def test_a_fragment_is_rendered_once_for_the_same_arguments():
    fragment = engines["jinja2"].env.globals["fragment"]
    first = fragment("respond/_progress.html", "progress", 2, 7)
    assert "Page 2 of 7" in first
    assert fragment("respond/_progress.html", "progress", 2, 7) is first
    assert "Page 3 of 7" in fragment("respond/_progress.html", "progress", 3, 7)


def test_fragments_are_rendered_afresh_when_templates_reload():
    env = jinja2_environment(
        loader=FileSystemLoader(settings.BASE_DIR / "templates" / "jinja2"), auto_reload=True
    )
    fragment = env.globals["fragment"]
    first = fragment("respond/_progress.html", "progress", 2, 7)
    again = fragment("respond/_progress.html", "progress", 2, 7)
    assert again == first and again is not first


def test_a_question_with_an_error_points_to_it(client, invitation, partner, cycle):
    _started(invitation, partner)
    statements = Questionnaire.for_bank(cycle.bank).statements_for(cycle.bank.conditions.first())
    data = {f"s{statements[0].pk}": "5", "action": "next"}  # the others left unanswered
    response = client.post(reverse("respond_page", args=[invitation.token, 1]), data)
    html = response.content.decode()
    assert response.status_code == 400
    missing = f"s{statements[1].pk}"
    assert f'<fieldset id="q-{missing}" aria-describedby=" {missing}-error">' in html
    assert f'id="{missing}-error">Please choose an answer' in html
    assert f'<fieldset id="q-s{statements[0].pk}">' in html  # answered: no error
    assert 'value="5" checked' in html


def test_a_link_without_arguments_follows_the_script_prefix():
    url = engines["jinja2"].env.globals["url"]
    assert url("home") == "/"
    set_script_prefix("/health-check/")
    try:
        assert url("home") == "/health-check/"
    finally:
        set_script_prefix("/")
    assert url("home") == "/"


def test_the_questionnaire_page_is_ascii_and_shows_the_same_text(client, invitation, partner):
    """Python joins and encodes an all-ASCII page by copying bytes (betterway/jinja2.py): one
    character outside ASCII in the page's own text would make every page cost more."""
    _started(invitation, partner)
    content = _page(client, invitation)
    assert content.isascii()
    shown = unescape(content.decode())
    assert "choose “Don’t know”." in shown
    assert "Don’t know</label>" in shown
    assert " · Health check for " in shown


def test_a_banks_wording_outside_ascii_is_shown_as_written(client, invitation, partner, cycle):
    bank = make_bank(n_conditions=1, n_statements=1, publish=False)  # published ones cannot change
    Statement.objects.filter(condition__bank=bank).update(
        text="Partners’ “shared” café — naïve & <bold>", help_text="Ça va"
    )
    bank.publish()
    cycle = CycleFactory(place=cycle.place, bank=bank, status=CycleStatus.OPEN)
    other = _invite(cycle, partner, "Sam")
    _started(other, partner)
    content = _page(client, other)
    assert content.isascii()
    shown = unescape(content.decode())
    assert "1. Partners’ “shared” café — naïve & <bold></legend>" in shown
    assert ">Ça va</p>" in shown


def test_ascii_html_keeps_markup_and_writes_references():
    with pytest.raises(TypeError):
        ascii_html("<p>plain text is not markup</p>")
    html = ascii_html(Markup('<p title="’">Don’t &amp; 🙂</p>'))
    assert html == '<p title="&#8217;">Don&#8217;t &amp; &#128578;</p>'
    assert html.isascii() and hasattr(html, "__html__")
    assert unescape(html) == '<p title="’">Don’t & 🙂</p>'


@pytest.fixture
def deferred_reads_refused(monkeypatch):
    """The link lookup's instances refuse to read a deferred field or an unloaded relation."""
    instance = link_lookup._Part.instance

    def refusing(part, row, connection):
        made = instance(part, row, connection)
        made._state.fetch_mode = FETCH_RAISE
        return made

    monkeypatch.setattr(link_lookup._Part, "instance", refusing)


def test_the_respondents_journey_reads_nothing_the_link_lookup_left_out(
    client, invitation, partner, cycle, deferred_reads_refused
):
    questionnaire = Questionnaire.for_bank(cycle.bank)
    first, second = questionnaire.conditions

    def answers(condition, value, action="next"):
        data = {f"s{s.pk}": value for s in questionnaire.statements_for(condition)}
        return {**data, "action": action, "comment": "Fine"}

    def page(number):
        return reverse("respond_page", args=[invitation.token, number])

    start = reverse("respond_start", args=[invitation.token])
    about = reverse("respond_about", args=[invitation.token])
    assert "Hello Robin" in client.get(start).content.decode()
    assert client.get(about).status_code == 200
    chosen = {"partner": partner.pk, "role_level": "manager"}
    assert client.post(about, chosen).status_code == 302
    assert client.get(page(1)).status_code == 200
    assert client.post(page(1), {"action": "next", "comment": ""}).status_code == 400
    assert client.post(page(1), answers(first, "4")).status_code == 302
    assert client.post(page(2), answers(second, "dk", action="later")).status_code == 200
    assert client.get(start).status_code == 200  # resumes
    assert client.get(page(3)).status_code == 200  # the spectrum question
    spectrum = {"spectrum_choice": "weak", "action": "next"}
    assert client.post(page(3), spectrum).status_code == 302
    review = reverse("respond_review", args=[invitation.token])
    assert client.get(review).status_code == 200
    submit = reverse("respond_submit", args=[invitation.token])
    assert client.post(submit).status_code == 302
    assert "Thank you" in client.get(start).content.decode()
    assert client.post(submit).status_code == 302  # a second submit changes nothing


def test_refused_links_read_nothing_the_link_lookup_left_out(
    client, invitation, partner, cycle, deferred_reads_refused
):
    _started(invitation, partner)
    start = reverse("respond_start", args=[invitation.token])
    spectrum = reverse("respond_page", args=[invitation.token, 3])
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    assert "has closed" in client.get(start).content.decode()
    sent = {"spectrum_choice": "weak", "action": "next"}
    assert "Nothing was saved" in client.post(spectrum, sent).content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert "withdrawn" in client.get(start).content.decode()


def test_a_draft_cycle_on_a_draft_bank_reads_its_bank_whole_once(client, place_a, partner):
    bank = make_bank(n_conditions=1, n_statements=2, publish=False)
    cycle = CycleFactory(place=place_a, bank=bank, status=CycleStatus.DRAFT)
    invitation = _invite(cycle, partner, "Ash")
    _started(invitation, partner)
    spectrum = reverse("respond_page", args=[invitation.token, 2])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(spectrum, {"spectrum_choice": "weak", "action": "next"})
    assert response.status_code == 403
    assert bank.spectrum_prompt in unescape(response.content.decode())
    # The link, the bank whole, its pages: no query per deferred field of the bank.
    assert len(queries) == 3


PAGE_FIXED = {
    "condition_name": "Trust & <respect>",
    "condition_description": "How partners get on.",
    "number": 2,
    "page_count": 7,
    "k": 4,
    "has_errors": True,
    "page_errors": ("Please check this page.",),
    "comment_name": "comment",
    "comment_id": "id_comment",
    "comment_label": "Anything to add?",
    "comment_errors": ("Please keep your comment under 2000 characters.",),
    "refusal": None,
}


@pytest.mark.parametrize(
    "holes",
    [
        {
            "place_name": "Ynys Môn & <Partners>",
            "questions": Markup('<fieldset id="q-s1"><legend>1. A</legend></fieldset>'),
            "comment_text": "</textarea><script>alert(1)</script> “café”",
        },
        {"place_name": "", "questions": Markup(""), "comment_text": ""},
    ],
)
def test_a_page_rendered_with_holes_is_the_page_rendered_whole(holes):
    env = engines["jinja2"].env
    assert not env.auto_reload  # as in production: the shell and its holes
    whole = env.get_template("respond/page.html").render({**PAGE_FIXED, **holes})
    # The same page, with what is outside ASCII written as character references.
    assert render_with_holes("respond/page.html", PAGE_FIXED, holes) == ascii_html(Markup(whole))
    refused = {**PAGE_FIXED, "refusal": "This health check has closed."}
    whole = env.get_template("respond/page.html").render({**refused, **holes})
    assert render_with_holes("respond/page.html", refused, holes) == ascii_html(Markup(whole))


def test_a_shell_is_rendered_once_for_the_same_fixed_values():
    holes = {"place_name": "Riverside", "questions": Markup(""), "comment_text": ""}
    render_with_holes("respond/page.html", PAGE_FIXED, holes)
    before = jinja2_module._shell.cache_info()
    other = {**holes, "place_name": "Hillmarsh", "comment_text": "Fine"}
    assert "Hillmarsh" in render_with_holes("respond/page.html", PAGE_FIXED, other)
    after = jinja2_module._shell.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_a_shells_own_text_is_ascii_whatever_the_banks_wording():
    fixed = {**PAGE_FIXED, "condition_name": "Café society"}
    holes = {"place_name": "Riverside", "questions": Markup(""), "comment_text": ""}
    html = render_with_holes("respond/page.html", fixed, holes)
    assert html.isascii()
    whole = engines["jinja2"].env.get_template("respond/page.html").render({**fixed, **holes})
    assert unescape(html) == unescape(whole)


@pytest.mark.parametrize(
    "source",
    [
        "<p>{{ k }}</p>",  # never printed
        "<p>{{ comment_text|trim }}</p>",
        "<p>{{ comment_text|upper }}</p>",
        "<p>{{ comment_text|safe }}</p>",
        "<p>{% if comment_text %}Thank you: {% endif %}{{ comment_text }}</p>",
    ],
)
def test_a_template_that_does_more_than_print_a_hole_is_refused(source, monkeypatch):
    env = engines["jinja2"].env
    template = env.from_string(source)
    monkeypatch.setattr(env, "get_template", lambda name, *args, **kwargs: template)
    with pytest.raises(ValueError, match="must print each of its holes, as it is"):
        render_with_holes(f"test/{source}", {"k": 5}, {"comment_text": "Fine"})


def test_a_shell_takes_no_markup_among_its_fixed_values():
    holes = {"place_name": "Riverside", "questions": Markup(""), "comment_text": ""}
    fixed = {**PAGE_FIXED, "condition_name": Markup("<b>Trust</b>")}
    with pytest.raises(TypeError, match="no markup"):
        render_with_holes("respond/page.html", fixed, holes)


def test_holes_outside_ascii_are_written_as_references():
    holes = {"place_name": "Ynys Môn", "questions": Markup(""), "comment_text": "café"}
    html = render_with_holes("respond/page.html", PAGE_FIXED, holes)
    assert html.isascii()
    assert "Ynys M&#244;n" in html and ">caf&#233;</textarea>" in html
