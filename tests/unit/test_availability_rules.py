"""The bound on a search's answer (domain/availability.within_budget), pure: whole centres, seats first,
never over the budget, and what was left out said plainly."""
import json

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import availability as shapes

# Any text a centre's name or address may hold: quotes, backslashes, Devanagari, a letter outside the BMP.
texts = st.text(alphabet=st.sampled_from('ab "\\/éप्र𝒜\u200d'), max_size=40)


def centre(center_id: int, pincode: int, seats: list[int], padding: str = "") -> dict:
    """A calendar entry: one centre, a session per number in `seats` (its seats open)."""
    sessions = [{"session_id": f"{center_id}-{i}", "available_capacity": free} for i, free in enumerate(seats)]
    return {"center_id": center_id, "name": f"Centre {center_id}{padding}", "pincode": pincode, "sessions": sessions}


centres = st.lists(
    st.tuples(st.integers(1, 400), st.sampled_from([411001, 411002, 411003, 560002]),
              st.lists(st.integers(0, 3), min_size=1, max_size=3), texts),
    unique_by=lambda row: row[0], max_size=25,
).map(lambda rows: [centre(*row) for row in sorted(rows)])


def cost(entries) -> int:
    return sum(shapes.lambda_bytes(entry) + 1 for entry in entries)


def has_seats(entry: dict) -> bool:
    return any(session["available_capacity"] > 0 for session in entry["sessions"])


@given(st.recursive(st.none() | st.booleans() | st.integers() | texts,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4)))
def test_lambda_bytes_is_what_the_body_costs_in_lambdas_envelope(value):
    body = shapes.json_text(value)
    empty = len(json.dumps({"body": ""}))
    assert shapes.lambda_bytes(value) == len(json.dumps({"body": body})) - empty  # Python 3.11's runtime
    assert shapes.lambda_bytes(value) >= len(json.dumps({"body": body}, ensure_ascii=False).encode()) - empty
    assert shapes.lambda_bytes(value) >= len(body.encode())  # and never less than the body itself


@given(centres, st.integers(0, 3000))
def test_whole_centres_seats_first_never_over_the_budget(entries, budget):
    bounded = shapes.within_budget(entries, budget)
    kept = bounded.entries
    ids = [entry["center_id"] for entry in kept]
    assert all(entry in entries for entry in kept) and ids == sorted(ids)  # whole, in the answer's order
    assert cost(kept) <= budget or cost(entries) <= budget
    assert len(kept) + bounded.omitted_centres == len(entries)
    assert bounded.partial == (bounded.omitted_centres > 0)
    if cost(entries) <= budget:
        assert kept == entries and not bounded.partial
        return
    left_out = [entry for entry in entries if entry["center_id"] not in ids]
    # Seats first: the centres kept with seats are the lowest ids of those with seats; a fully booked
    # centre is kept only when every centre with seats is.
    with_seats = [entry for entry in entries if has_seats(entry)]
    kept_with_seats = [entry for entry in kept if has_seats(entry)]
    assert kept_with_seats == with_seats[:len(kept_with_seats)]
    if any(has_seats(entry) for entry in left_out):
        assert all(has_seats(entry) for entry in kept)
    # Stopped only when the next centre in that order would not fit.
    following = min(left_out, key=lambda entry: (not has_seats(entry), entry["center_id"]))
    assert cost(kept) + shapes.lambda_bytes(following) + 1 > budget
    assert bounded.omitted_pincodes == tuple(sorted({entry["pincode"] for entry in left_out}))


@given(centres, st.integers(0, 3000))
def test_the_same_sessions_give_the_same_answer(entries, budget):
    assert shapes.within_budget(entries, budget) == shapes.within_budget([dict(e) for e in entries], budget)


@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 2)), min_size=1, max_size=40), st.integers(0, 2000))
def test_a_flat_search_keeps_or_leaves_all_of_a_centres_rows(rows, budget):
    flat = [{"center_id": center_id, "pincode": 400001, "session_id": f"{center_id}-{i}", "available_capacity": free}
            for i, (center_id, free) in enumerate(sorted(rows, key=lambda row: row[0]))]
    bounded = shapes.within_budget(flat, budget)
    kept = {row["center_id"] for row in bounded.entries}
    assert bounded.entries == [row for row in flat if row["center_id"] in kept]
    assert len(kept) + bounded.omitted_centres == len({row["center_id"] for row in flat})


def test_a_centre_larger_than_the_budget_is_left_out_not_cut():
    bounded = shapes.within_budget([centre(1, 411001, [5], "x" * 500)], budget=100)
    assert bounded.entries == [] and bounded.omitted_centres == 1 and bounded.omitted_pincodes == (411001,)


def test_the_pincodes_named_are_capped():
    entries = [centre(n, 400000 + n, [1]) for n in range(1, 151)]
    bounded = shapes.within_budget(entries, budget=0)
    assert bounded.omitted_centres == 150
    assert bounded.omitted_pincodes == tuple(400000 + n for n in range(1, shapes.OMITTED_PINCODES_LISTED + 1))


def test_the_budget_leaves_headroom_under_lambdas_limit():
    assert shapes.LAMBDA_RESPONSE_LIMIT - shapes.ANSWER_BUDGET > 1_000_000
    assert shapes.ANSWER_BUDGET < 6_000_000  # under 6 MB counted either way
