"""Organisation details and paths, from a TOML file with the procedure's HvA FOO values as
defaults, so another faculty can use formgen unchanged.

Looked up in this order: ``FORMGEN_CONFIG`` (a file path), ``./formgen.toml``, defaults.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from formgen.errors import ConfigError
from formgen.rules import DEFAULT_PROOF_AFTER, DEFAULT_RETENTION, PROOF_KEY, Period, Purpose
from formgen.words import N_


@dataclass(frozen=True)
class Organisation:
    """The controller as the documents name it. A field without a language suffix is
    Dutch; ``<field>_en`` is its English form (other languages fall back to English)."""

    name: str = "Hogeschool van Amsterdam"
    name_en: str = "Amsterdam University of Applied Sciences"
    short_name: str = "HvA"
    faculty: str = "Faculteit Onderwijs en Opvoeding"
    faculty_en: str = "Faculty of Education"
    website: str = "https://www.hva.nl"  # the controller's address or website (art. 13)
    privacy_email: str = "gegevensbescherming-foo@hva.nl"
    # How to reach the data protection officer (e-mail or web address). Empty: no
    # declaration is printed (GDPR art. 13(1)(b): the form must say how to reach them).
    dpo_contact: str = ""
    platform: str = "MediaSite (mijnvideo)"
    platform_url: str = "http://hva.nl/mijnvideo"
    authority: str = "Autoriteit Persoonsgegevens"
    authority_url: str = "https://autoriteitpersoonsgegevens.nl"
    procedure: str = "Werkwijze beeld- en geluidsopnamen FOO"
    procedure_version: str = "20 augustus 2020"
    # The last day the procedure applies (YYYY-MM-DD; empty: no end known). Past it,
    # ``formgen serve`` and ``formgen forms`` warn: the forms cite an expired procedure.
    procedure_valid_until: str = ""
    # The controller's postal address and where the data are stored (GDPR art. 13).
    postal_address: str = "Postbus 1025, 1000 BA Amsterdam"
    storage_location: str = "in Nederland, bij de HvA"
    storage_location_en: str = "in the Netherlands, at the HvA"
    # The time zone of every date and time shown to people, and of "today" (a recording
    # made at 00:30 in Amsterdam is made on that day, not on the UTC day before).
    timezone: str = "Europe/Amsterdam"
    # The organisation's own mail domains (``mail_domains = ["hva.nl"]``; subdomains
    # count too): an address there cannot confirm a consent online, as the student or a
    # colleague could answer for someone.
    mail_domains: tuple[str, ...] = ("hva.nl",)


@dataclass(frozen=True)
class Mail:
    """The SMTP server formgen sends its e-mail through (``[mail]``)."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str = ""
    password: str = ""
    sender: str = "formgen@localhost"


DEFAULT_AFFILIATION_ROLES = {
    "student": "student",
    "employee": "supervisor",
    "faculty": "supervisor",
    "staff": "supervisor",
}


@dataclass(frozen=True)
class Oidc:
    """Sign-in with the institution's account (``[oidc]``), OpenID Connect as SURFconext
    offers it. The secret is read from its own owner-only file, never from formgen.toml."""

    issuer: str
    client_id: str
    client_secret_file: Path
    scopes: str = "openid profile email"
    allowed_organisations: tuple[str, ...] = ()  # schac_home_organization; empty: any
    officers: tuple[str, ...] = ()  # sub values or e-mail addresses
    affiliation_roles: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_AFFILIATION_ROLES)
    )
    client_secret: str = field(default="", repr=False)  # read from client_secret_file


@dataclass(frozen=True)
class Config:
    org: Organisation = field(default_factory=Organisation)
    retention: Mapping[Purpose, Period] = field(default_factory=lambda: dict(DEFAULT_RETENTION))
    # How long the record is kept as proof after the recording's destruction; then
    # everything personal in it is erased (``lifecycle.erase_proof``).
    proof_after: Period = DEFAULT_PROOF_AFTER
    templates_dir: Path | None = None  # user templates that override the shipped ones
    output_dir: Path = Path("output")
    # Where people reach the service ("https://formgen.example.nl"); set, every QR code
    # is a link that opens the form online. None: paper only.
    public_url: str | None = None
    mail: Mail | None = None  # None: formgen sends no e-mail
    oidc: Oidc | None = None  # None: local passwords only
    # ``[service] trusted_proxies``: the reverse proxies (addresses or networks) whose
    # X-Forwarded-For names the client. No one by default, loopback included: else any
    # local process could pose as many clients and dodge the per-client sign-in limit.
    trusted_proxies: tuple[str, ...] = ()
    # The service a live stream goes through (``[livestream] service``), named on the form.
    livestream_service: str = "Microsoft Teams"
    # ``[store] key_file``: the master key that opens the store's sealed data (sealing.py;
    # FORMGEN_KEY_FILE wins). None: ``formgen.key`` beside an SQLite store.
    key_file: Path | None = None


