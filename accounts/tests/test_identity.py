"""One identity per username: the canonical key decides sign-up, log-in and the lockout."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from conftest import PASSWORD, post, run_at_once

pytestmark = pytest.mark.django_db


def signup(client, username):
    return client.post("/signup/", {"username": username, "password": PASSWORD}, format="json")


def login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, format="json")


@pytest.mark.parametrize(
    "look_alike",
    ["ALICE", "ａｌｉｃｅ", "Ａlice", "ＡＬＩＣＥ"],  # case, fullwidth, a fullwidth capital
)
def test_names_that_are_alice_in_canonical_form_can_not_sign_up(api_client, user, look_alike):
    response = signup(api_client, look_alike)

    assert response.status_code == 400
    assert response.json()["username"] == ["A user with that username already exists."]
    assert User.objects.count() == 1


@pytest.mark.parametrize("mixed", ["\u0430lice", "ali\u0441e", "b\u03bfb"])  # Cyrillic а, Cyrillic с, Greek ο
def test_names_mixing_scripts_are_refused_with_a_clear_400(api_client, mixed):
    response = signup(api_client, mixed)

    assert response.status_code == 400
    assert "one script" in response.json()["username"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["иван", "jürgen", "zoë_2", "山田"])
def test_names_in_one_script_of_any_language_sign_up(api_client, name):
    assert signup(api_client, name).status_code == 201


def test_long_s_is_s_so_two_spellings_are_one_account(api_client):
    assert signup(api_client, "sfbbfg").status_code == 201
    assert signup(api_client, "\u017ffbbfg").status_code == 400  # ſfbbfg

    assert login(api_client, "\u017ffbbfg").status_code == 200  # logs in as sfbbfg


def test_dotless_i_is_not_a_way_into_alice(api_client, user):
    # PostgreSQL's UPPER('alıce') is 'ALICE'; the canonical key is not.
    assert login(api_client, "al\u0131ce").status_code == 401
    assert login(api_client, "ａｌｉｃｅ").status_code == 200


def test_fullwidth_login_finds_the_one_account(api_client, user):
    response = login(api_client, "ＡＬＩＣＥ")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.id


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_spellings_signing_up_at_the_same_moment_give_one_account(api_client):
    from rest_framework.test import APIClient

    answers = run_at_once(
        [post(APIClient(), "/signup/", {"username": name, "password": PASSWORD}) for name in ("sfbbfg", "\u017ffbbfg")]
    )

    assert sorted(a.status_code for a in answers) == [201, 400]
    assert User.objects.count() == 1
    assert APIClient().post("/login/", {"username": "SFBBFG", "password": PASSWORD}, format="json").status_code == 200


def test_the_admin_refuses_a_name_another_account_has_in_canonical_form(admin_client_factory, staff_user, user):
    client = admin_client_factory(staff_user)

    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "ＡＬＩＣＥ", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_colliding_accounts_apart_and_reports_them(capsys):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("accounts", "0001_initial")])
    try:
        old = executor.loader.project_state([("accounts", "0001_initial")]).apps
        OldUser = old.get_model("accounts", "User")
        first = OldUser.objects.create(username="sfbbfg")
        second = OldUser.objects.create(username="\u017ffbbfg")  # the lower()-based constraint let it in
        other = OldUser.objects.create(username="carol")

        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)

    keys = dict(User.objects.values_list("pk", "username_key"))
    assert keys == {first.pk: "sfbbfg", second.pk: f"sfbbfg~{second.pk}", other.pk: "carol"}
    assert f"user {second.pk} ('ſfbbfg') has the same canonical name as user {first.pk}" in capsys.readouterr().err
    assert User.objects.get_by_natural_key("SFBBFG").pk == first.pk  # never MultipleObjectsReturned
    # Kept apart, not merged; renaming it gives it a real key.
    renamed = User.objects.get(pk=second.pk)
    renamed.save()
    assert User.objects.get(pk=second.pk).username_key == f"sfbbfg~{second.pk}"
    renamed.username = "sfbbfg2"
    renamed.save()
    assert User.objects.get(pk=second.pk).username_key == "sfbbfg2"


def test_username_collisions_lists_the_accounts_kept_apart(capsys, user):
    other = User.objects.create_user(username="alice2", password=PASSWORD)
    User.objects.filter(pk=other.pk).update(username_key=f"alice~{other.pk}")

    from django.core.management import call_command

    call_command("username_collisions")

    out, err = capsys.readouterr()
    assert out == f"{other.pk}\talice2\talice~{other.pk}\n"
    assert "1 colliding account(s)" in err
