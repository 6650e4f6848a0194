"""Signed links and one-time secrets: each refusal, and that a refusal writes nothing it should not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from integration import rate_limits, tokens
from integration.extensions import db
from integration.models import OneTimeToken, RateEvent, utcnow

TEN_MINUTES = timedelta(minutes=10)


def test_a_signed_link_carries_its_data_for_its_purpose_only(database):
    token = tokens.sign("upload-link", {"r": 7})
    assert tokens.verify("upload-link", token, timedelta(days=1)) == {"r": 7}
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.verify("unsubscribe", token, timedelta(days=1))
    assert refused.value.reason == "tampered"


def test_a_changed_link_is_tampered(database):
    token = tokens.sign("upload-link", {"r": 7})
    changed = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.verify("upload-link", changed, timedelta(days=1))
    assert refused.value.reason == "tampered" and refused.value.data is None


def test_an_old_link_is_expired_and_still_says_what_it_named(database):
    token = tokens.sign("upload-link", {"r": 7})
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.verify("upload-link", token, timedelta(seconds=-1))
    assert refused.value.reason == "expired" and refused.value.data == {"r": 7}


def test_a_code_opens_once(database):
    code = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES)
    assert len(code) == 6 and code.isdigit()
    assert tokens.redeem_code("hub", "a@sub.test", code).used_at is not None
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.redeem_code("hub", "a@sub.test", code)
    assert refused.value.reason == "used"


def test_a_wrong_code_counts_and_the_sixth_try_is_refused_even_with_the_right_code(database):
    code = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(tokens.TokenRefused) as refused:
            tokens.redeem_code("hub", "a@sub.test", wrong)
        messages.append((refused.value.reason, refused.value.message))
    assert messages[0] == ("wrong", "That code is not right. 4 tries left.")
    assert messages[-1][0] == "attempts"
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.redeem_code("hub", "a@sub.test", code)
    assert refused.value.reason == "attempts"
    assert db.session.scalar(select(OneTimeToken.used_at)) is None


def test_a_code_expires_after_its_time(database):
    issued = utcnow()
    code = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES, now=issued)
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.redeem_code("hub", "a@sub.test", code, now=issued + TEN_MINUTES + timedelta(seconds=1))
    assert refused.value.reason == "expired"


def test_a_new_code_retires_the_old_one_and_codes_do_not_cross_subjects(database, monkeypatch):
    codes = iter([111111, 222222, 333333])
    monkeypatch.setattr(tokens.secrets, "randbelow", lambda _: next(codes))
    first = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES)
    second = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES)
    other = tokens.issue_code("hub", "b@sub.test", TEN_MINUTES)
    for stale in (first, other):
        with pytest.raises(tokens.TokenRefused) as refused:
            tokens.redeem_code("hub", "a@sub.test", stale)
        assert refused.value.reason == "wrong"
    assert tokens.redeem_code("hub", "a@sub.test", second).subject == "a@sub.test"


def test_a_code_is_stored_only_as_a_keyed_hash(database):
    code = tokens.issue_code("hub", "a@sub.test", TEN_MINUTES)
    row = db.session.scalar(select(OneTimeToken))
    assert code not in row.secret_hash and len(row.secret_hash) == 64


def test_a_magic_link_token_is_single_use(database):
    token = tokens.issue_token("compliance-hub", "owner@bank.test", timedelta(hours=1))
    assert tokens.redeem_token("compliance-hub", token).subject == "owner@bank.test"
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.redeem_token("compliance-hub", token)
    assert refused.value.reason == "used"
    with pytest.raises(tokens.TokenRefused) as refused:
        tokens.redeem_token("compliance-hub", token + "x")
    assert refused.value.reason == "tampered"


def test_a_rate_limit_refuses_past_its_count_and_forgets_after_its_window(database):
    limit = rate_limits.RateLimit("test", 2, timedelta(minutes=15))
    start = utcnow()
    limit.hit("A@Sub.test", start)
    limit.hit("a@sub.test", start)
    with pytest.raises(rate_limits.RateLimited) as refused:
        limit.hit("a@sub.test", start)
    assert refused.value.message == "Too many tries. Please wait up to 15 minutes and try again."
    assert db.session.scalar(select(func.count(RateEvent.id))) == 2  # the refused hit is not counted
    limit.hit("a@sub.test", start + timedelta(minutes=16))
    limit.hit("b@sub.test", start)