def load(path: Path | None = None) -> Config:
    if path is None:
        env = os.environ.get("FORMGEN_CONFIG")
        path = Path(env) if env else Path("formgen.toml")
        if not env and not path.exists():
            return Config()
    import tomllib  # only where there is a file to read (no file: the defaults)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            N_("cannot read configuration {path}: {exc}"), path=path, exc=exc
        ) from exc
    return from_mapping(data, base=path.parent)


def from_mapping(data: Mapping[str, object], base: Path = Path(".")) -> Config:
    config = Config()
    org = data.get("organisation", {})
    if not isinstance(org, Mapping):
        raise ConfigError(N_("[organisation] must be a table"))
    known = {f.name for f in fields(Organisation)}
    if unknown := set(org) - known:
        raise ConfigError(N_("unknown organisation keys: {keys}"), keys=", ".join(sorted(unknown)))
    values = {k: (_domains(v) if k == "mail_domains" else str(v)) for k, v in org.items()}
    config = replace(config, org=replace(config.org, **values))
    if config.org.procedure_valid_until:
        try:
            dt.date.fromisoformat(config.org.procedure_valid_until)
        except ValueError:
            raise ConfigError(
                N_("organisation.procedure_valid_until {day!r} is not a date like 2027-08-31"),
                day=config.org.procedure_valid_until,
            ) from None
    try:
        ZoneInfo(config.org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            N_("organisation.timezone {timezone!r} is not a time zone like Europe/Amsterdam"),
            timezone=config.org.timezone,
        ) from None
    retention = data.get("retention", {})
    if not isinstance(retention, Mapping):
        raise ConfigError(N_("[retention] must be a table"))
    table = dict(config.retention)
    for key, value in retention.items():
        if key == PROOF_KEY:
            config = replace(config, proof_after=_proof_after(value))
            continue
        try:
            table[Purpose(key)] = Period.parse(str(value))
        except ValueError as exc:
            raise ConfigError(N_("retention.{key}: {exc}"), key=key, exc=exc) from exc
    config = replace(config, retention=table)
    if "templates_dir" in data:
        config = replace(config, templates_dir=base / str(data["templates_dir"]))
    if "public_url" in data:
        config = replace(config, public_url=_public_url(data["public_url"]))
    if "mail" in data:
        config = replace(config, mail=_mail(data["mail"]))
    if "oidc" in data:
        from formgen.oidc_config import parse

        config = replace(config, oidc=parse(data["oidc"], base))
        if config.public_url is None:
            raise ConfigError(N_("[oidc] needs public_url: the provider returns people to it"))
    if "livestream" in data:
        stream = data["livestream"]
        if not isinstance(stream, Mapping) or set(stream) - {"service"}:
            raise ConfigError(N_("[livestream] takes one key: service"))
        if "service" in stream:
            if not str(stream["service"]).strip():
                raise ConfigError(N_("livestream.service is empty"))
            config = replace(config, livestream_service=str(stream["service"]).strip())
    if "output_dir" in data:
        config = replace(config, output_dir=base / str(data["output_dir"]))
    if "service" in data:
        config = replace(config, trusted_proxies=_service(data["service"]))
    if "store" in data:
        table = data["store"]
        if not isinstance(table, Mapping) or set(table) - {"key_file"}:
            raise ConfigError(N_("[store] takes one key: key_file"))
        if "key_file" in table:
            config = replace(config, key_file=base / str(table["key_file"]))
    return config


