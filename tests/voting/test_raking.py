"""Raking to census margins, trimming, Kish n_eff and the margin of error (engagement-methods.md §6),
and weighted survey results end to end."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from cityhall.accounts.models import User
from cityhall.core.errors import ServiceError
from cityhall.voting import selectors, services
from cityhall.voting.contracts import PollKind
from cityhall.voting.models import Poll
from cityhall.voting.raking import kish_effective_size, margin_of_error, parse_margins_csv, rake
from tests.voting.conftest import close


def weighted_share(
    profiles: list[dict[str, str]], weights: tuple[float, ...], variable: str, category: str
) -> float:
    total = sum(weights)
    return sum(w for p, w in zip(profiles, weights, strict=True) if p.get(variable) == category) / total


def test_the_margin_of_error_matches_the_fact_sheet() -> None:
    assert round(margin_of_error(1000) * 100, 1) == 3.1
    assert round(margin_of_error(600) * 100, 1) == 4.0
    assert margin_of_error(1000, population=1000) == 0


def test_kish_effective_size() -> None:
    assert kish_effective_size([1.0] * 10) == 10
    assert kish_effective_size([2.0, 1.0, 1.0]) == pytest.approx(16 / 6)


def test_raking_matches_two_margins_at_once() -> None:
    profiles = (
        [{"sex": "f", "age": "young"}] * 30
        + [{"sex": "f", "age": "old"}] * 10
        + [{"sex": "m", "age": "young"}] * 40
        + [{"sex": "m", "age": "old"}] * 20
    )
    margins = {"sex": {"f": 0.5, "m": 0.5}, "age": {"young": 0.6, "old": 0.4}}
    result = rake(profiles, margins)
    assert result.converged and result.max_margin_error <= 1e-6
    for variable, targets in margins.items():
        for category, share in targets.items():
            assert weighted_share(profiles, result.weights, variable, category) == pytest.approx(
                share, abs=1e-6
            )
    assert sum(result.weights) == pytest.approx(len(profiles))
    assert len(profiles) / kish_effective_size(result.weights) > 1  # weighting costs precision


def test_weights_are_trimmed_to_five_times_the_mean() -> None:
    # One respondent stands for a group that is 50 % of the population: untrimmed they weigh ~50.
    profiles = [{"age": "old"}] + [{"age": "young"}] * 99
    result = rake(profiles, {"age": {"old": 0.5, "young": 0.5}})
    assert max(result.weights) <= 5.0 + 1e-6
    assert result.trimmed > 0
    assert not result.converged  # trimming keeps it from matching the margin: reported, not hidden


def test_empty_categories_are_collapsed_and_reported() -> None:
    profiles = [{"district": "north"}] * 5 + [{"district": "south"}] * 5
    result = rake(profiles, {"district": {"north": 0.3, "south": 0.3, "east": 0.4}})
    assert result.collapsed == (("district", "east"),)
    assert result.used_margins == {"district": {"north": 0.5, "south": 0.5}}


def test_answers_outside_the_margins_are_left_out_of_that_variable() -> None:
    profiles = [{"sex": "f"}] * 2 + [{"sex": "m"}] * 6 + [{"sex": "no_answer"}] * 2
    result = rake(profiles, {"sex": {"f": 0.5, "m": 0.5}})
    fem = sum(w for p, w in zip(profiles, result.weights, strict=True) if p["sex"] == "f")
    men = sum(w for p, w in zip(profiles, result.weights, strict=True) if p["sex"] == "m")
    assert fem == pytest.approx(men)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("age,young", "Line 1"),
        ("age,young,lots", "not a number"),
        ("age,young,0.5\nage,old,0.2", "add up to 0.700"),
        ("age,young,150%", "between 0 and 1"),
    ],
)
def test_bad_margins_are_refused_with_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_margins_csv(text)


def test_margins_accept_percentages_and_a_header() -> None:
    assert parse_margins_csv("variable,category,share\nage,young,40%\nage,old,60 %") == {
        "age": {"young": 0.4, "old": 0.6}
    }


@pytest.mark.django_db
def test_a_survey_publishes_weighted_shares_with_n_eff_and_margin_of_error(
    make_poll: Callable[..., Poll], make_user: Callable[..., User], moderator: User
) -> None:
    poll = make_poll(
        kind=PollKind.SURVEY,
        publish=False,
        questions=[
            services.QuestionInput(text="Support the new park?", options=[("yes", "Yes"), ("no", "No")]),
            services.QuestionInput(
                text="Your age",
                options=[("young", "Under 40"), ("old", "40 or over")],
                profile_variable="age",
            ),
        ],
    )
    with pytest.raises(ServiceError, match="not an option code"):
        services.poll_margins_set(
            actor=moderator, poll_id=poll.pk, csv_text="age,teen,0.5\nage,old,0.5", source="x"
        )
    services.poll_margins_set(
        actor=moderator, poll_id=poll.pk, csv_text="age,young,0.5\nage,old,0.5", source="Census 2021"
    )
    services.process_publish(actor=moderator, process=poll)
    support, age = list(poll.questions.order_by("position"))
    # 6 young (5 yes), 2 old (0 yes): raw 62.5 % yes; weighted to 50/50 ages: 5/6 * 0.5 = 41.7 %.
    ballots = [("yes", "young")] * 5 + [("no", "young")] + [("no", "old")] * 2
    for answer, band in ballots:
        services.poll_ballot_cast(
            voter=make_user(), poll_id=poll.pk, answers={str(support.pk): [answer], str(age.pk): [band]}
        )
    close(poll)
    services.process_seal(process=poll)
    poll.refresh_from_db()
    results = selectors.poll_results(poll)
    yes = results.questions[0].options[0]
    assert yes.count == 5 and yes.share == pytest.approx(0.625)
    assert yes.weighted_share == pytest.approx(5 / 12)
    assert results.weighting is not None
    weights_young, weights_old = 0.5 / 6 * 8, 0.5 / 2 * 8
    expected_n_eff = 64 / (6 * weights_young**2 + 2 * weights_old**2)
    assert results.weighting.n_eff == pytest.approx(expected_n_eff)
    assert results.weighting.worst_margin_of_error == pytest.approx(1.96 * math.sqrt(0.25 / expected_n_eff))
    assert results.weighting.source == "Census 2021"
