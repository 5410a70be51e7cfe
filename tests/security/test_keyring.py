"""Root-key loading, key files and the app hook (no caseapp app, no database)."""
import base64
import json
import os
import stat
import uuid

import pytest
from flask import Flask

from caseapp.security.crypto import new_data_key, unwrap_key, wrap_key
from caseapp.security.keyring import (
    EXTENSION_KEY,
    Keyring,
    KeyringError,
    KeyringUnavailable,
    add_root_key,
    current_keyring,
    generate_key_file,
    init_app,
    load_keyring,
    main,
    read_key_file,
    remove_root_keys,
)

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
INDEX = base64.b64encode(b"I" * 32).decode()
AUDIT = base64.b64encode(b"U" * 32).decode()


def document(**changes):
    doc = {"active": "k1", "keys": {"k1": KEY_A, "k0": KEY_B}, "index_key": INDEX, "audit_key": AUDIT}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


def test_parses_the_documented_format():
    keyring = Keyring.from_json(json.dumps(document(version=1)))
    assert keyring.active_id == "k1"
    assert keyring.active_key == b"A" * 32
    assert keyring.get("k0") == b"B" * 32
    assert keyring.index_key == b"I" * 32
    assert keyring.audit_key == b"U" * 32
    assert keyring.key_ids == ("k0", "k1")


def test_a_key_file_written_before_the_audit_key_still_loads_without_one():
    keyring = Keyring.from_json(json.dumps(document(audit_key=None)))
    assert keyring.audit_key is None and keyring.active_id == "k1"
    assert "audit_key" not in keyring.to_json()


def test_json_round_trip():
    keyring = Keyring.generate()
    assert Keyring.from_json(keyring.to_json()) == keyring


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps(document(active=None)), "'active' is missing"),
    (json.dumps(document(active="k9")), "active key 'k9' is not listed"),
    (json.dumps(document(keys={})), "'keys' is empty"),
    (json.dumps(document(keys={"k1": "@@@"})), "root key 'k1' is not valid base64"),
    (json.dumps(document(keys={"k1": base64.b64encode(b"short").decode()})),
     "must decode to 32 bytes, not 5"),
    (json.dumps(document(keys={"k 1": KEY_A}, active="k 1")), "invalid root key id"),
    (json.dumps(document(index_key=None)), "'index_key' is missing"),
    (json.dumps(document(index_key=base64.b64encode(b"x" * 16).decode())),
     "index_key must decode to 32 bytes"),
    (json.dumps(document(indexkey=INDEX)), "unknown field(s) indexkey"),
    (json.dumps(document(audit_key=base64.b64encode(b"x" * 8).decode())), "audit_key must decode to 32 bytes"),
    (json.dumps(document(version=2)), "unsupported version 2"),
])
def test_parsing_errors_are_clear_and_name_the_source(text, message):
    with pytest.raises(KeyringError) as caught:
        Keyring.from_json(text, source="CASEAPP_KEYS")
    assert message in str(caught.value)
    assert str(caught.value).startswith("CASEAPP_KEYS")
    assert KEY_A not in str(caught.value)


def test_repr_and_errors_never_show_key_material():
    keyring = Keyring.from_json(json.dumps(document()))
    text = repr(keyring)
    assert "k1" in text
    assert KEY_A not in text and "AAAA" not in text and str(b"A" * 32) not in text
    with pytest.raises(KeyringError, match="'nope' is not in the keyring"):
        keyring.get("nope")


def test_generated_key_file_is_private_and_loads(tmp_path):
    path = tmp_path / "keys.json"
    keyring = generate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path) == keyring
    assert len(keyring.active_key) == 32 and len(keyring.index_key) == 32 and len(keyring.audit_key) == 32
    assert len({keyring.active_key, keyring.index_key, keyring.audit_key}) == 3


def test_generate_refuses_to_overwrite(tmp_path):
    path = tmp_path / "keys.json"
    generate_key_file(path)
    before = path.read_bytes()
    with pytest.raises(KeyringError, match="already exists"):
        generate_key_file(path)
    assert path.read_bytes() == before


