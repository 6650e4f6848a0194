"""Checks on a chosen policy row: presence, limits (with umbrella stacking), form, dates, insurer."""

from __future__ import annotations

from integration.compliance.carriers import normalize_size_class, rating_at_least
from integration.compliance.combine import Fact, PolicyEvidence, parse_date, read_fact
from integration.compliance.context import Context, Finding, failed, money, needs_review, passed, unreadable
from integration.compliance.gaps import limit_code
from integration.compliance.requirements import Requirement

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
    label = (req.limit or "").replace("_", " ")
    if not ctx.reliable(fact) or not _is_amount(fact.value):
        return unreadable(fact, req.minimum, f"{label} limit")
    if fact.value >= (req.minimum or 0):
        return passed(fact)
    umbrella = _umbrella_facts(req, ctx)
    if not umbrella:
        return _below(req, fact.value, fact, f"The {label} limit is {money(fact.value)}")
    shaky = [each for each in umbrella if not ctx.reliable(each)]
    if shaky or not _is_amount(umbrella[0].value):
        return unreadable((shaky or list(umbrella))[0], req.minimum, "umbrella value needed to make up the shortfall")
    total = fact.value + umbrella[0].value
    if total >= (req.minimum or 0):
        return passed(fact, *umbrella)
    detail = f"The {label} limit is {money(fact.value)}, {money(total)} with the umbrella on top"
    return _below(req, total, fact, detail)


def _below(req: Requirement, found: int, fact: Fact, detail: str) -> Finding:
    text = f"{detail}; the requirement is {money(req.minimum)}."
    return failed(limit_code(req.line or "", req.limit or ""), req.minimum, found, fact, text)


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
    return _box_ticked(req, ctx, "occurrence", "OCCUR / CLAIMS-MADE box", "claims_made_not_accepted",
                       ("occurrence", "claims-made"),
                       "The policy is claims-made; the requirement is an occurrence-basis policy.")


def check_statutory(req: Requirement, ctx: Context) -> Finding:
    """Workers' compensation shows PER STATUTE."""
    return _box_ticked(req, ctx, "statutory", "PER STATUTE box", "workers_comp_not_statutory",
                       ("per statute", "not ticked"), "PER STATUTE is not ticked on the workers' compensation row.")


def _box_ticked(req: Requirement, ctx: Context, field: str, box: str, code: str, shown: tuple[str, str],
                detail: str) -> Finding:
    """Pass when the policy's ``field`` box is reliably ticked; fail with ``code`` when it is not."""
    fact = ctx.chosen_policy(req.line).fact(field)
    expected, found = shown
    if not ctx.reliable(fact):
        return unreadable(fact, expected, box)
    if fact.value is True:
        return passed(fact)
    return failed(code, expected, found, fact, detail)


def check_not_expired(req: Requirement, ctx: Context) -> Finding:
    """The policy has not reached its expiration date (it expires on that day)."""
    fact = ctx.chosen_policy(req.line).fact("expiration_date")
    expires = parse_date(fact.value)
    if not ctx.reliable(fact) or expires is None:
        return unreadable(fact, f"after {ctx.today.isoformat()}", "expiration date")
    if expires <= ctx.today:
        return failed(
            "policy_expired", f"after {ctx.today.isoformat()}", fact.value, fact, f"The policy expired on {fact.value}."
        )
    return passed(fact)


def check_work_window(req: Requirement, ctx: Context) -> Finding:
    """The policy is in force from the later of today and work start until past the work end."""
    policy = ctx.chosen_policy(req.line)
    effective, expires = policy.fact("effective_date"), policy.fact("expiration_date")
    starts, ends = parse_date(effective.value), parse_date(expires.value)
    for fact, day, what in ((effective, starts, "effective date"), (expires, ends, "expiration date")):
        if not ctx.reliable(fact) or day is None:
            return unreadable(fact, "dates covering the work", what)
    start, end = max(ctx.assignment.work_start or ctx.today, ctx.today), ctx.assignment.work_end
    window = {"from": start.isoformat(), "to": end.isoformat() if end else None}
    if starts and starts > start:
        detail = f"The policy starts on {effective.value}, after work starts on {start.isoformat()}."
        return _outside_window(window, effective, expires, effective, detail)
    if end and ends and ends <= end:
        detail = f"The policy ends on {expires.value}, before work ends on {end.isoformat()}."
        return _outside_window(window, effective, expires, expires, detail)
    return passed(effective, expires)


