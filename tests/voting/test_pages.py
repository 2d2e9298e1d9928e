"""Resident and staff pages, without JavaScript: vote, get a receipt, see results after closing,
check the receipt, read how MES spent each share, download the open data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import User
from cityhall.voting import services
from cityhall.voting.models import Budget, BudgetBallot, Poll, PollBallot
from cityhall.voting.outcomes import instance_from_pabulib
from tests.voting.conftest import answers_for, close, window

pytestmark = pytest.mark.django_db


def poll_post(poll: Poll, first: str = "yes", second: tuple[str, ...] = ("trees",)) -> dict[str, object]:
    return {
        f"q_{qid}": codes if len(codes) != 1 else codes[0]
        for qid, codes in answers_for(poll, first, second).items()
    }


def test_the_poll_list_and_page_are_public(poll: Poll) -> None:
    response = Client().get(reverse("voting:poll_list"))
    assert response.status_code == 200 and poll.title in response.text
    response = Client().get(reverse("voting:poll_detail", args=[poll.pk]))
    assert response.status_code == 200
    assert "Sign in to vote" in response.text


def test_a_resident_votes_on_the_page_and_sees_the_receipt_once(
    poll: Poll, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(resident)
    page = client.get(reverse("voting:poll_detail", args=[poll.pk]))
    assert "Cast my ballot" in page.text
    response = client.post(reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll))
    assert response.status_code == 200
    receipt = PollBallot.objects.get(poll=poll).receipt
    assert receipt in response.text
    assert receipt not in str(dict(client.session))  # nothing ties the receipt to the session
    again = client.get(reverse("voting:poll_detail", args=[poll.pk]))
    assert "You have voted" in again.text and receipt not in again.text


def test_a_second_ballot_on_the_page_shows_a_clear_error(
    poll: Poll, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(resident)
    client.post(reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll))
    response = client.post(reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll, "no"))
    assert response.status_code == 400
    assert "already voted" in response.text
    assert PollBallot.objects.filter(poll=poll).count() == 1


def test_an_incomplete_ballot_on_the_page_names_the_question(
    poll: Poll, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    response = signed_in_client(resident).post(
        reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll, second=())
    )
    assert response.status_code == 400
    assert "Answer question 2" in response.text
    assert PollBallot.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in_to_vote(poll: Poll) -> None:
    response = Client().post(reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_results_are_hidden_until_closing_then_shown_with_receipt_check(
    poll: Poll, resident: User, make_user: Callable[..., User]
) -> None:
    cast = services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll, "no"))
    services.poll_ballot_cast(voter=make_user(), poll_id=poll.pk, answers=answers_for(poll, "yes"))
    early = Client().get(reverse("voting:poll_results", args=[poll.pk]))
    assert "published once voting closes" in early.text
    assert Client().get(reverse("voting:poll_open_data", args=[poll.pk, "results.json"])).status_code == 404
    close(poll)
    response = Client().get(reverse("voting:poll_results", args=[poll.pk]))
    assert response.status_code == 200
    assert "Non-probability sample" in response.text and "50.0 %" in response.text
    check = Client().get(reverse("voting:poll_results", args=[poll.pk]), {"receipt": cast.receipt.upper()})
    assert "Your ballot is in the list of counted ballots" in check.text
    missing = Client().get(reverse("voting:poll_results", args=[poll.pk]), {"receipt": "0" * 64})
    assert "No counted ballot has this receipt" in missing.text


def test_poll_open_data_downloads(poll: Poll, resident: User) -> None:
    cast = services.poll_ballot_cast(voter=resident, poll_id=poll.pk, answers=answers_for(poll))
    close(poll)
    for name, media in [
        ("results.json", "application/json"),
        ("results.csv", "text/csv"),
        ("ballots.json", "application/json"),
        ("ballots.csv", "text/csv"),
    ]:
        response = Client().get(reverse("voting:poll_open_data", args=[poll.pk, name]))
        assert response.status_code == 200 and response["Content-Type"].startswith(media)
        if name.startswith("ballots"):
            assert cast.receipt in response.content.decode()


def test_a_budget_vote_on_the_page_shows_the_rules_and_refuses_over_budget(
    budget: Budget, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(resident)
    page = client.get(reverse("voting:budget_detail", args=[budget.pk]))
    assert "Budget: 100 EUR" in page.text and "at most the budget" in page.text
    over = client.post(reverse("voting:budget_vote", args=[budget.pk]), {"projects": ["A1", "A2", "A3"]})
    assert over.status_code == 400 and "more than the budget" in over.text
    assert BudgetBallot.objects.count() == 0
    ok = client.post(reverse("voting:budget_vote", args=[budget.pk]), {"projects": ["A1", "A2"]})
    assert ok.status_code == 200 and BudgetBallot.objects.get().receipt in ok.text


def worked_example_votes(budget: Budget, make_user: Callable[..., User]) -> list[str]:
    receipts = []
    for _ in range(6):
        receipts.append(
            services.budget_ballot_cast(voter=make_user(), budget_id=budget.pk, projects=["A1", "A2"]).receipt
        )
    for _ in range(4):
        receipts.append(
            services.budget_ballot_cast(voter=make_user(), budget_id=budget.pk, projects=["B1"]).receipt
        )
    return receipts


def test_budget_results_show_both_outcomes_and_explain_each_share(
    make_budget: Callable[..., Budget], make_user: Callable[..., User]
) -> None:
    from cityhall.voting.contracts import VoteRule

    budget = make_budget(vote_rule=VoteRule.APPROVAL, min_projects=1, max_projects=3)
    receipts = []
    for _ in range(6):
        receipts.append(
            services.budget_ballot_cast(
                voter=make_user(), budget_id=budget.pk, projects=["A1", "A2", "A3"]
            ).receipt
        )
    for _ in range(4):
        receipts.append(
            services.budget_ballot_cast(voter=make_user(), budget_id=budget.pk, projects=["B1"]).receipt
        )
    close(budget)
    response = Client().get(reverse("voting:budget_results", args=[budget.pk]))
    assert response.status_code == 200
    outcomes = {o.method: o.selected for o in budget.outcomes.all()}
    assert outcomes == {"greedy": ["A1", "A2"], "mes": ["A1", "B1"]}
    shares = Client().get(reverse("voting:budget_shares", args=[budget.pk]), {"receipt": receipts[0]})
    assert shares.status_code == 200
    assert "10.00 EUR each" in shares.text
    # Completion raised each share in steps of 0.10 while the outcome still fitted: 33 steps, 13.30 each;
    # an A-voter paid 40/6 for A1 and kept the rest.
    assert "13.30 EUR" in shares.text
    assert "6.67" in shares.text and "6.63" in shares.text
    pb = Client().get(reverse("voting:budget_open_data", args=[budget.pk, "ballots.pb"]))
    recount = instance_from_pabulib(pb.content.decode())
    assert len(recount.ballots) == 10 and recount.budget == 100
    assert "max_length;3" in pb.content.decode()


def test_staff_create_a_poll_on_the_pages(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(Role.MODERATOR))
    assert client.get(reverse("voting:staff_home")).status_code == 200
    opens = window()
    response = client.post(
        reverse("voting:staff_poll_new"),
        {
            "title": "Library hours",
            "kind": "survey",
            "opens_at": opens["opens_at"].strftime("%Y-%m-%dT%H:%M"),
            "closes_at": opens["closes_at"].strftime("%Y-%m-%dT%H:%M"),
            "min_assurance": "1",
        },
    )
    assert response.status_code == 302
    poll = Poll.objects.get(title="Library hours")
    url = reverse("voting:staff_poll", args=[poll.pk])
    client.post(
        url,
        {
            "form": "question",
            "text": "Your age?",
            "kind": "single",
            "min_choices": 1,
            "max_choices": 1,
            "options": "young: 16-34\nmiddle: 35-64\nold: 65+",
            "profile_variable": "age_band",
        },
    )
    bad = client.post(
        url, {"form": "margins", "margins": "age_band,young,0.5\nage_band,old,0.2", "source": "Census 2021"}
    )
    assert bad.status_code == 400 and "add up to 0.700" in bad.text
    client.post(
        url,
        {
            "form": "margins",
            "margins": "age_band,young,0.3\nage_band,middle,0.5\nage_band,old,0.2",
            "source": "Census 2021",
        },
    )
    poll.refresh_from_db()
    assert poll.margins == {"age_band": {"young": 0.3, "middle": 0.5, "old": 0.2}}
    client.post(url, {"form": "publish"})
    poll.refresh_from_db()
    assert poll.published


def test_residents_cannot_open_the_staff_pages(
    resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    assert signed_in_client(resident).get(reverse("voting:staff_home")).status_code == 403


def test_a_ballot_posted_after_closing_says_why_on_the_page(
    poll: Poll, resident: User, signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(resident)
    close(poll)
    response = client.post(reverse("voting:poll_vote", args=[poll.pk]), poll_post(poll))
    assert response.status_code == 400
    assert "Voting closed on" in response.text
    assert PollBallot.objects.count() == 0
