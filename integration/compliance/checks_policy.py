"""Checks on a chosen policy row: presence, limits (with umbrella stacking), form, dates, insurer."""

from __future__ import annotations

from integration.compliance.carriers import normalize_size_class, rating_at_least
from integration.compliance.combine import Fact, PolicyEvidence, parse_date, read_fact
from integration.compliance.context import Context, Finding, failed, needs_review, passed, unreadable
from integration.compliance.gaps import limit_code
from integration.compliance.requirements import Requirement
from integration.compliance.wording import POLICY_END_RULE, coverage, day, dollars, limit_name, sentence

# (line, limit) -> the umbrella/excess limit that may make up a shortfall when stacking is allowed.
STACKS_ON = {
    ("general_liability", "each_occurrence"): "each_occurrence",
    ("general_liability", "general_aggregate"): "aggregate",
    ("general_liability", "products_completed_operations_aggregate"): "aggregate",
    ("automobile_liability", "combined_single_limit"): "each_occurrence",
    ("workers_compensation", "el_each_accident"): "each_occurrence",
    ("workers_compensation", "el_disease_each_employee"): "each_occurrence",
    ("workers_compensation", "el_disease_policy_limit"): "aggregate",
}


def check_coverage(req: Requirement, ctx: Context) -> Finding:
    """The line is present (the evaluator handles absence); its policy number is the evidence."""
    return passed(ctx.chosen_policy(req.line).fact("policy_number"))


def check_limit(req: Requirement, ctx: Context) -> Finding:
    """A limit meets its minimum, counting the umbrella on top when the set allows stacking."""
    fact = ctx.chosen_policy(req.line).fact(f"limits.{req.limit}")
    expected = f"at least {dollars(req.minimum)}"
    if not ctx.reliable(fact) or not _is_amount(fact.value):
        return unreadable(fact, expected)
    if fact.value >= (req.minimum or 0):
        return passed(fact)
    name = limit_name(req.line, req.limit)
    name = name if name.endswith("limit") else f"{name} limit"
    umbrella = _umbrella_facts(req, ctx)
    if not umbrella:
        return _below(req, dollars(fact.value), fact, f"Your {name} is {dollars(fact.value)}")
    shaky = [each for each in umbrella if not ctx.reliable(each)]
    if shaky or not _is_amount(umbrella[0].value):
        return unreadable((shaky or list(umbrella))[0], expected)
    total = fact.value + umbrella[0].value
    if total >= (req.minimum or 0):
        return passed(fact, *umbrella)
    found = f"{dollars(total)} with the umbrella"
    detail = f"Your {name} is {dollars(fact.value)}, or {dollars(total)} with your umbrella on top"
    return _below(req, found, fact, detail)


def _below(req: Requirement, found: str, fact: Fact, detail: str) -> Finding:
    text = f"{detail}; the requirement is at least {dollars(req.minimum)}."
    return failed(limit_code(req.line or "", req.limit or ""), f"at least {dollars(req.minimum)}", found, fact, text)


def _umbrella_facts(req: Requirement, ctx: Context) -> tuple[Fact, ...]:
    """The umbrella limit and dates that may stack on this limit (empty when stacking does not apply)."""
    umbrella_limit = STACKS_ON.get((req.line or "", req.limit or ""))
    umbrella = ctx.policy("umbrella_liability")
    if not (ctx.settings.umbrella_stacking and umbrella_limit and umbrella and umbrella.in_force_on(ctx.today)):
        return ()
    dates = (umbrella.fact("effective_date"), umbrella.fact("expiration_date"))
    return (umbrella.fact(f"limits.{umbrella_limit}"), *dates)


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_occurrence_basis(req: Requirement, ctx: Context) -> Finding:
    """The policy is written on an occurrence basis, not claims-made."""
    return _box_ticked(req, ctx, "occurrence", "claims_made_not_accepted", ("OCCUR ticked", "CLAIMS-MADE ticked"),
                       f"Your {coverage(req.line)} policy is written on a claims-made basis; "
                       "the requirement is an occurrence policy.")


def check_statutory(req: Requirement, ctx: Context) -> Finding:
    """Workers' compensation shows PER STATUTE."""
    return _box_ticked(req, ctx, "statutory", "workers_comp_not_statutory", ("PER STATUTE ticked", "not ticked"),
                       "The PER STATUTE box is not ticked on your workers' compensation row.")


def _box_ticked(req: Requirement, ctx: Context, field: str, code: str, shown: tuple[str, str],
                detail: str) -> Finding:
    """Pass when the policy's ``field`` box is reliably ticked; fail with ``code`` when it is not."""
    fact = ctx.chosen_policy(req.line).fact(field)
    expected, found = shown
    if not ctx.reliable(fact):
        return unreadable(fact, expected)
    if fact.value is True:
        return passed(fact)
    return failed(code, expected, found, fact, detail)


def _expired(req: Requirement, fact: Fact, expected: str) -> Finding:
    detail = f"Your {coverage(req.line)} policy ended on {day(fact.value)}. {POLICY_END_RULE}"
    return failed("policy_expired", expected, f"ended {day(fact.value)}", fact, detail)


