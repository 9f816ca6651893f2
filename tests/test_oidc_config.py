"""``[oidc]`` in formgen.toml: read whole at start, the client secret only from a file
its owner alone may read, and one clear error for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from formgen.config import DEFAULT_AFFILIATION_ROLES, load
from formgen.errors import ConfigError

LINES = """public_url = "https://formgen.example.nl/"

[oidc]
issuer = "https://connect.example.org/"
client_id = "formgen.example.nl"
client_secret_file = "secret"
{extra}
"""


def write(tmp_path: Path, extra: str = "", mode: int = 0o600, public: bool = True) -> Path:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    secret.chmod(mode)
    text = LINES.format(extra=extra)
    if not public:
        text = text.replace('public_url = "https://formgen.example.nl/"', "")
    path = tmp_path / "formgen.toml"
    path.write_text(text)
    return path


def test_the_table_with_its_defaults(tmp_path: Path) -> None:
    oidc = load(write(tmp_path)).oidc
    assert oidc is not None
    assert oidc.issuer == "https://connect.example.org"
    assert oidc.client_id == "formgen.example.nl"
    assert oidc.client_secret == "s3cret"
    assert "s3cret" not in repr(oidc)
    assert oidc.scopes == "openid profile email"
    assert dict(oidc.affiliation_roles) == DEFAULT_AFFILIATION_ROLES
    assert oidc.allowed_organisations == () and oidc.officers == ()


def test_lists_and_roles_as_configured(tmp_path: Path) -> None:
    extra = """allowed_organisations = ["HvA.nl", "uva.nl"]
officers = ["privacy@hva.nl", "abc123"]
affiliation_roles = { student = "student", employee = "supervisor" }"""
    oidc = load(write(tmp_path, extra)).oidc
    assert oidc is not None
    assert oidc.allowed_organisations == ("hva.nl", "uva.nl")
    assert oidc.officers == ("privacy@hva.nl", "abc123")
    assert dict(oidc.affiliation_roles) == {"student": "student", "employee": "supervisor"}


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o666])
def test_a_secret_others_may_read_is_refused(tmp_path: Path, mode: int) -> None:
    with pytest.raises(ConfigError, match="owner-only"):
        load(write(tmp_path, mode=mode))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('affiliation_roles = { staff = "officer" }', "not student or supervisor"),
        ('officers = "privacy@hva.nl"', "must be a list"),
        ('scopes = "profile email"', "must include openid"),
        ('secret = "x"', "unknown oidc keys: secret"),
    ],
)
def test_mistakes_are_one_clear_error(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, extra))


def test_without_public_url_there_is_no_redirect_uri(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs public_url"):
        load(write(tmp_path, public=False))


def test_a_missing_secret_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path)
    (tmp_path / "secret").unlink()
    with pytest.raises(ConfigError, match=r"cannot read oidc\.client_secret_file"):
        load(path)
