"""``[oidc]`` in formgen.toml: checked whole when the configuration is read, so a typo
or a secret others can read stops formgen at start, not at someone's first sign-in."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from formgen.errors import ConfigError
from formgen.rules import Role
from formgen.words import N_

if TYPE_CHECKING:
    from formgen.config import Oidc

REQUIRED = ("issuer", "client_id", "client_secret_file")
LISTS = ("allowed_organisations", "officers")
KNOWN = {*REQUIRED, *LISTS, "scopes", "affiliation_roles"}


def parse(table: object, base: Path) -> Oidc:
    from formgen.config import DEFAULT_AFFILIATION_ROLES, Oidc

    if not isinstance(table, Mapping):
        raise ConfigError(N_("[oidc] must be a table"))
    if unknown := set(table) - KNOWN:
        raise ConfigError(N_("unknown oidc keys: {keys}"), keys=", ".join(sorted(unknown)))
    if missing := [key for key in REQUIRED if not str(table.get(key, "")).strip()]:
        raise ConfigError(N_("[oidc] needs {missing}"), missing=", ".join(missing))
    issuer = str(table["issuer"]).strip().rstrip("/")
    scheme, _, rest = issuer.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in " ?#"):
        raise ConfigError(N_("oidc.issuer {issuer!r} is not a web address"), issuer=issuer)
    lists: dict[str, tuple[str, ...]] = {}
    for key in LISTS:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(N_("oidc.{key} must be a list of strings"), key=key)
        lists[key] = tuple(v.strip() for v in value if v.strip())
    roles = table.get("affiliation_roles", DEFAULT_AFFILIATION_ROLES)
    if not isinstance(roles, Mapping):
        raise ConfigError(N_("oidc.affiliation_roles must be a table"))
    for affiliation, role in roles.items():
        if role not in (Role.STUDENT, Role.SUPERVISOR):
            raise ConfigError(
                N_(
                    "oidc.affiliation_roles.{affiliation}: {role!r} is not student or supervisor "
                    "(officers are named in oidc.officers)"
                ),
                affiliation=affiliation,
                role=role,
            )
    scopes = str(table.get("scopes", "openid profile email")).split()
    if "openid" not in scopes:
        raise ConfigError(N_("oidc.scopes must include openid"))
    secret_file = base / str(table["client_secret_file"])
    return Oidc(
        issuer=issuer,
        client_id=str(table["client_id"]).strip(),
        client_secret_file=secret_file,
        scopes=" ".join(scopes),
        allowed_organisations=tuple(o.lower() for o in lists["allowed_organisations"]),
        officers=lists["officers"],
        affiliation_roles={str(k).lower(): str(v) for k, v in roles.items()},
        client_secret=read_secret(secret_file),
    )


def read_secret(path: Path) -> str:
    """The client secret, from a regular file only its owner may read or write."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError(
            N_("cannot read oidc.client_secret_file {path}: {reason}"),
            path=path,
            reason=exc.strerror,
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(N_("oidc.client_secret_file {path} is not a regular file"), path=path)
        if info.st_mode & 0o077:
            raise ConfigError(
                N_(
                    "oidc.client_secret_file {path} may be read by others (mode {mode:o}): make "
                    "it owner-only (chmod 600)"
                ),
                path=path,
                mode=stat.S_IMODE(info.st_mode),
            )
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise ConfigError(
                N_("oidc.client_secret_file {path} belongs to another user"), path=path
            )
        with os.fdopen(fd, "rb") as file:
            fd = -1
            data = file.read(4096)
    finally:
        if fd >= 0:
            os.close(fd)
    secret = data.decode("utf-8", "replace").strip()
    if not secret:
        raise ConfigError(N_("oidc.client_secret_file {path} is empty"), path=path)
    return secret
