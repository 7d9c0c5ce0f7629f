"""Properties of the judge over arbitrary input (hypothesis).

No tag key or value, however strange, crashes it; every verdict has a one-line reason; only
an accepted value is ever compliant; a near-miss key is always recognised as one.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from maptag.judge import judge
from maptag.model import Verdict
from maptag.policy import Policy
from maptag.rules import LEGACY_SERVER_ID_LOOSE, MAP_KEY, PREFIXES

POLICIES = [
    Policy.build(mpe_ids=["12345"], regions=["us-east-1"]),
    Policy.build(mpe_ids=["mig12345", "ABCDE12345"], regions=["us-east-1"]),
    Policy.build(mpe_ids=["12345"], regions=["us-east-1"], accept_legacy=True),
    Policy.build(mpe_ids=["1234567"], prefixes=["sap", "comm_ec2_"], regions=["us-east-1"]),
]
policies = st.sampled_from(POLICIES)

# Any unicode (control, format and separator characters weighted in), and huge strings.
awkward = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So"])
text = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(awkward, st.sampled_from("map-migrated_. MIGABCDE0123456789"))),
    st.builds(lambda part, times: part * times, st.text(min_size=1, max_size=8), st.integers(1_000, 30_000)),
)
# Values near the accepted ones are where mistakes hide: prefixes, ids, legacy ids, mutations.
near_values = st.builds(
    lambda prefix, mpe, before, after: before + prefix + mpe + after,
    st.sampled_from([*PREFIXES, "", "MIG", "d-server-", "map"]),
    st.sampled_from(["12345", "ABCDE12345", "abcde12345", "99999", "1234567", "0123456789abcd", ""]),
    st.sampled_from(["", " ", "\t", "\u200b", "x"]),
    st.sampled_from(["", " ", "\n", ",mig99999", "\x00"]),
)
values = st.one_of(text, near_values)
tags = st.dictionaries(st.one_of(text, st.just(MAP_KEY)), values, max_size=6)


def accepted(value: str, policy: Policy) -> bool:
    legacy = policy.accept_legacy and LEGACY_SERVER_ID_LOOSE.fullmatch(value) is not None
    return value in policy.accepted_values or legacy


@settings(max_examples=400, deadline=None)
@given(tags=st.one_of(st.none(), tags), policy=policies, error=st.one_of(st.none(), text))
def test_any_tags_get_a_verdict_with_a_one_line_reason(
    tags: dict[str, str] | None, policy: Policy, error: str | None
) -> None:
    judgement = judge(tags, policy, error)

    assert judgement.verdict in set(Verdict) - {Verdict.EXCLUDED}
    assert judgement.reason.strip()
    assert len(judgement.reason.splitlines()) == 1
    assert judgement.reason.isprintable()
    assert len(judgement.reason) < 600
    if judgement.verdict is not Verdict.COMPLIANT:
        assert judgement.fix
        assert len(judgement.fix.splitlines()) == 1


@settings(max_examples=400, deadline=None)
@given(tags=tags, policy=policies)
def test_compliant_only_for_an_accepted_value_under_the_exact_key(
    tags: dict[str, str], policy: Policy
) -> None:
    judgement = judge(tags, policy)

    if judgement.verdict is Verdict.COMPLIANT:
        assert MAP_KEY in tags
        assert accepted(tags[MAP_KEY], policy)
    elif MAP_KEY in tags:
        assert not accepted(tags[MAP_KEY], policy)


@settings(max_examples=300, deadline=None)
@given(value=values, policy=policies)
def test_the_verdict_depends_only_on_the_map_migrated_tag(value: str, policy: Policy) -> None:
    alone = judge({MAP_KEY: value}, policy)
    crowded = judge({MAP_KEY: value, "Name": "web", "Map-Migrated": "x", "map-dba": "y"}, policy)
    assert alone.verdict == crowded.verdict
    # beside a correct tag, the reason also says the stray near-miss key can go (issue 9)
    assert crowded.reason.startswith(alone.reason)


def _mangled_key(draw: st.DrawFn) -> str:
    words = [draw(st.sampled_from([w, w.upper(), w.title()])) for w in ("map", "migrated")]
    separator = draw(st.sampled_from(["-", "_", ".", "", " ", " - ", "--", "\t"]))
    edges = draw(st.sampled_from([("", ""), (" ", ""), ("", " "), ("\u200b", ""), ("_", "")]))
    return edges[0] + words[0] + separator + words[1] + edges[1]


mangled_keys = st.composite(_mangled_key)()


@settings(max_examples=200, deadline=None)
@given(key=mangled_keys, value=values, policy=policies)
def test_a_mangled_key_is_a_near_miss_with_its_differences_named(
    key: str, value: str, policy: Policy
) -> None:
    judgement = judge({key: value}, policy)

    if key == MAP_KEY:
        assert judgement.verdict is not Verdict.NEAR_MISS_KEY
    else:
        assert judgement.verdict is Verdict.NEAR_MISS_KEY
        assert "differs from 'map-migrated'" in judgement.reason
        assert not judgement.reason.rstrip().endswith("by")
        assert judgement.fix is not None
        assert judgement.fix.startswith("rename key")


@settings(max_examples=200, deadline=None)
@given(
    policy=policies,
    mutation=st.sampled_from(["upper", "title", "lead", "trail", "inner", "double"]),
    index=st.integers(0, 100),
)
def test_a_mutated_accepted_value_is_never_compliant(policy: Policy, mutation: str, index: int) -> None:
    good = sorted(policy.accepted_values)[index % len(policy.accepted_values)]
    bad = {
        "upper": good.upper(),
        "title": good[:1].upper() + good[1:],
        "lead": " " + good,
        "trail": good + " ",
        "inner": good[:3] + " " + good[3:],
        "double": good + "," + good,
    }[mutation]
    if bad == good:  # an all-digit tail upper-cases to itself only if the prefix did too: never
        return
    judgement = judge({MAP_KEY: bad}, policy)
    assert judgement.verdict is Verdict.INVALID_VALUE, (bad, judgement.reason)
