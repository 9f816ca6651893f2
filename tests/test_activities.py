"""Each activity its own choice (GDPR art. 7): a no to the live stream or to the
360-degree camera keeps a person out of that activity only. ``status --json`` gives each
participant ``may_appear`` per activity; "who must not appear" lists each activity apart,
with the form ID. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from formgen import rules
from formgen.rules import Status

from .conftest import RECORDING, Run

pytestmark = pytest.mark.usefixtures("db_url")

G, R, N = Status.GIVEN, Status.REFUSED, Status.NO_ANSWER


def test_the_rules() -> None:
    answers = {"recording": G, "livestream": R, "360": G}
    assert rules.may_appear_in(answers, True) == {
        "recording": True,
        "livestream": False,
        "360": True,
    }
    assert rules.kept_out_of(answers, True) == ["livestream"]
    assert not rules.may_appear(answers, True)
    # No signature: out of everything, whatever is ticked.
    assert rules.may_appear_in({"recording": G, "360": G}, False) == {
        "recording": False,
        "360": False,
    }
    assert rules.allow_360([{"recording": True, "360": True}, {"recording": False, "360": True}])
    assert not rules.allow_360(
        [{"recording": True, "360": True}, {"recording": True, "360": False}]
    )
    assert not rules.allow_360([])
    # The camera set-up counts the recording; the 360-degree camera its own answers.
    advice = rules.camera_advice(1, 2, everyone_360=True)
    assert (advice.level, advice.allow_360) == (rules.Advice.FEW, True)


def set_answers(run: Run, form_id: str, answers: dict[str, str]) -> None:
    for clause, decision in answers.items():
        run("consent", "set", form_id, clause, decision, "--by", "S", "--reason", "paper")


def test_status_and_who_must_not_appear_per_activity(js: Callable[..., Any], run: Run) -> None:
    rec = js(*RECORDING, "--livestream", "--360")["id"]
    people = {
        name: js("participant", "add", rec, "--name", name) for name in ("Ann", "Bob", "Cas", "Dee")
    }
    set_answers(
        run, people["Ann"]["form_id"], {"recording": "given", "livestream": "given", "360": "given"}
    )
    set_answers(
        run,
        people["Bob"]["form_id"],
        {"recording": "given", "livestream": "given", "360": "refused"},
    )
    set_answers(
        run,
        people["Cas"]["form_id"],
        {"recording": "given", "livestream": "refused", "360": "given"},
    )
    set_answers(
        run,
        people["Dee"]["form_id"],
        {"recording": "refused", "livestream": "given", "360": "given"},
    )
    status = js("status", rec)
    appear = {p["name"]: p["may_appear"] for p in status["participants"]}
    assert appear == {
        "Ann": {"recording": True, "livestream": True, "360": True},
        "Bob": {"recording": True, "livestream": True, "360": False},
        "Cas": {"recording": True, "livestream": False, "360": True},
        "Dee": {"recording": False, "livestream": True, "360": True},
    }
    # Bob's no to 360 degrees keeps him in the recording: 3 of 4 may be in frame.
    assert status["camera_advice"] == "most" and status["camera"]["consented"] == 3
    assert status["camera"]["allow_360"] is False  # not everyone said yes to it
    out = {p["name"]: p["not_in"] for p in status["must_not_appear"]}
    assert out == {"Bob": ["360"], "Cas": ["livestream"], "Dee": ["recording"]}
    text = run("status", rec).stdout
    recording_part = text.split("must not appear (not in frame):")[1]
    in_frame, _, rest = recording_part.partition("not during the live stream:")
    live, _, wide = rest.partition("not with the 360-degree camera:")
    assert f"Dee [{people['Dee']['form_id']}]: recording: refused" in in_frame
    assert "Bob" not in in_frame and "Cas" not in in_frame
    assert f"Cas [{people['Cas']['form_id']}]: livestream: refused" in live and "Dee" not in live
    assert f"Bob [{people['Bob']['form_id']}]: 360: refused" in wide and "Cas" not in wide


def test_only_the_recordings_activities_and_360_when_everyone_agrees(
    js: Callable[..., Any], run: Run
) -> None:
    plain = js(*RECORDING)["id"]
    ann = js("participant", "add", plain, "--name", "Ann")
    set_answers(run, ann["form_id"], {"recording": "given"})
    assert js("status", plain)["participants"][0]["may_appear"] == {"recording": True}
    wide = js(*RECORDING, "--360")["id"]
    for name in ("Ann", "Bob"):
        person = js("participant", "add", wide, "--name", name)
        set_answers(
            run,
            person["form_id"],
            {"recording": "refused" if name == "Bob" else "given", "360": "given"},
        )
    status = js("status", wide)
    # Bob is out of the ordinary recording but said yes to the 360-degree camera.
    assert status["camera"]["allow_360"] is True and status["camera_advice"] == "few"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_live_stream_names_who_watches_and_the_service(lang: str) -> None:
    from formgen import config as config_module
    from formgen.documents import render
    from formgen.record.formid import Instance
    from formgen.rules import Plan, Purpose

    from .helpers.rendering import recording, spec, text_of

    config = config_module.from_mapping({"livestream": {"service": "Zoom (HvA-licentie)"}})
    plan = Plan(Purpose.ASSESSMENT, livestream=True)
    rec = recording(plan)
    specs = [
        dataclasses.replace(
            made, context={**made.context, **render.recording_context(rec, config, lang)}
        )
        for made in (spec(plan, lang, variant, rec=rec) for variant in ("adult", "parent"))
    ]
    text = " ".join(text_of(render.render(specs, Instance.create(), config).pdf))
    clause = {
        "nl": "Ik geef toestemming voor de livestream: Dr. Jansen kijkt via Zoom (HvA-licentie)"
        " live mee om de student op afstand te begeleiden.",
        "en": "I consent to the live stream: Dr. Jansen watches live through Zoom (HvA-licentie)"
        " to coach the student from a distance.",
    }[lang]
    assert clause in text
    child = {
        "nl": "Dan zorgt de student dat uw kind tijdens de livestream niet in beeld komt.",
        "en": "If you say no, the student keeps your child out of frame during the live stream.",
    }[lang]
    assert child in text
    with pytest.raises(Exception, match=r"\[livestream\] takes one key"):
        config_module.from_mapping({"livestream": {"url": "x"}})
