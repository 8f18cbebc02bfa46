"""The seal's signer, made once per process and kept (``seal._signer``).

pyHanko's ``SimpleSigner`` does two costly things for every signature that are the same for every
certificate: it loads the private key from its DER bytes (and loading an RSA key checks it, which
costs many times the signature), and it builds the whole CMS signature container with asn1crypto
(signer info, signed attributes, the certificates), which costs more than hashing the file.

``KeptKeySigner`` keeps the loaded key, and for an RSA PKCS #1 v1.5 seal without a timestamp it
keeps the container pyHanko built for the first certificate as a template: the signed attributes
of a PAdES seal are the content type, the message digest, the signing certificate and the CMS
algorithm protection, of which only the message digest differs from certificate to certificate,
at the same length, as does the signature. A seal then costs one signature over the signed
attributes with the new digest, and the signature is checked against the certificate's public
key before it is used. Anything else (ECDSA, PSS, a timestamp, other attributes) is signed by
pyHanko as it comes.
"""

KEPT_ATTRIBUTES = frozenset(
    {
        "content_type",
        "message_digest",
        "signing_certificate",
        "signing_certificate_v2",
        "cms_algorithm_protection",
    }
)


class _Template:
    """A finished CMS container cut around its message digest and its signature."""

    def __init__(self, content_info, digest: bytes):
        signer_info = content_info["content"]["signer_infos"][0]
        data = content_info.dump()
        attributes = signer_info["signed_attrs"].dump()
        signature = signer_info["signature"].native
        kinds = {attribute["type"].native for attribute in signer_info["signed_attrs"]}
        at, sig_at = data.find(attributes), data.rfind(signature)
        self.usable = (
            kinds <= KEPT_ATTRIBUTES
            and attributes.count(digest) == 1
            and data.count(attributes) == 1
            and data.count(signature) == 1
            and not signer_info["unsigned_attrs"].native
            and at < sig_at
        )
        self.head, self.attributes = data[:at], attributes
        self.middle, self.tail = data[at + len(attributes) : sig_at], data[sig_at + len(signature) :]
        self.digest = digest


def kept_key_signer_class():
    from asn1crypto import cms
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash

    class KeptKeySigner(signers.SimpleSigner):
        """pyHanko's signer with its key loaded once and its container kept (module docstring)."""

        _key = None
        _templates = None

        def _loaded_key(self):
            if self._key is None:
                self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            return self._key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            key, hash_algorithm = self._loaded_key(), get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), hash_algorithm)
            if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(hash_algorithm))
            return super().sign_raw(data, digest_algorithm)  # other mechanisms (PSS): as pyHanko does

        def _templated(self, digest_algorithm: str) -> bool:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            return mechanism == "rsassa_pkcs1v15" and isinstance(self._loaded_key(), rsa.RSAPrivateKey)

        async def async_sign(self, data_digest, digest_algorithm, dry_run=False, use_pades=False, **kwargs):
            plain = not dry_run and not any(
                kwargs.get(name) for name in ("timestamper", "encap_content_info")
            )
            key = (digest_algorithm, use_pades, kwargs.get("is_pdf_sig", True))
            template = (self._templates or {}).get(key)
            if not plain or not self._templated(digest_algorithm) or (template and not template.usable):
                return await super().async_sign(data_digest, digest_algorithm, dry_run, use_pades, **kwargs)
            if template is None or len(data_digest) != len(template.digest):
                content_info = await super().async_sign(
                    data_digest, digest_algorithm, dry_run, use_pades, **kwargs
                )
                self._templates = {**(self._templates or {}), key: _Template(content_info, data_digest)}
                return content_info
            attributes = template.attributes.replace(template.digest, data_digest)
            signed = b"\x31" + attributes[1:]  # signed as a SET OF (RFC 5652, 5.4)
            signature = self.sign_raw(signed, digest_algorithm)
            public_key = self._loaded_key().public_key()
            public_key.verify(
                signature, signed, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
            )
            return cms.ContentInfo.load(
                template.head + attributes + template.middle + signature + template.tail
            )

    return KeptKeySigner