def _outside_window(
    window: dict[str, str | None], effective: Fact, expires: Fact, culprit: Fact, detail: str
) -> Finding:
    found = {"effective_date": effective.value, "expiration_date": expires.value}
    return failed("policy_not_in_force_for_work_window", window, found, culprit, detail)


def check_expiry_notice(req: Requirement, ctx: Context) -> Finding:
    """The policy has at least the minimum number of days left before it expires."""
    fact = ctx.chosen_policy(req.line).fact("expiration_date")
    expires = parse_date(fact.value)
    minimum = ctx.settings.min_days_before_expiry
    expected = f"at least {minimum} days left"
    if not ctx.reliable(fact) or expires is None:
        return unreadable(fact, expected, "expiration date")
    days_left = (expires - ctx.today).days
    if days_left <= 0:
        return failed("policy_expired", expected, fact.value, fact, f"The policy expired on {fact.value}.")
    if days_left < minimum:
        return failed(
            "policy_expires_soon",
            expected,
            f"{days_left} days left",
            fact,
            f"The policy expires on {fact.value}, in {days_left} days; the GC asks for {minimum}.",
        )
    return passed(fact)


def check_insurer_rating(req: Requirement, ctx: Context) -> Finding:
    """The policy's insurer is in the carrier table with at least the minimum A.M. Best rating."""
    policy = ctx.chosen_policy(req.line)
    minimum = ctx.settings.min_insurer_rating
    letter = policy.fact("insurer_letter")
    if not ctx.reliable(letter):
        return unreadable(letter, minimum, "insurer letter")
    naic = _insurer_naic(policy, str(letter.value))
    if naic is None or not ctx.reliable(naic):
        return needs_review(
            "insurer_not_rated",
            minimum,
            naic or letter,
            f"Insurer {letter.value}'s NAIC number is missing or unreadable.",
        )
    carrier = ctx.carriers.find(str(naic.value)) if ctx.carriers is not None else None
    if carrier is None or carrier.rating is None:
        return needs_review(
            "insurer_not_rated", minimum, naic, f"NAIC {naic.value} has no A.M. Best rating in the GC's carrier table."
        )
    return _compare_rating(ctx, carrier.rating, carrier.size_class, naic)


def _compare_rating(ctx: Context, rating: str, size_class: int | None, naic: Fact) -> Finding:
    minimum, min_class = ctx.settings.min_insurer_rating, ctx.settings.min_financial_size_class
    expected = f"{minimum}{' ' + min_class if min_class else ''}"
    if not rating_at_least(rating, minimum or rating):
        return failed(
            "insurer_rating_below",
            expected,
            rating,
            naic,
            f"The insurer (NAIC {naic.value}) is rated {rating}; the minimum is {minimum}.",
        )
    if min_class and size_class is None:
        return needs_review(
            "insurer_not_rated", expected, naic, f"The carrier table has no financial size class for NAIC {naic.value}."
        )
    if min_class and size_class is not None and size_class < normalize_size_class(min_class):
        return failed(
            "insurer_rating_below",
            expected,
            f"{rating} class {size_class}",
            naic,
            f"The insurer's financial size class is below {min_class}.",
        )
    return passed(naic)


def _insurer_naic(policy: PolicyEvidence, letter: str) -> Fact | None:
    """The NAIC number of the insurer the row's letter points at, or None if the letter resolves nowhere."""
    for index, insurer in enumerate(policy.cert.insurers):
        if insurer.letter.strip().upper() == letter.strip().upper():
            return read_fact(policy.cert, f"insurers.{index}.naic")
    return None