def test_generate_is_private_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        generate_key_file(tmp_path / "sub" / "keys.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "sub" / "keys.json").stat().st_mode) == 0o600


def test_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "keys.json"
    generate_key_file(path)
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        read_key_file(path)


def test_missing_key_file_is_a_clear_error(tmp_path):
    with pytest.raises(KeyringError, match="does not exist"):
        read_key_file(tmp_path / "nope.json")


def test_add_root_key_makes_it_active_and_keeps_old_keys(tmp_path):
    path = tmp_path / "keys.json"
    old = generate_key_file(path)
    data_key, data_key_id = new_data_key(), uuid.uuid4()
    wrapped = wrap_key(old.active_key, old.active_id, data_key, data_key_id)

    new = add_root_key(path)

    assert new.active_id != old.active_id
    assert set(new.key_ids) == {old.active_id, new.active_id}
    assert new.index_key == old.index_key and new.audit_key == old.audit_key
    assert read_key_file(path) == new
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert unwrap_key(new, wrapped, data_key_id) == data_key
    assert list(tmp_path.iterdir()) == [path]


def test_environment_takes_precedence_over_file(tmp_path):
    path = tmp_path / "keys.json"
    generate_key_file(path)
    assert load_keyring(json.dumps(document()), path).active_id == "k1"
    assert load_keyring(None, path) == read_key_file(path)
    assert load_keyring("", tmp_path / "absent.json") is None
    assert load_keyring(None, None) is None


def make_app(**config):
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x" * 40, CASEAPP_KEYS=None, CASEAPP_KEY_FILE=None, KEYS_REQUIRED=False)
    app.config.update(config)
    return app


def test_app_refuses_to_start_without_keys_when_required():
    with pytest.raises(RuntimeError, match="refuses to start without root keys"):
        init_app(make_app(KEYS_REQUIRED=True))


def test_app_refuses_to_start_without_an_audit_key_when_keys_are_required(tmp_path):
    with pytest.raises(RuntimeError, match="refuses to start without an audit key"):
        init_app(make_app(CASEAPP_KEYS=json.dumps(document(audit_key=None)), KEYS_REQUIRED=True))
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(document(audit_key=None)))
    path.chmod(0o600)
    with pytest.raises(RuntimeError, match="add-audit-key"):
        init_app(make_app(CASEAPP_KEY_FILE=str(path), KEYS_REQUIRED=True))
    assert main(["add-audit-key", str(path)]) == 0
    app = make_app(CASEAPP_KEY_FILE=str(path), KEYS_REQUIRED=True)
    init_app(app)
    added = app.extensions[EXTENSION_KEY]
    assert len(added.audit_key) == 32 and added.root_keys == Keyring.from_json(json.dumps(document())).root_keys
    assert main(["add-audit-key", str(path)]) == 1  # never replaced: older events would stop verifying
    assert read_key_file(path).audit_key == added.audit_key


def test_app_without_keys_starts_when_not_required_but_features_say_why():
    app = make_app()
    init_app(app)
    assert app.extensions[EXTENSION_KEY] is None
    with app.app_context(), pytest.raises(KeyringUnavailable, match="CASEAPP_KEYS or CASEAPP_KEY_FILE"):
        current_keyring()


def test_keys_are_never_derived_from_secret_key():
    app = make_app(SECRET_KEY="a-long-secret-key-that-must-not-become-a-root-key")
    init_app(app)
    assert app.extensions[EXTENSION_KEY] is None


def test_malformed_keys_stop_the_app_even_when_not_required():
    with pytest.raises(RuntimeError, match="cannot start: CASEAPP_KEYS: not valid JSON"):
        init_app(make_app(CASEAPP_KEYS="{oops"))


def test_app_loads_keys_from_env_and_file(tmp_path):
    app = make_app(CASEAPP_KEYS=json.dumps(document()), KEYS_REQUIRED=True)
    init_app(app)
    with app.app_context():
        assert current_keyring().active_id == "k1"

    path = tmp_path / "keys.json"
    expected = generate_key_file(path)
    app = make_app(CASEAPP_KEY_FILE=str(path), KEYS_REQUIRED=True)
    init_app(app)
    with app.app_context():
        assert current_keyring() == expected


def test_current_keyring_outside_an_app_is_a_clear_error():
    with pytest.raises(KeyringUnavailable, match="application context"):
        current_keyring()


def test_module_command_generates_and_adds(tmp_path, capsys):
    path = tmp_path / "keys.json"
    assert main(["generate", str(path)]) == 0
    assert main(["generate", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["add-root", str(path)]) == 0
    assert len(read_key_file(path).key_ids) == 2
    assert main(["bogus"]) == 2


def test_removing_root_keys_rewrites_the_file_and_zeroes_the_old_copy(tmp_path):
    path = tmp_path / "keys.json"
    old = generate_key_file(path)
    new = add_root_key(path)
    with open(path, "rb") as before:  # a reader holding the file open sees the old inode
        retired = remove_root_keys(path, [old.active_id])
        assert set(before.read()) <= {0}
    assert retired.key_ids == (new.active_id,)
    assert read_key_file(path) == retired
    assert base64.b64encode(old.active_key).decode() not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [path]


def test_the_active_key_and_unknown_keys_cannot_be_removed(tmp_path):
    path = tmp_path / "keys.json"
    keyring = generate_key_file(path)
    with pytest.raises(KeyringError, match="is active"):
        remove_root_keys(path, [keyring.active_id])
    with pytest.raises(KeyringError, match="holds no root key nope"):
        remove_root_keys(path, ["nope"])
    assert read_key_file(path) == keyring
