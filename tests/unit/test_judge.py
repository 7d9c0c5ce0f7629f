"""The judge over the MAP tag rules of docs/map-tagging-rules.md ("The tag"): one case per rule.

Each case: the tags a resource carries, the policy, and the verdict, a fragment of the reason
and (when not compliant) a fragment of the fix a user must see.
"""

from __future__ import annotations

import pytest

from maptag.judge import judge
from maptag.model import Verdict
from maptag.policy import Policy
from maptag.rules import PREFIXES

BARE = Policy.build(mpe_ids=["12345"], regions=["us-east-1"])  # every prefix with 12345
FULL = Policy.build(mpe_ids=["mig12345"], regions=["us-east-1"])  # only that value
TWO = Policy.build(mpe_ids=["12345", "ABCDE12345"], regions=["us-east-1"])
LEGACY = Policy.build(mpe_ids=["12345"], regions=["us-east-1"], accept_legacy=True)
UNUSUAL = Policy.build(mpe_ids=["1234567"], regions=["us-east-1"])  # a length only warned about

LEGACY_ID = "d-server-0123456789abcd"  # `d-server-` + 14 lower-case alphanumerics

C, M, N, BAD = Verdict.COMPLIANT, Verdict.MISSING, Verdict.NEAR_MISS_KEY, Verdict.INVALID_VALUE


def case(
    name: str, tags: dict[str, str], verdict: Verdict, reason: str, fix: str = "", policy: Policy = BARE
):
    return pytest.param(tags, policy, verdict, reason, fix, id=name)


def v(value: str) -> dict[str, str]:
    return {"map-migrated": value, "Name": "web-1"}


