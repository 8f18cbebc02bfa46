"""The image holds only source, and each compose service only its own variables and keys.

Read from the files as docker reads them; ``docker-compose config`` runs too where it is
installed. No engine is needed.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from portal import hooks

ROOT = Path(settings.BASE_DIR)


def _pattern(rule: str) -> re.Pattern:
    """A .dockerignore pattern as a regular expression (Go's filepath.Match plus ``**``)."""
    parts = []
    for token in re.split(r"(\*\*/?|\*|\?)", rule.strip("/")):
        if token.startswith("**"):
            parts.append("(?:.*/)?" if token.endswith("/") else ".*")
        elif token == "*":
            parts.append("[^/]*")
        elif token == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def dockerignore_rules() -> list[tuple[bool, re.Pattern]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), _pattern(line.lstrip("!"))))
    return rules


def sent_to_build(path: str, rules=None) -> bool:
    """Whether docker sends ``path`` to the build: the last rule matching it or a folder above
    it decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for negated, pattern in rules or dockerignore_rules():
        if any(pattern.fullmatch(candidate) for candidate in candidates):
            included = negated
    return included


LOCAL_STATE = [
    "backups/20261207T190000Z/database.dump",
    "backups/20261207T190000Z/backup.tar.age",
    ".dev-keys/seal-key.pem",
    ".dev-secret-key",
    "secrets/credential-key.pem",
    "media/private/endorsements/schreiben.pdf",
    ".env",
    ".env.production",
    ".venv/bin/python",
    "screenshots/dashboard-390.png",
    "test-results/trace.zip",
    "db.sqlite3",
    "staticfiles/css/app.3f2a.css",
    "tests/conftest.py",
    ".git/HEAD",
    "node_modules/kern/index.js",
    "portal/__pycache__/models.cpython-311.pyc",
    "locale/en/LC_MESSAGES/django.mo",
    "a-new-folder/notes.txt",
]


@pytest.mark.parametrize("path", LOCAL_STATE)
def test_local_state_and_secrets_never_reach_the_image(path):
    assert not sent_to_build(path)


def test_the_source_reaches_the_image():
    needed = ["pyproject.toml", "README.md", "LICENSE", "manage.py", "config/settings.py"]
    for folder in ("templates", "static", "locale", "standards"):
        sources = sorted(p for p in (ROOT / folder).rglob("*") if p.is_file() and p.suffix != ".mo")
        needed.append(str(sources[0].relative_to(ROOT)))
    for app in hooks.project_apps():
        needed += [
            str(p.relative_to(ROOT)) for p in Path(app.path).rglob("*.py") if "__pycache__" not in p.parts
        ]
    missing = [path for path in needed if not sent_to_build(path)]
    assert missing == [], "add the folder to .dockerignore's list"


def test_the_matcher_follows_docker():
    rules = [(False, _pattern("*")), (True, _pattern("keep")), (False, _pattern("**/*.pyc"))]
    assert sent_to_build("keep/a/b.py", rules) and not sent_to_build("keep/a/b.pyc", rules)
    assert not sent_to_build("other/b.py", rules) and not sent_to_build("top.txt", rules)


# --- docker-compose.yml ---------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def variables(service: dict) -> set[str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return {entry.split("=", 1)[0] for entry in environment}
    return set(environment)


INFRASTRUCTURE_SECRETS = {"POSTGRES_PASSWORD": {"db"}, "MINIO_ROOT_PASSWORD": {"minio", "createbucket"}}
APP_SERVICES = {"migrate", "web", "worker", "beat", "backup"}


def test_each_service_gets_only_its_own_variables():
    services = compose()["services"]
    assert not [name for name, service in services.items() if "env_file" in service]
    for variable, owners in INFRASTRUCTURE_SECRETS.items():
        assert {name for name, service in services.items() if variable in variables(service)} == owners
    assert {name for name, service in services.items() if "MINIO_ROOT_USER" in variables(service)} == {
        "minio",
        "createbucket",
    }
    for name in ("minio", "createbucket"):
        user = services[name]["environment"]["MINIO_ROOT_USER"]
        assert ":?" in user and "minioadmin" not in user.split(":?")[0]  # required, no default


def test_every_setting_of_the_portal_can_be_set_in_compose():
    """A variable the settings read but compose does not pass would silently never arrive."""
    source = "".join(path.read_text() for path in sorted((ROOT / "config").glob("*.py")))
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z0-9_]+)\"", source))
    development_only = {"CERTIFICATE_DEV_KEY_DIR", "DJANGO_DEBUG", "DJANGO_STATIC_ROOT", "DJANGO_MEDIA_ROOT"}
    assert len(read) > 40
    for name in APP_SERVICES:
        assert read - development_only - variables(compose()["services"][name]) == set(), name


def test_keys_are_secrets_of_the_processes_that_use_them():
    data = compose()
    services = data["services"]
    keys = {"seal_key", "seal_cert", "credential_key"}
    assert set(data["secrets"]) == keys
    for name in ("web", "worker", "backup"):
        assert set(services[name]["secrets"]) == keys
    for name in ("beat", "migrate", "db", "redis", "minio", "createbucket", "mailpit"):
        assert "secrets" not in services[name]
    environment = services["web"]["environment"]
    assert environment["SEAL_KEY_FILE"] == "/run/secrets/seal_key"
    assert environment["OB_SIGNING_KEY_FILE"] == "/run/secrets/credential_key"


def test_backup_runs_in_compose_and_keeps_its_result():
    data = compose()
    backup = data["services"]["backup"]
    assert backup["profiles"] == ["backup"]  # on demand, not by `up`
    assert backup["entrypoint"] == ["python", "manage.py"] and backup["command"] == ["backup"]
    assert backup["environment"]["PORTAL_BACKUP_DIR"] == "/backups"
    assert "backups:/backups" in backup["volumes"] and "backups" in data["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    server = data["services"]["db"]["image"].split(":")[1]
    assert f"postgresql-client-{server}" in dockerfile  # pg_dump of the server's major version
    assert "chown portal:portal" in dockerfile and "/backups" in dockerfile and "USER portal" in dockerfile


def test_web_health_check_is_liveness():
    test = " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    assert "/healthz" in test and "/readyz" not in test


def test_downloads_stream_through_the_portal_by_default():
    value = compose()["x-app"]["environment"]["PORTAL_S3_PRESIGNED_DOWNLOADS"]
    assert value.endswith(":-false}")


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file(tmp_path):
    required = re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text())
    (tmp_path / "env").write_text("".join(f"{name}=wert\n" for name in sorted(set(required))))
    result = subprocess.run(
        [
            "docker-compose",
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(tmp_path / "env"),
            "config",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    missing = subprocess.run(
        ["docker-compose", "--project-directory", str(ROOT), "--env-file", "/dev/null", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0  # a required value left out stops compose
    assert "MINIO_ROOT_USER" in required
