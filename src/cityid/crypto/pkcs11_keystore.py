"""The `pkcs11` keystore: key material lives in an HSM token and never leaves it.

Material: every key is a token object (CKA_TOKEN) that is private, sensitive and not
extractable, with CKA_ID and CKA_LABEL set to the cityid key id.
- cohort keys: AES-256; wrap and unwrap are CKM_AES_GCM encrypt/decrypt inside the token.
- keyed-hash keys: 256-bit generic secrets used with CKM_SHA256_HMAC. Hashing through the
  token costs a round trip per digest (SoftHSM: ~20k/s; a network HSM: far fewer), while
  match encodings need hundreds of thousands a second. So each process derives a working
  key once, inside the token: HMAC-SHA-256(token key, "cityid keyed-hash working key v1"
  || key id), an HMAC-based KDF with a fixed label (as in NIST SP 800-108). The working
  key lives only in process memory; the token key itself never leaves the token, and
  rotating or destroying it retires the working key with it.
- signing keys: Ed25519 key pairs (CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA), which
  SoftHSM 2.6 supports. A token without CKM_EDDSA is refused with a clear error; an
  ECDSA P-256 fallback is not implemented.

Metadata (kind, purpose, state, dates, public keys) lives in `keystore-pkcs11.json` in
the data dir, written atomically under a file lock. It holds no secret. The token is the
truth about material: a key whose token object is gone is destroyed, whatever the file
says. Why a file and not object labels: CKA_LABEL is the only free-text attribute, and
finding "the active cohort key of document_copy/2016-12" by scanning every object on
every call is slow on network HSMs. Several hosts sharing one HSM need this file shared
too (or moved to the database): noted for the lead.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import filelock
import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11e
from pkcs11.mechanisms import GCMParams
from pkcs11.util.ec import encode_named_curve_parameters

from cityid.crypto._files import atomic_write, file_signature
from cityid.crypto._primitives import HmacHasher, join_wrapped, split_wrapped
from cityid.crypto.errors import KeyDestroyed, KeystoreError, Tampered, WrongPin
from cityid.crypto.interfaces import KeyedHasher, Signer
from cityid.crypto.keystore import Entries, KeyEntry, Keystore

METADATA_FILE = "keystore-pkcs11.json"
FORMAT = "cityid-keystore-pkcs11"
VERSION = 1
_ED25519_OID = "1.3.101.112"
_WORKING_KEY_LABEL = b"cityid keyed-hash working key v1\x00"
_LOCK_TIMEOUT_S = 30.0

# Secret and private objects: in the token, behind the PIN, never readable or exportable.
_SECRET_TEMPLATE: dict[Attribute, Any] = {
    Attribute.TOKEN: True,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.MODIFIABLE: False,
}


class Pkcs11Keystore(Keystore):
    backend = "pkcs11"

    def __init__(self, metadata_path: Path, module: str, token_label: str, pin: str) -> None:
        """Log in to the token. `WrongPin` if the token refuses the PIN."""
        self.path = Path(metadata_path)
        self._lock = filelock.FileLock(str(self.path) + ".lock", timeout=_LOCK_TIMEOUT_S)
        self._token_lock = threading.Lock()  # one session, shared by the process's threads
        self._objects: dict[tuple[str, ObjectClass], Any] = {}
        self._working_keys: dict[str, bytes] = {}
        self.token_label = token_label
        self._session = _login(module, token_label, pin)
        document, signature = self._read_document()
        self._cache: Entries = _parse(document)
        self._signature: tuple[int, int, int] | None = signature

    @classmethod
    def create(cls, metadata_path: Path, module: str, token_label: str, pin: str) -> Pkcs11Keystore:
        """Start using a token: write an empty metadata file (after checking the PIN)."""
        path = Path(metadata_path)
        with _login(module, token_label, pin):
            pass  # prove module, token and PIN before writing anything
        with filelock.FileLock(str(path) + ".lock", timeout=_LOCK_TIMEOUT_S):
            if path.exists():
                raise KeystoreError(f"{path.name} already exists; not overwriting a keystore")
            atomic_write(path, _serialise(token_label, {}))
        return cls(path, module, token_label, pin)

    def close(self) -> None:
        with self._token_lock:
            self._objects.clear()
            self._working_keys.clear()
            with suppress(p11e.PKCS11Error):
                self._session.close()

    # ---- metadata ----------------------------------------------------------------------

    def _entries(self) -> Entries:
        if file_signature(self.path) != self._signature:
            document, signature = self._read_document()
            self._cache = _parse(document)
            self._signature = signature
        return self._cache

    @contextmanager
    def _update(self) -> Iterator[Entries]:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise KeystoreError("keystore is locked by another process; try again") from None
        try:
            document, _ = self._read_document()
            entries = _parse(document)
            yield entries
            atomic_write(self.path, _serialise(self.token_label, entries))
            self._cache = entries
            self._signature = file_signature(self.path)
        finally:
            self._lock.release()

    def _read_document(self) -> tuple[dict[str, Any], tuple[int, int, int]]:
        try:
            with self.path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                document = json.loads(handle.read())
        except FileNotFoundError:
            raise KeystoreError(f"no keystore metadata file at {self.path}") from None
        except (OSError, ValueError):
            raise KeystoreError("the keystore metadata file is unreadable") from None
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise KeystoreError("the keystore metadata file is not a cityid pkcs11 keystore")
        if document.get("token_label") != self.token_label:
            raise KeystoreError("the keystore metadata file belongs to another token")
        return document, (st.st_ino, st.st_mtime_ns, st.st_size)

    # ---- material ----------------------------------------------------------------------

    def _generate(self, entry: KeyEntry) -> None:
        kid = entry.key_id.encode()
        with self._token_lock, _token_errors():
            session = self._session
            if entry.kind == "cohort":
                session.generate_key(
                    KeyType.AES, 256, id=kid, label=entry.key_id, store=True,
                    template={**_SECRET_TEMPLATE, Attribute.ENCRYPT: True,
                              Attribute.DECRYPT: True, Attribute.WRAP: False,
                              Attribute.UNWRAP: False, Attribute.SIGN: False,
                              Attribute.VERIFY: False, Attribute.DERIVE: False},
                )  # fmt: skip
            elif entry.kind == "keyed-hash":
                session.generate_key(
                    KeyType.GENERIC_SECRET, 256, id=kid, label=entry.key_id, store=True,
                    template={**_SECRET_TEMPLATE, Attribute.SIGN: True,
                              Attribute.VERIFY: False, Attribute.DERIVE: False},
                )  # fmt: skip
            else:
                if Mechanism.EDDSA not in session.token.slot.get_mechanisms():
                    raise KeystoreError("this token has no CKM_EDDSA; Ed25519 signing needs it")
                params = session.create_domain_parameters(
                    KeyType.EC_EDWARDS,
                    {Attribute.EC_PARAMS: encode_named_curve_parameters(_ED25519_OID)},
                    local=True,
                )
                public, _private = params.generate_keypair(
                    id=kid, label=entry.key_id, store=True,
                    public_template={Attribute.TOKEN: True, Attribute.VERIFY: True,
                                     Attribute.PRIVATE: False},
                    private_template={**_SECRET_TEMPLATE, Attribute.SIGN: True},
                )  # fmt: skip
                entry.public_key = _raw_ed25519_point(public[Attribute.EC_POINT])

    def _erase(self, entry: KeyEntry) -> None:
        kid = entry.key_id.encode()
        with self._token_lock, _token_errors():
            for obj in list(self._session.get_objects({Attribute.ID: kid})):
                obj.destroy()
            self._objects = {k: v for k, v in self._objects.items() if k[0] != entry.key_id}
            self._working_keys.pop(entry.key_id, None)

    def _wrap(self, entry: KeyEntry, data_key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        with self._token_lock, _token_errors():
            key = self._object(entry.key_id, ObjectClass.SECRET_KEY)
            ciphertext = key.encrypt(
                data_key, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad)
            )
        return join_wrapped(nonce, bytes(ciphertext))

    def _unwrap(self, entry: KeyEntry, wrapped: bytes, aad: bytes) -> bytes:
        nonce, ciphertext = split_wrapped(wrapped)
        with self._token_lock, _token_errors():
            key = self._object(entry.key_id, ObjectClass.SECRET_KEY)
            try:
                return bytes(
                    key.decrypt(
                        ciphertext,
                        mechanism=Mechanism.AES_GCM,
                        mechanism_param=GCMParams(nonce, aad),
                    )
                )
            # SoftHSM reports a bad GCM tag as CKR_GENERAL_ERROR; the standard code is
            # CKR_ENCRYPTED_DATA_INVALID.
            except (p11e.EncryptedDataInvalid, p11e.GeneralError, p11e.DataInvalid):
                raise Tampered("wrapped key failed authentication (altered or moved)") from None

    def _hasher(self, entry: KeyEntry) -> KeyedHasher:
        with self._token_lock:
            working = self._working_keys.get(entry.key_id)
            if working is None:
                with _token_errors():
                    key = self._object(entry.key_id, ObjectClass.SECRET_KEY)
                    label = _WORKING_KEY_LABEL + entry.key_id.encode()
                    working = bytes(key.sign(label, mechanism=Mechanism.SHA256_HMAC))
                self._working_keys[entry.key_id] = working
        return HmacHasher(entry.key_id, working)

    def _signer(self, entry: KeyEntry) -> Signer:
        if entry.public_key is None:
            raise KeystoreError(f"signing key {entry.key_id} has no public key on record")
        return _TokenSigner(self, entry.key_id, entry.public_key)

    def _sign(self, key_id: str, message: bytes) -> bytes:
        with self._token_lock, _token_errors():
            key = self._object(key_id, ObjectClass.PRIVATE_KEY)
            return bytes(key.sign(message, mechanism=Mechanism.EDDSA))

    def _object(self, key_id: str, object_class: ObjectClass) -> Any:
        """The token object of a key, looked up once per process (caller holds the lock)."""
        cached = self._objects.get((key_id, object_class))
        if cached is not None:
            return cached
        try:
            obj = self._session.get_key(object_class=object_class, id=key_id.encode())
        except p11e.NoSuchKey:
            raise KeyDestroyed(f"key {key_id} is no longer in the token") from None
        self._objects[(key_id, object_class)] = obj
        return obj


class _TokenSigner:
    def __init__(self, keystore: Pkcs11Keystore, key_id: str, public_key: bytes) -> None:
        self._keystore = keystore
        self._key_id = key_id
        self._public_key = public_key

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def algorithm(self) -> str:
        return "Ed25519"

    def sign(self, message: bytes) -> bytes:
        return self._keystore._sign(self._key_id, message)

    def public_key_raw(self) -> bytes:
        return self._public_key

    def __repr__(self) -> str:
        return f"<TokenSigner key_id={self._key_id!r}>"


def _find_token(lib: Any, token_label: str, attempts: int = 4) -> Any:
    """The token by label; a slot that answers CKR_GENERAL_ERROR while another process
    writes its token files (SoftHSM's file store) is asked again, briefly."""
    for attempt in range(attempts):
        try:
            return lib.get_token(token_label=token_label)
        except p11e.GeneralError:
            if attempt == attempts - 1:
                raise KeystoreError("the PKCS#11 module reported a general error") from None
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _login(module: str, token_label: str, pin: str) -> Any:
    """A read-write session on the token, logged in as user."""
    if not pin:
        raise WrongPin("the PKCS#11 PIN is empty")
    try:
        lib = pkcs11.lib(module)
    except (OSError, RuntimeError) as exc:
        raise KeystoreError(f"cannot load the PKCS#11 module {module}: {exc}") from None
    try:
        token = _find_token(lib, token_label)
    except p11e.NoSuchToken:
        # Tokens created after the module was initialised appear only on re-initialising
        # it (SoftHSM). This closes other sessions of this process on the same module.
        lib.reinitialize()
        try:
            token = _find_token(lib, token_label)
        except p11e.NoSuchToken:
            raise KeystoreError(f"no PKCS#11 token labelled {token_label!r}") from None
    try:
        return token.open(rw=True, user_pin=pin)
    except (p11e.PinIncorrect, p11e.PinInvalid, p11e.PinLenRange):
        raise WrongPin("the PKCS#11 token rejected the PIN; nothing was changed") from None
    except p11e.PinLocked:
        raise WrongPin("the PKCS#11 token's PIN is locked") from None
    except p11e.UserAlreadyLoggedIn:
        # Another keystore object in this process already logged in; login state is per
        # process, so a plain session inherits it.
        return token.open(rw=True)
    except p11e.PKCS11Error as exc:
        raise KeystoreError(f"cannot open the PKCS#11 token ({type(exc).__name__})") from None


@contextmanager
def _token_errors() -> Iterator[None]:
    try:
        yield
    except (p11e.ObjectHandleInvalid, p11e.KeyHandleInvalid):
        raise KeyDestroyed("the key is no longer in the token") from None
    except p11e.PKCS11Error as exc:
        raise KeystoreError(f"the PKCS#11 token failed ({type(exc).__name__})") from None


def _raw_ed25519_point(ec_point: bytes) -> bytes:
    # CKA_EC_POINT for Ed25519 is the 32-byte point, DER-wrapped as an OCTET STRING.
    if len(ec_point) == 34 and ec_point[:2] == b"\x04\x20":
        return bytes(ec_point[2:])
    if len(ec_point) == 32:
        return bytes(ec_point)
    raise KeystoreError("the token returned an Ed25519 public key in an unknown encoding")


def _parse(document: dict[str, Any]) -> Entries:
    return {k["key_id"]: KeyEntry.from_json(k) for k in document["keys"]}


def _serialise(token_label: str, entries: Entries) -> bytes:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "token_label": token_label,
        "keys": [e.to_json(with_material=False) for e in entries.values()],
    }
    return json.dumps(document, indent=1).encode() + b"\n"