CASES = [
    # --- the key: exactly `map-migrated` --------------------------------------------------
    case("exact key, default prefix", v("mig12345"), C, "tagged map-migrated=mig12345"),
    case("no tags at all", {}, M, "no tags at all", "add tag map-migrated=mig12345"),
    case("other tags only", {"Name": "web"}, M, "no 'map-migrated' tag", "add tag map-migrated=mig12345"),
    # Facts: Map-Migrated, map_migrated, `map-migrated ` (trailing space), mapmigrated, MAP-MIGRATED.
    case("key: title case", {"Map-Migrated": "mig12345"}, N, "only by case", "rename key 'Map-Migrated'"),
    case("key: upper case", {"MAP-MIGRATED": "mig12345"}, N, "only by case"),
    case("key: underscore", {"map_migrated": "mig12345"}, N, "only by '_' instead of '-'"),
    case("key: dot", {"map.migrated": "mig12345"}, N, "only by '.' instead of '-'"),
    case("key: no separator", {"mapmigrated": "mig12345"}, N, "only by a missing separator"),
    case("key: trailing space", {"map-migrated ": "mig12345"}, N, "only by surrounding whitespace"),
    case("key: leading tab", {"\tmap-migrated": "mig12345"}, N, "surrounding whitespace"),
    case("key: zero-width space", {"map-migrated\u200b": "mig12345"}, N, "surrounding whitespace"),
    case("key: space separator", {"map migrated": "mig12345"}, N, "whitespace instead of '-'"),
    case("key: space around dash", {"map - migrated": "mig12345"}, N, "whitespace around '-'"),
    case("key: space inside a word", {"map-mig rated": "mig12345"}, N, "whitespace inside a word"),
    case("key: doubled dash", {"map--migrated": "mig12345"}, N, "'--' instead of '-'"),
    case("key: stray leading dash", {"-map-migrated": "mig12345"}, N, "a leading '-'"),
    case(
        "key: several differences",
        {" Map_Migrated": "mig12345"},
        N,
        "by case, surrounding whitespace and '_' instead of '-'",
    ),
    case(
        "near-miss key with a wrong value: fix names both",
        {"Map-Migrated": "MIG12345"},
        N,
        "only by case",
        "rename key 'Map-Migrated' to 'map-migrated' and set its value to 'mig12345'",
    ),
    case(
        "near-miss key with a right value: a rename is the whole fix",
        {"map_migrated": "mig12345"},
        N,
        "'_'",
        "rename key 'map_migrated' to 'map-migrated'",
    ),
    case(
        "two near-miss keys", {"Map-Migrated": "x", "map_migrated": "y"}, N, "(and 1 more near-miss key(s))"
    ),
    case("exact key wins over a near miss", {"map-migrated": "mig12345", "Map-Migrated": "x"}, C, "tagged"),
    case("not a near miss: other word", {"map-migration": "mig12345"}, M, "no 'map-migrated' tag"),
    case("not a near miss: longer key", {"map-migrated-by": "team"}, M, "no 'map-migrated' tag"),
    case("not a near miss: look-alike letter", {"map-m\u0131grated": "mig12345"}, M, "no 'map-migrated'"),
    # Facts: older guides named `map-dba` and `aws-migration-project-id` keys: legacy, not garbage.
    case("legacy key map-dba", {"map-dba": "d-1"}, M, "only the legacy key 'map-dba'", "add tag"),
    case(
        "legacy key project id", {"aws-migration-project-id": "x"}, M, "legacy key 'aws-migration-project-id'"
    ),
    # --- the value: lower-case prefix + MPE id ----------------------------------------------
    case("value: upper case", v("MIG12345"), BAD, "the wrong case", "set the value to 'mig12345'"),
    case("value: title case", v("Mig12345"), BAD, "the wrong case", "'mig12345'"),
    case("value: leading space", v(" mig12345"), BAD, "surrounding whitespace", "'mig12345'"),
    case("value: trailing space", v("mig12345 "), BAD, "surrounding whitespace", "'mig12345'"),
    case("value: trailing tab", v("mig12345\t"), BAD, "surrounding whitespace"),
    case("value: zero-width space", v("mig12345\u200b"), BAD, "surrounding whitespace", "'mig12345'"),
    case("value: inner space", v("mig 12345"), BAD, "inner whitespace", "'mig12345'"),
    case(
        "value: case and space",
        v(" MIG12345"),
        BAD,
        "surrounding whitespace and the wrong case",
        "'mig12345'",
    ),
    case("value: empty", v(""), BAD, "the value is empty", "'mig12345'"),
    case("value: unknown prefix", v("map12345"), BAD, "unknown prefix 'map'"),
    case("value: prefix looks known but is longer", v("migr12345"), BAD, "unknown prefix 'migr'"),
    case(
        "value: upper-case prefix, other id",
        v("MIG99999"),
        BAD,
        "prefix in the wrong case (prefixes are lower-case), and its MPE id is not",
    ),
    case("value: separator after prefix", v("mig-12345"), BAD, "separator between prefix", "'mig12345'"),
    case("value: underscore after prefix", v("mig_12345"), BAD, "separator between prefix"),
    case("value: bare MPE id", v("12345"), BAD, "lacks a prefix such as 'mig'", "'mig12345'"),
    case("value: 4-digit MPE id", v("mig1234"), BAD, "neither 5 digits nor 10 upper-case"),
    case("value: 6-digit MPE id", v("mig123456"), BAD, "neither 5 digits nor 10 upper-case"),
    case("value: 9-char MPE id", v("migABCDE1234"), BAD, "neither 5 digits nor 10 upper-case"),
    case("value: lower-case MPE id, ours", v("migabcde12345"), BAD, "the wrong case", "'migABCDE12345'", TWO),
    case(
        "value: lower-case MPE id, not ours",
        v("migabcde99999"),
        BAD,
        "must be upper-case, and it is not this",
    ),
    case(
        "value: another engagement", v("mig99999"), BAD, "names MPE id 99999, not this engagement's (12345)"
    ),
    case("value: another engagement, 10 chars", v("sapZZZZZ99999"), BAD, "names MPE id ZZZZZ99999"),
    case("value: another engagement, ec2 prefix", v("comm_ec2_99999"), BAD, "names MPE id 99999"),
    case(
        "value: another of two engagements",
        v("mig99999"),
        BAD,
        "not this engagement's (12345, ABCDE12345)",
        "",
        TWO,
    ),
    case("value: second of two engagements", v("oracleABCDE12345"), C, "tagged", "", TWO),
    case("value: two values in one tag", v("mig12345,mig67890"), BAD, "holds 2 values", "'mig12345'"),
    case("value: two values, space", v("mig99999 sap88888"), BAD, "holds 2 values"),
    case("value: look-alike letter", v("m\u0456g12345"), BAD, "non-ASCII characters"),
    case("value: control character", v("mig12345\x00"), BAD, "control or invisible characters"),
    case("value: not a MAP value at all", v("yes"), BAD, "is not a MAP value (expected e.g. mig12345)"),
    case("value: hostile markup", v("<script>alert(1)</script>"), BAD, "'<script>alert(1)</script>'"),
    # docs/contracts.md: a full value accepts only itself; a bare id accepts every documented prefix.
    case("full value policy: same value", v("mig12345"), C, "tagged", "", FULL),
    case(
        "full value policy: other prefix",
        v("sap12345"),
        BAD,
        "prefix 'sap' is not accepted",
        "'mig12345'",
        FULL,
    ),
    case("unusual-length MPE id is accepted as given", v("mig1234567"), C, "tagged", "", UNUSUAL),
    # Facts: legacy values were Application Discovery server ids (`d-server-` + 14 characters).
    case("legacy id, not accepted", v(LEGACY_ID), BAD, "legacy server id from older MAP terms", "'mig12345'"),
    case("legacy id, accepted by policy", v(LEGACY_ID), C, "accepted by policy", "", LEGACY),
    case("legacy id, unusual length", v("d-server-abc123"), C, "(of an unusual length)", "", LEGACY),
    case(
        "legacy id, upper case", v("d-server-0123456789ABCD"), BAD, "malformed legacy server id", "", LEGACY
    ),
    case(
        "legacy id, nothing after the prefix", v("d-server-"), BAD, "malformed legacy server id", "", LEGACY
    ),
]


