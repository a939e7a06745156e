import json
import math
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from bookings.codes import ALPHABET, LENGTH, display_code, new_ticket_code, normalize_code
from tickets import signing
from tickets.exceptions import InvalidTicket
from tickets.keys import b64, new_key, unb64

CLAIMS = signing.Claims(ticket=41, show=7, seat="F7")


def test_a_code_has_at_least_80_bits_and_no_look_alike_characters():
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("01OILU") & set(ALPHABET)
    codes = {new_ticket_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(re.fullmatch(f"[{ALPHABET}]{{{LENGTH}}}", code) for code in codes)


def test_a_typed_code_ignores_case_dashes_and_spaces():
    code = new_ticket_code()
    shown = display_code(code)
    assert re.fullmatch(r"\w{6}-\w{6}-\w{6}", shown)
    assert normalize_code(shown.lower()) == code
    assert normalize_code(" " + shown.replace("-", " ") + " ") == code
    assert normalize_code(code[:-1]) is None
    assert normalize_code(code[:-1] + "O") is None


def test_a_signed_payload_verifies_to_its_claims():
    payload = signing.sign(CLAIMS)
    assert payload.startswith(f"TK1.{signing.current_key_id()}.")
    assert signing.verify(payload) == CLAIMS


def test_a_forged_payload_is_refused():
    prefix, key_id, body, signature = signing.sign(CLAIMS).split(".")
    other_seat = b64(unb64(body).replace(b"F7", b"F8"))
    with pytest.raises(InvalidTicket, match="does not verify"):
        signing.verify(f"{prefix}.{key_id}.{other_seat}.{signature}")


def test_a_payload_resigned_with_another_key_under_our_key_id_is_refused():
    attacker = new_key()
    with override_settings(TICKET_SIGNING_KEY=f"{signing.current_key_id()}:{attacker.private}"):
        forged = signing.sign(CLAIMS)
    with pytest.raises(InvalidTicket, match="does not verify"):
        signing.verify(forged)


@pytest.mark.parametrize(
    "payload", ["TK1.", "TK1.a.b", "TK1.nokey.e30.AAAA", "TK1.{kid}.!!!.AAAA", "TK1.{kid}.e30.", "XX1.{kid}.e30.AAAA"]
)
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(InvalidTicket):
        signing.verify(payload.format(kid=signing.current_key_id()))


def test_a_signed_payload_with_claims_of_the_wrong_types_is_refused():
    key_id, private = signing._signing_key()
    claims = b64(json.dumps({"t": "41", "s": 7, "seat": "F7"}).encode())
    signed = f"TK1.{key_id}.{claims}"
    with pytest.raises(InvalidTicket):
        signing.verify(f"{signed}.{b64(private.sign(signed.encode()))}")


def test_after_a_rotation_old_tickets_verify_while_their_key_is_listed():
    old, new = new_key(), new_key()
    with override_settings(TICKET_SIGNING_KEY=old.setting):
        old_ticket = signing.sign(CLAIMS)
    with override_settings(TICKET_SIGNING_KEY=new.setting, TICKET_RETIRED_KEYS=old.retired_setting):
        assert signing.verify(old_ticket) == CLAIMS
        assert signing.sign(CLAIMS).split(".")[1] == new.key_id
        assert list(signing.public_keys()) == [new.key_id, old.key_id]
    with (
        override_settings(TICKET_SIGNING_KEY=new.setting, TICKET_RETIRED_KEYS=""),
        pytest.raises(InvalidTicket, match="no longer"),
    ):
        signing.verify(old_ticket)


def test_the_key_command_prints_a_key_that_signs(capsys):
    call_command("ticket_signing_key")
    printed = capsys.readouterr().out.splitlines()
    setting = printed[0].removeprefix("TICKET_SIGNING_KEY=")
    retired = printed[1].split(": ")[1]
    with override_settings(TICKET_SIGNING_KEY=setting):
        ticket = signing.sign(CLAIMS)
    with override_settings(TICKET_SIGNING_KEY=new_key().setting, TICKET_RETIRED_KEYS=retired):
        assert signing.verify(ticket) == CLAIMS


def test_without_a_key_debug_makes_one_in_the_key_file_and_keeps_it(tmp_path):
    path = tmp_path / "key"
    with override_settings(TICKET_SIGNING_KEY="", TICKET_SIGNING_KEY_FILE=str(path)):
        first = signing.sign(CLAIMS)
        assert path.stat().st_mode & 0o777 == 0o600
        assert signing.verify(first) == CLAIMS
        assert signing.current_key_id() == path.read_text().split(":")[0]


def test_a_malformed_key_setting_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(TICKET_SIGNING_KEY="k1:not-a-key"), pytest.raises(ImproperlyConfigured):
        signing.sign(CLAIMS)
    with override_settings(TICKET_RETIRED_KEYS="k1:xx"), pytest.raises(ImproperlyConfigured):
        signing.public_keys()
