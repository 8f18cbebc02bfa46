import pytest

from tests.evaluation.data import NOW, build, group_member


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def programme(db, now):
    return build(now)


@pytest.fixture
def evaluator(db):
    return group_member("evaluators", first_name="Eva", last_name="Auswertung")


@pytest.fixture
def evaluator_client(client, evaluator):
    client.force_login(evaluator)
    return client