@pytest.mark.parametrize(("tags", "policy", "verdict", "reason", "fix"), CASES)
def test_verdict_reason_and_fix(
    tags: dict[str, str], policy: Policy, verdict: Verdict, reason: str, fix: str
) -> None:
    judgement = judge(tags, policy)

    assert judgement.verdict is verdict, judgement.reason
    assert reason in judgement.reason
    assert "\n" not in judgement.reason
    if verdict is Verdict.COMPLIANT:
        assert judgement.fix is None
    else:
        assert judgement.fix, "every finding says how to fix it"
        assert fix in judgement.fix


@pytest.mark.parametrize("prefix", PREFIXES)
def test_each_documented_prefix_is_compliant_with_a_bare_id(prefix: str) -> None:
    # Facts: mig, sap, oracle, comm, comm_ec2_, mig_ec2_; a bare id accepts each of them.
    for mpe, policy in (("12345", BARE), ("ABCDE12345", TWO)):
        judgement = judge({"map-migrated": prefix + mpe}, policy)
        assert judgement.verdict is Verdict.COMPLIANT, (prefix, judgement.reason)


@pytest.mark.parametrize("prefix", [p for p in PREFIXES if p != "mig"])
def test_a_full_value_accepts_no_other_prefix(prefix: str) -> None:
    judgement = judge({"map-migrated": prefix + "12345"}, FULL)
    assert judgement.verdict is Verdict.INVALID_VALUE
    assert f"prefix '{prefix}' is not accepted" in judgement.reason


def test_unreadable_tags_are_never_missing() -> None:
    judgement = judge(None, BARE, "AccessDenied on GetBucketTagging: Access Denied\nrequest id 1")
    assert judgement.verdict is Verdict.UNREADABLE
    assert judgement.reason == "tags could not be read: AccessDenied on GetBucketTagging: Access Denied"
    assert judgement.fix is not None
    assert "read this resource's tags" in judgement.fix


def test_observed_key_and_value_are_reported() -> None:
    judgement = judge({"Map-Migrated": "mig99999", "Owner": "secret-team"}, BARE)
    assert (judgement.key, judgement.value) == ("Map-Migrated", "mig99999")
    # Unrelated tags are never echoed into a finding.
    assert "secret-team" not in f"{judgement.reason} {judgement.fix}"


def test_quote_bounds_escaped_text() -> None:
    # Escaping can multiply a character by ten (\U00018d09): the bound applies after it.
    from maptag.rules import quote

    shown = quote("0" + "\U00018d09" * 200)
    assert len(shown) <= 66
    assert shown.isprintable()
    assert quote("a\nb") == "'a\\nb'"
