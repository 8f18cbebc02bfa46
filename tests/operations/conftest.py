# The certificate tests' cohort (five modules, sessions) and its coordinator, for the operations tests.
from tests.certificates.test_certificates import cohort, coordinator  # noqa: F401 - fixtures
