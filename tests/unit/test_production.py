"""The production start refuses unsafe settings, and says which one to fix."""

from dataclasses import replace

from assistance.production import problems
from assistance.secrets import generate, is_weak
from assistance.settings import Settings

SAFE = {
    "CLAUDIA_MODE": "production", "RASA_JWT_SECRET": generate(), "ACTION_SERVER_TOKEN": generate(),
    "DESK_API_TOKEN": generate(),
}


def test_random_secrets_and_loopback_servers_are_safe():
    assert problems(Settings.from_env(SAFE)) == []


def test_each_unsafe_setting_is_named():
    safe = Settings.from_env(SAFE)
    cases = {
        "RASA_JWT_SECRET": replace(safe, rasa_jwt_secret=None),
        "ACTION_SERVER_TOKEN": replace(safe, action_server_token="change-me-local-token-123456"),
        "DESK_API_TOKEN": replace(safe, desk_api_token="short"),
        "DESK_DEMO": replace(safe, allow_demo_accounts=True),
        "DESK_COOKIE_SECURE": replace(safe, cookie_secure=False),
        "ACTIONS_HOST": replace(safe, actions_host="0.0.0.0"),
        "RASA_INTERFACE": replace(safe, rasa_interface="0.0.0.0"),
    }
    for setting, settings in cases.items():
        found = problems(settings)
        assert len(found) == 1 and found[0].startswith(setting), (setting, found)


def test_a_container_platform_may_bind_every_address_when_it_says_so():
    safe = Settings.from_env(SAFE)
    assert problems(replace(safe, rasa_interface="0.0.0.0", public_bind=True)) == []


def test_weak_secrets():
    assert is_weak(None) and is_weak("") and is_weak("change-me-desk-token-0123456789")
    assert not is_weak(generate())


def test_the_production_start_refuses_and_starts_nothing(tmp_path):
    import os
    import subprocess

    from assistance.settings import PROJECT_ROOT

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DESK_DEMO": "true",
           "SECRETS_FILE": str(tmp_path / "secrets.env"), "RASA_PORT": "1", "DESK_PORT": "2"}
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "run.sh"), "--production"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    for setting in ("RASA_JWT_SECRET", "ACTION_SERVER_TOKEN", "DESK_API_TOKEN", "DESK_DEMO"):
        assert f"refusing to start in production: {setting}" in result.stderr
    assert not (tmp_path / "secrets.env").exists()  # no secret is made up in production