def check_not_expired(req: Requirement, ctx: Context) -> Finding:
    """The policy has not reached its expiration date (it expires on that day)."""
    fact = ctx.chosen_policy(req.line).fact("expiration_date")
    expires = parse_date(fact.value)
    expected = f"in force after {day(ctx.today)}"
    if not ctx.reliable(fact) or expires is None:
        return unreadable(fact, expected)
    if expires <= ctx.today:
        return _expired(req, fact, expected)
    return passed(fact)


def check_work_window(req: Requirement, ctx: Context) -> Finding:
    """The policy is in force from the later of today and work start until past the work end."""
    policy = ctx.chosen_policy(req.line)
    effective, expires = policy.fact("effective_date"), policy.fact("expiration_date")
    starts, ends = parse_date(effective.value), parse_date(expires.value)
    start, end = max(ctx.assignment.work_start or ctx.today, ctx.today), ctx.assignment.work_end
    expected = f"in force from {day(start)}" + (f" through {day(end)}" if end else "")
    for fact, value in ((effective, starts), (expires, ends)):
        if not ctx.reliable(fact) or value is None:
            return unreadable(fact, expected)
    found = f"{day(starts)} to {day(ends)}"
    name = coverage(req.line)
    if starts and starts > start:
        detail = f"Your {name} policy starts on {day(starts)}, after your work starts on {day(start)}."
        return failed("policy_not_in_force_for_work_window", expected, found, effective, detail)
    if end and ends and ends <= end:
        detail = f"Your {name} policy ends on {day(ends)}, before your work ends on {day(end)}. {POLICY_END_RULE}"
        return failed("policy_not_in_force_for_work_window", expected, found, expires, detail)
    return passed(effective, expires)


def check_expiry_notice(req: Requirement, ctx: Context) -> Finding:
    """The policy has at least the minimum number of days left before it expires."""
    fact = ctx.chosen_policy(req.line).fact("expiration_date")
    expires = parse_date(fact.value)
    minimum = ctx.settings.min_days_before_expiry
    expected = f"at least {minimum} days left"
    if not ctx.reliable(fact) or expires is None:
        return unreadable(fact, expected)
    days_left = (expires - ctx.today).days
    if days_left <= 0:
        return _expired(req, fact, expected)
    if days_left < minimum:
        detail = (f"Your {coverage(req.line)} policy ends on {day(expires)}, in {days_left} days; the general "
                  f"contractor asks for the renewal at least {minimum} days before a policy ends.")
        return failed("policy_expires_soon", expected, f"{days_left} days left", fact, detail)
    return passed(fact)


def check_insurer_rating(req: Requirement, ctx: Context) -> Finding:
    """The policy's insurer is in the carrier table with at least the minimum A.M. Best rating."""
    policy = ctx.chosen_policy(req.line)
    expected = _rating_wanted(ctx)
    letter = policy.fact("insurer_letter")
    if not ctx.reliable(letter):
        return unreadable(letter, expected)
    naic = _insurer_naic(policy, str(letter.value))
    if naic is None or not ctx.reliable(naic):
        detail = (f"The NAIC number of insurer {letter.value} (your {coverage(req.line)} insurer) is missing or "
                  "unclear, so its rating cannot be checked.")
        return needs_review("insurer_not_rated", expected, naic or letter, detail, "no NAIC number")
    carrier = ctx.carriers.find(str(naic.value)) if ctx.carriers is not None else None
    if carrier is None or carrier.rating is None:
        detail = (f"Your {coverage(req.line)} insurer (NAIC {naic.value}) is not in the general contractor's list "
                  "of rated insurers, so a person must check its rating.")
        return needs_review("insurer_not_rated", expected, naic, detail, f"NAIC {naic.value}, not listed")
    return _compare_rating(ctx, req, carrier.rating, carrier.size_class, naic)


def _rating_wanted(ctx: Context) -> str:
    minimum, size = ctx.settings.min_insurer_rating, ctx.settings.min_financial_size_class
    return f"rated {minimum} or better" + (f", size class {size} or larger" if size else "")


def _compare_rating(ctx: Context, req: Requirement, rating: str, size_class: int | None, naic: Fact) -> Finding:
    minimum, min_class = ctx.settings.min_insurer_rating, ctx.settings.min_financial_size_class
    expected, insurer = _rating_wanted(ctx), f"your {coverage(req.line)} insurer (NAIC {naic.value})"
    if not rating_at_least(rating, minimum or rating):
        detail = sentence(f"{insurer} is rated {rating} by A.M. Best; the requirement is {minimum} or better")
        return failed("insurer_rating_below", expected, f"rated {rating}", naic, detail)
    if min_class and size_class is None:
        detail = f"The general contractor's list has no size class for {insurer}, so a person must check it."
        return needs_review("insurer_not_rated", expected, naic, detail, f"rated {rating}, size class not listed")
    if min_class and size_class is not None and size_class < normalize_size_class(min_class):
        detail = sentence(f"{insurer} is in A.M. Best size class {size_class}; "
                          f"the requirement is class {min_class} or larger")
        return failed("insurer_rating_below", expected, f"rated {rating}, size class {size_class}", naic, detail)
    return passed(naic)


def _insurer_naic(policy: PolicyEvidence, letter: str) -> Fact | None:
    """The NAIC number of the insurer the row's letter points at, or None if the letter resolves nowhere."""
    for index, insurer in enumerate(policy.cert.insurers):
        if insurer.letter.strip().upper() == letter.strip().upper():
            return read_fact(policy.cert, f"insurers.{index}.naic")
    return None
