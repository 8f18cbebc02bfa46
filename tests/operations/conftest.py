import socket
import threading

import pytest

# The certificate tests' cohort (five modules, sessions) and its coordinator, for the operations tests.
from tests.certificates.test_certificates import cohort, coordinator  # noqa: F401 - fixtures


@pytest.fixture
def blackhole():
    """A port on the loopback that accepts connections and never answers: a hanging dependency.
    Yields its port; every connection is closed when the test ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in accepted:
        connection.close()
    server.close()