def _domains(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise ConfigError(N_('organisation.mail_domains must be a list like ["hva.nl"]'))
    found = []
    for domain in value:
        name = domain.strip().lower().lstrip("@")
        labels = name.split(".")
        if len(labels) < 2 or not all(
            label and all(c.isalnum() or c == "-" for c in label) for label in labels
        ):
            raise ConfigError(
                N_("organisation.mail_domains: {domain!r} is not a mail domain like hva.nl"),
                domain=domain[:60],
            )
        found.append(name)
    return tuple(found)


def _proof_after(value: object) -> Period:
    """A number of days (``365``) or a duration (``"1y"``, ``"18 months"``, ``"90 days"``),
    at least one day: the proof cannot go before the recording does."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConfigError(
            N_("retention.{key} must be days (365) or a duration like '1y'"), key=PROOF_KEY
        )
    try:
        period = Period(value, "days") if isinstance(value, int) else Period.parse(value)
    except ValueError as exc:
        raise ConfigError(N_("retention.{key}: {exc}"), key=PROOF_KEY, exc=exc) from exc
    if period.amount < 1:
        raise ConfigError(N_("retention.{key} must be at least one day"), key=PROOF_KEY)
    return period


def _service(table: object) -> tuple[str, ...]:
    if not isinstance(table, Mapping):
        raise ConfigError(N_("[service] must be a table"))
    if unknown := set(table) - {"trusted_proxies"}:
        raise ConfigError(N_("unknown service keys: {keys}"), keys=", ".join(sorted(unknown)))
    proxies = table.get("trusted_proxies", [])
    if not isinstance(proxies, list):
        raise ConfigError(N_("service.trusted_proxies must be a list of addresses"))
    import ipaddress  # only where proxies are named

    found = []
    for proxy in proxies:
        try:
            found.append(str(ipaddress.ip_network(str(proxy), strict=False)))
        except ValueError:
            raise ConfigError(
                N_("service.trusted_proxies: {proxy!r} is not an IP address or network"),
                proxy=str(proxy)[:60],
            ) from None
    return tuple(found)


def _public_url(value: object) -> str:
    url = str(value).strip().rstrip("/")
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in " ?#"):
        raise ConfigError(
            N_("public_url {url!r} is not a web address like https://formgen.example.nl"), url=url
        )
    return url


def _mail(table: object) -> Mail:
    if not isinstance(table, Mapping):
        raise ConfigError(N_("[mail] must be a table"))
    known = {f.name for f in fields(Mail)}
    if unknown := set(table) - known:
        raise ConfigError(N_("unknown mail keys: {keys}"), keys=", ".join(sorted(unknown)))
    values: dict[str, object] = {}
    for key, value in table.items():
        if key == "port":
            if not isinstance(value, int) or not 0 < value < 65536:
                raise ConfigError(N_("mail.port must be a port number"))
        elif key == "starttls":
            if not isinstance(value, bool):
                raise ConfigError(N_("mail.starttls must be true or false"))
        else:
            value = str(value)
        values[key] = value
    return Mail(**values)  # type: ignore[arg-type]


def absolute(config: Config) -> Config:
    """The configuration with its folders made absolute against the current directory
    now, so that where documents go does not change with a later ``chdir``."""
    return replace(
        config,
        output_dir=config.output_dir.absolute(),
        templates_dir=None if config.templates_dir is None else config.templates_dir.absolute(),
        key_file=None if config.key_file is None else config.key_file.absolute(),
    )


def zone(config: Config) -> ZoneInfo:
    return ZoneInfo(config.org.timezone)


def today(config: Config) -> dt.date:
    """Today in the organisation's time zone: the day a recording date is compared with."""
    return dt.datetime.now(zone(config)).date()


def local(config: Config, at: dt.datetime) -> dt.datetime:
    """A stored time (UTC, without zone) as the organisation's clock shows it."""
    return at.replace(tzinfo=dt.UTC).astimezone(zone(config)).replace(tzinfo=None)


def local_day(config: Config, at: str | dt.datetime) -> str:
    """The organisation's date (ISO) of a stored time: a destruction at 23:30 UTC in
    winter happened the next day in Amsterdam."""
    when = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
    return local(config, when.replace(tzinfo=None)).date().isoformat()


def procedure_warning(config: Config, on: dt.date | None = None) -> str | None:
    """The warning while the configured procedure has expired (None: it has not, or no
    end date is set)."""
    org = config.org
    if not org.procedure_valid_until:
        return None
    until = dt.date.fromisoformat(org.procedure_valid_until)
    if (on or today(config)) <= until:
        return None
    return (
        f"the procedure the forms cite ({org.procedure}, version {org.procedure_version}) was"
        f" valid until {until.isoformat()}: set the current procedure, procedure_version and"
        " procedure_valid_until in [organisation] of formgen.toml"
    )


# What the demo and ``formgen sample`` print where a faculty has not set its DPO yet.
EXAMPLE_DPO = "fg@example.org"


def warnings(config: Config, *, demo: bool = False) -> list[str]:
    """What in the configuration needs a look (an expired procedure, no DPO contact),
    for the service to say when it starts. ``demo``: the demo fills in an example DPO
    contact, so that one is not said."""
    found = [procedure_warning(config), None if demo else missing_dpo(config)]
    return [w for w in found if w]


def missing_dpo(config: Config) -> str | None:
    """Why declarations cannot be printed yet: no way to reach the data protection
    officer is configured (None: it is)."""
    if config.org.dpo_contact.strip():
        return None
    return N_(
        "declarations must say how to reach the data protection officer: set dpo_contact"
        ' in [organisation] of formgen.toml (e.g. dpo_contact = "fg@university.nl")'
    )


def with_example_dpo(config: Config) -> Config:
    """The configuration with an example DPO contact where none is set: for the demo
    and the sample only, whose forms are never handed out."""
    if config.org.dpo_contact.strip():
        return config
    return replace(config, org=replace(config.org, dpo_contact=EXAMPLE_DPO))
