"""AES-GCM field values and wrapped data keys (no app, no database)."""
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseapp.security import crypto
from caseapp.security.crypto import (
    DecryptionError,
    LruCache,
    UnknownRootKeyError,
    aad_for,
    new_data_key,
    open_sealed,
    rewrap_key,
    seal,
    sealed_key_id,
    unwrap_key,
    wrap_key,
    wrapped_root_key_id,
)
from caseapp.security.keyring import Keyring

RECORD = uuid.UUID("5f0c8a8e-2d7b-4f0e-9a63-0d7f3c1b2a10")
OTHER_RECORD = uuid.UUID("0b3e6a41-93f1-4c55-8a0e-6d2f1f4e9c77")
AAD = aad_for("beneficiaries", "family_name", RECORD)


@pytest.fixture
def key():
    return new_data_key()


@pytest.fixture
def key_id():
    return uuid.uuid4()


@given(plaintext=st.text())
@settings(max_examples=200)
def test_round_trip_any_text(plaintext):
    key, key_id = new_data_key(), uuid.uuid4()
    assert open_sealed(key, seal(key, key_id, plaintext, AAD), AAD) == plaintext


def test_stored_format_has_version_key_id_nonce_and_tag(key, key_id):
    blob = seal(key, key_id, "Παπαδόπουλος", AAD)
    assert blob[0] == 0x01
    assert blob[1:17] == key_id.bytes
    assert sealed_key_id(blob) == key_id
    assert len(blob) == 1 + 16 + 12 + len("Παπαδόπουλος".encode()) + 16


def test_same_plaintext_encrypts_differently(key, key_id):
    blobs = {seal(key, key_id, "Maria", AAD) for _ in range(50)}
    nonces = {blob[17:29] for blob in blobs}
    assert len(blobs) == 50
    assert len(nonces) == 50


@given(data=st.data())
def test_flipping_any_bit_fails(data):
    key, key_id = new_data_key(), uuid.uuid4()
    blob = bytearray(seal(key, key_id, "Georgiou", AAD))
    position = data.draw(st.integers(0, len(blob) * 8 - 1))
    blob[position // 8] ^= 1 << (position % 8)
    with pytest.raises(DecryptionError):
        open_sealed(key, bytes(blob), AAD)


@pytest.mark.parametrize("other_aad", [
    aad_for("beneficiaries", "given_name", RECORD),
    aad_for("beneficiaries", "family_name", OTHER_RECORD),
    aad_for("case_notes", "family_name", RECORD),
])
def test_value_moved_to_other_column_or_record_fails(key, key_id, other_aad):
    blob = seal(key, key_id, "Chatzis", AAD)
    with pytest.raises(DecryptionError):
        open_sealed(key, blob, other_aad)


def test_wrong_key_fails(key, key_id):
    blob = seal(key, key_id, "Psarra", AAD)
    with pytest.raises(DecryptionError):
        open_sealed(new_data_key(), blob, AAD)


def test_unknown_version_fails(key, key_id):
    blob = bytearray(seal(key, key_id, "x", AAD))
    blob[0] = 2
    with pytest.raises(DecryptionError, match="version"):
        open_sealed(key, bytes(blob), AAD)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + b"\x00" * 43, "not bytes", None])
def test_malformed_input_fails_cleanly(key, blob):
    with pytest.raises(DecryptionError):
        open_sealed(key, blob, AAD)


def test_memoryview_from_a_driver_is_accepted(key, key_id):
    blob = seal(key, key_id, "Ψαρρά", AAD)
    assert open_sealed(key, memoryview(blob), AAD) == "Ψαρρά"


def test_seal_refuses_non_text(key, key_id):
    with pytest.raises(TypeError):
        seal(key, key_id, b"bytes", AAD)


def test_aad_is_canonical_and_unambiguous():
    assert aad_for("t", "c", RECORD) == aad_for("t", "c", str(RECORD).upper()) == f"t|c|{RECORD}".encode()
    with pytest.raises(ValueError):
        aad_for("t|x", "c", RECORD)
    with pytest.raises(ValueError):
        aad_for("t", "c", None)


def test_aesgcm_object_is_built_once_per_key(key):
    assert crypto._aead(key) is crypto._aead(key)
    first = crypto._aead(key)
    crypto.forget_key(key)
    assert crypto._aead(key) is not first


def test_lru_cache_is_bounded():
    cache = LruCache(maxsize=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


# --- wrapped data keys ---------------------------------------------------------


@pytest.fixture
def keyring():
    return Keyring.generate()


def test_wrap_unwrap_round_trip(keyring, key, key_id):
    wrapped = wrap_key(keyring.active_key, keyring.active_id, key, key_id)
    assert wrapped_root_key_id(wrapped) == keyring.active_id
    assert key not in wrapped
    assert unwrap_key(keyring, wrapped, key_id) == key


def test_wrapped_key_is_bound_to_its_data_key_id(keyring, key, key_id):
    wrapped = wrap_key(keyring.active_key, keyring.active_id, key, key_id)
    with pytest.raises(DecryptionError):
        unwrap_key(keyring, wrapped, uuid.uuid4())


def test_tampered_wrapped_key_fails(keyring, key, key_id):
    wrapped = bytearray(wrap_key(keyring.active_key, keyring.active_id, key, key_id))
    wrapped[-1] ^= 1
    with pytest.raises(DecryptionError):
        unwrap_key(keyring, bytes(wrapped), key_id)


def test_rotation_rewraps_under_the_new_root_key(keyring, key, key_id):
    old_wrapped = wrap_key(keyring.active_key, keyring.active_id, key, key_id)
    rotated = keyring.with_new_active_key()
    new_wrapped = rewrap_key(rotated, old_wrapped, key_id)

    assert wrapped_root_key_id(new_wrapped) == rotated.active_id != keyring.active_id
    assert unwrap_key(rotated, new_wrapped, key_id) == key
    assert unwrap_key(rotated, old_wrapped, key_id) == key
    with pytest.raises(UnknownRootKeyError, match=rotated.active_id):
        unwrap_key(keyring, new_wrapped, key_id)


def test_relabelled_root_key_id_fails(keyring, key, key_id):
    rotated = keyring.with_new_active_key()
    wrapped = wrap_key(rotated.get(keyring.active_id), keyring.active_id, key, key_id)
    relabelled = wrapped.replace(keyring.active_id.encode(), rotated.active_id.encode(), 1)
    with pytest.raises(DecryptionError):
        unwrap_key(rotated, relabelled, key_id)


@pytest.mark.parametrize("wrapped", [
    b"", b"\x02\x01k" + b"\x00" * 60, b"\x01\x00" + b"\x00" * 60, b"\x01\x05abc",
])
def test_malformed_wrapped_key_fails(keyring, wrapped):
    with pytest.raises(DecryptionError):
        unwrap_key(keyring, wrapped, uuid.uuid4())
