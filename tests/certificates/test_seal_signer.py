"""The seal's kept signer (``certificates.signer``): an RSA seal reuses the signature container of
the first one with its own digest and signature, and each such seal verifies on its own, with
pyHanko's validator and with poppler's pdfsig where installed; an ECDSA seal is built by pyHanko
every time."""

import shutil
import subprocess

import pytest
from pyhanko.sign import signers

from certificates import seal
from certificates.seal import check_seal
from tests.certificates.test_seal import Authority, blank_pdf, use_seal


@pytest.fixture
def fresh_signer():
    seal._signer.cache_clear()
    yield
    seal._signer.cache_clear()


def containers_built(monkeypatch) -> list:
    built = []
    original = signers.SimpleSigner.async_sign

    async def counting(self, *args, **kwargs):
        built.append(1)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(signers.SimpleSigner, "async_sign", counting)
    return built


def documents(count: int) -> list[bytes]:
    """Different PDFs (each its own digest)."""
    return [blank_pdf() + b"%" + str(number).encode() + b"\n" for number in range(count)]


def test_an_rsa_seal_reuses_the_first_container_and_each_verifies(
    settings, tmp_path, monkeypatch, fresh_signer
):
    ca = Authority(tmp_path, "CA rsa", key_type="rsa")
    use_seal(settings, ca, *ca.seal("Siegel"))
    built = containers_built(monkeypatch)
    sealed = [seal.seal_pdf(document) for document in documents(3)]
    assert len(built) == 1  # pyHanko built the first container only
    checks = [check_seal(content) for content in sealed]
    assert all(check.valid for check in checks), [check.message for check in checks]
    assert len({content[-3000:] for content in sealed}) == 3  # three signatures, not one
    tampered = bytearray(sealed[1])
    tampered[len(documents(1)[0]) // 2] ^= 1
    assert not check_seal(bytes(tampered)).valid


def test_an_ecdsa_seal_is_built_by_pyhanko_every_time(settings, tmp_path, monkeypatch, fresh_signer):
    ca = Authority(tmp_path, "CA ec", key_type="ec")
    use_seal(settings, ca, *ca.seal("Siegel"))
    built = containers_built(monkeypatch)
    sealed = [seal.seal_pdf(document) for document in documents(2)]
    assert len(built) == 2
    assert all(check_seal(content).valid for content in sealed)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_poppler_finds_a_reused_container_seal_valid(settings, tmp_path, fresh_signer):
    ca = Authority(tmp_path, "CA rsa", key_type="rsa")
    use_seal(settings, ca, *ca.seal("Siegel"))
    for number, document in enumerate(documents(2)):
        path = tmp_path / f"sealed-{number}.pdf"
        path.write_bytes(seal.seal_pdf(document))
        report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert "Signature Validation: Signature is Valid." in report
        assert "Total document signed" in report
