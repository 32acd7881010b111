"""Typed reading of the environment: every malformed value is a problem that names the
variable and says what was expected; nothing raises."""

import pytest

from obcms.env import Env


def read(method: str, value: str | None, *args, **kwargs):
    env = Env(environ={} if value is None else {"NAME": value})
    result = getattr(env, method)("NAME", *args, **kwargs)
    return result, env


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
        (None, False),
        ("", False),
    ],
)
def test_bool_accepts_the_usual_spellings(value, expected):
    result, env = read("bool", value)
    assert result is expected
    assert env.problems == []


@pytest.mark.parametrize(
    ("method", "value", "args", "kwargs", "message"),
    [
        ("bool", "yes please", (), {}, "NAME: expected true or false"),
        ("bool", "2", (), {}, "NAME: expected true or false"),
        ("int", "abc", (5,), {}, "NAME: expected a whole number, got 'abc'"),
        ("int", "1.5", (5,), {}, "NAME: expected a whole number"),
        ("int", "0", (5,), {"minimum": 1}, "NAME: expected a whole number of at least 1, got 0"),
        ("int", "70000", (5,), {"minimum": 1, "maximum": 65535}, "from 1 to 65535, got 70000"),
        ("float", "lots", (0.0,), {}, "NAME: expected a number, got 'lots'"),
        ("float", "1.5", (0.0,), {"minimum": 0, "maximum": 1}, "from 0 to 1"),
        ("choice", "loud", ("info", ("debug", "info")), {}, "expected one of debug, info"),
        ("url", "nonsense", (), {"schemes": ("redis",)}, "a value with no scheme"),
        (
            "url",
            "http://x",
            (),
            {"schemes": ("redis", "rediss")},
            "expected a URL starting with redis://, rediss://, got one starting with http://",
        ),
        ("url", "redis://h:port/0", (), {"schemes": ("redis",)}, "malformed"),
    ],
)
def test_malformed_values_are_reported_with_name_and_expectation(
    method, value, args, kwargs, message
):
    _, env = read(method, value, *args, **kwargs)
    assert len(env.problems) == 1
    assert message in env.problems[0]
    assert env.problems[0].startswith("NAME: ")


def test_a_malformed_value_falls_back_to_the_default():
    result, _ = read("int", "abc", 7)
    assert result == 7


def test_url_problems_never_echo_the_value_which_may_hold_a_password():
    _, env = read("url", "postgres//user:hunter2@db", schemes=("postgres",))
    assert "hunter2" not in env.problems[0]


def test_list_splits_on_commas_and_drops_blanks():
    result, _ = read("list", " a.example , ,b.example,")
    assert result == ["a.example", "b.example"]


def test_blank_value_means_unset():
    result, env = read("int", "   ", 3)
    assert result == 3
    assert env.problems == []


def test_required_secret_missing_is_recorded_as_missing_not_malformed():
    env = Env(environ={})
    assert env.secret("SECRET_KEY", required=True, hint="set it") == ""
    assert env.missing == ["SECRET_KEY is not set: set it"]
    assert env.problems == []


def test_every_name_asked_for_is_remembered():
    env = Env(environ={})
    env.str("A")
    env.bool("B")
    assert {"A", "B"} <= env.names


def test_repr_never_shows_values():
    env = Env(environ={"SECRET_KEY": "s3cret-value"})
    env.str("SECRET_KEY")
    assert "s3cret-value" not in repr(env)


def test_database_url_postgres_gets_persistent_checked_connections():
    env = Env(environ={"DATABASE_URL": "postgres://u:p@db.internal:5433/obcms"})
    config = env.database("DATABASE_URL", "sqlite:///x.sqlite3", conn_max_age=60)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "obcms")
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_database_url_nonsense_is_a_problem_and_sqlite_is_used():
    env = Env(environ={"DATABASE_URL": "nonsense"})
    config = env.database("DATABASE_URL", "sqlite:///x.sqlite3", conn_max_age=0)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert env.problems[0].startswith("DATABASE_URL: expected a URL starting with postgres://")


@pytest.mark.parametrize(
    ("url", "backend", "host", "port", "tls", "ssl"),
    [
        ("smtp+tls://u:p%40ss@mail.example.org", "smtp", "mail.example.org", 587, True, False),
        ("smtp+ssl://mail.example.org", "smtp", "mail.example.org", 465, False, True),
        ("smtp://relay:2525", "smtp", "relay", 2525, False, False),
        ("console://", "console", "localhost", 25, False, False),
    ],
)
def test_email_url(url, backend, host, port, tls, ssl):
    config = Env(environ={"EMAIL_URL": url}).email("EMAIL_URL")
    assert backend in config.backend
    assert (config.host, config.port, config.use_tls, config.use_ssl) == (host, port, tls, ssl)


def test_email_url_decodes_credentials():
    config = Env(environ={"EMAIL_URL": "smtp+tls://me%40x.org:p%40ss@mail"}).email("EMAIL_URL")
    assert (config.user, config.password) == ("me@x.org", "p@ss")


def test_a_secret_comes_from_its_file_when_the_variable_is_unset(tmp_path):
    (tmp_path / "secret_key").write_text("  from-a-mounted-file\n")
    env = Env(environ={"SECRET_KEY_FILE": str(tmp_path / "secret_key")})
    assert env.secret("SECRET_KEY", required=True, hint="set it") == "from-a-mounted-file"
    assert env.missing == [] and env.problems == []


def test_a_secret_variable_wins_over_its_file(tmp_path):
    (tmp_path / "secret_key").write_text("from-the-file")
    env = Env(environ={"SECRET_KEY": "from-the-variable", "SECRET_KEY_FILE": "/nonexistent"})
    assert env.secret("SECRET_KEY", required=True, hint="set it") == "from-the-variable"
    assert env.missing == []


@pytest.mark.parametrize("required", [True, False])
def test_an_unreadable_secret_file_is_one_line_naming_the_file_variable(tmp_path, required):
    env = Env(environ={"SECRET_KEY_FILE": str(tmp_path / "absent")})
    assert env.secret("SECRET_KEY", required=required, hint="set it") == ""
    assert env.missing == [
        f"SECRET_KEY_FILE: cannot read {tmp_path / 'absent'} (No such file or directory); "
        "mount the secret at that path, or set SECRET_KEY instead"
    ]
    assert env.problems == []  # the build may see the variable before the file is mounted


def test_an_empty_secret_file_is_reported(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    env = Env(environ={"SECRET_KEY_FILE": str(tmp_path / "secret_key")})
    assert env.secret("SECRET_KEY", required=True, hint="set it") == ""
    assert env.missing == [
        f"SECRET_KEY_FILE: {tmp_path / 'secret_key'} is empty; put the secret in it"
    ]
